"""ex08 (training loop): the reference gets full marks, the stub zero, every bug loses points
in the check meant to catch it, correct variants get full marks, importing scikit-learn's
metrics is flagged; the metrics oracle agrees with scikit-learn; the shipped digits are
scikit-learn's."""
from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import REPO, SUBMISSIONS, assert_full_marks, assert_loses_points, summary

EX = "ex08"
HERE = SUBMISSIONS / EX
sys.path.insert(0, str(REPO / "exercises" / "checks"))
import ex08_spec  # noqa: E402  - the spec module sits beside the check files

# Each bug, the check that must catch it and a word of the hint it must get.
CAUGHT_BY = {
    "buggy_absent_classes_skipped.py": ("classification_metrics[never_predicted_never_present]",
                                        "absent classes skipped"),
    "buggy_batch_averaged_metrics.py": ("evaluate_metrics_12_classes", "averaged over batches"),
    "buggy_best_lowest_loss.py": ("fit_keeps_first_best_epoch", "lowest training loss"),
    "buggy_best_ties_last.py": ("fit_keeps_first_best_epoch", "last of tied epochs"),
    "buggy_confusion_transposed.py": ("classification_metrics[all_classes]", "transposed"),
    "buggy_f1_of_macro_pr.py": ("classification_metrics[all_classes]", "F1 from the averaged"),
    "buggy_load_ignores_optimizer.py": ("load_checkpoint_with_optimizer", "optimizer.load_state_dict"),
    "buggy_mean_of_batch_means.py": ("train_loss_is_per_sample_mean", "mean of the batch means"),
    "buggy_micro_average.py": ("classification_metrics[never_predicted_never_present]", "micro average"),
    "buggy_no_device_move.py": ("training_batches_moved", "to(device)"),
    "buggy_no_eval_mode.py": ("evaluate_metrics_12_classes", "eval mode forgotten"),
    "buggy_no_model_train.py": ("train_mode_and_autograd", "model.train()"),
    "buggy_no_no_grad.py": ("evaluate_eval_mode_no_autograd", "torch.no_grad()"),
    "buggy_no_zero_grad.py": ("zero_grad_backward_step", "zero_grad missing"),
    "buggy_num_classes_from_labels.py": ("evaluate_metrics_12_classes", "absent classes"),
    "buggy_state_dict_reference.py": ("fit_keeps_first_best_epoch", "state_dict references"),
    "buggy_zero_division_ignored.py": ("classification_metrics_hidden[zero_division_one]",
                                       "zero_division ignored"),
    "buggy_zero_grad_after_backward.py": ("fit_reaches_accuracy", None),
}


def test_every_buggy_file_has_an_expectation():
    assert sorted(CAUGHT_BY) == sorted(p.name for p in HERE.glob("buggy_*.py"))


def test_reference_full_marks(grade):
    result = grade(EX, REPO / "solutions" / "ex08_training.py")
    assert_full_marks(result)
    assert result.hidden_present and result.max_score == 100


def test_stub_scores_zero_with_not_implemented(grade):
    result = grade(EX, REPO / "exercises" / "ex08_training.py")
    assert result.score == 0, summary(result)
    ran = [c for c in result.checks if c.status != "skipped"]
    assert ran and all("not implemented" in c.message for c in ran), summary(result)


def test_public_checks_run_alone(grade):
    result = grade(EX, REPO / "solutions" / "ex08_training.py", include_hidden=False)
    assert_full_marks(result)
    assert not result.hidden_present and not any(c.hidden for c in result.checks)
    assert 0 < result.max_score < 100


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("correct_*.py")))
def test_correct_variants_full_marks(grade, name):
    assert_full_marks(grade(EX, HERE / name))


@pytest.mark.parametrize("name", sorted(CAUGHT_BY))
def test_buggy_variants_lose_points(grade, name):
    result = grade(EX, HERE / name)
    assert_loses_points(result)
    check, hint = CAUGHT_BY[name]
    failed = {c.name: c for c in result.checks if c.status == "failed"}
    assert check in failed, summary(result)
    assert hint is None or hint in (failed[check].hint or ""), failed[check].hint


def test_importing_sklearn_metrics_is_flagged(grade):
    result = grade(EX, HERE / "delegate_sklearn_metrics.py")
    assert_loses_points(result)
    assert [hit["op"] for hit in result.forbidden] == ["sklearn.metrics"], result.forbidden
    assert result.forbidden[0]["line"] == 3


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stub_and_reference_signatures_match():
    # Both are our own files (not submissions): importing them here is safe.
    stub = _load(REPO / "exercises" / "ex08_training.py", "ex08_stub")
    ref = _load(REPO / "solutions" / "ex08_training.py", "ex08_ref")

    def public(module):
        return {n: inspect.signature(f) for n, f in vars(module).items()
                if inspect.isfunction(f) and not n.startswith("_") and f.__module__ == module.__name__}

    assert public(stub) == public(ref)
    assert set(public(stub)) == {"train_one_epoch", "classification_metrics", "evaluate", "fit",
                                 "load_checkpoint"}


def _label_cases():
    samples = ex08_spec.METRICS_PUBLIC + ex08_spec.METRICS_HIDDEN
    cases = [(s.args[0], s.args[1], s.args[2], s.kwargs.get("zero_division", 0.0)) for s in samples]
    gen = torch.Generator().manual_seed(0)
    for i in range(40):
        k, n = int(torch.randint(2, 9, (), generator=gen)), int(torch.randint(1, 30, (), generator=gen))
        y_true = torch.randint(0, k, (n,), generator=gen)
        y_pred = torch.randint(0, k, (n,), generator=gen)
        cases.append((y_true, y_pred, k + i % 3, float(i % 2)))  # some classes absent
    return cases


def test_metrics_oracle_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    for y_true, y_pred, k, zd in _label_cases():
        ours = ex08_spec.reference_metrics(y_true, y_pred, k, zd)
        labels = list(range(k))
        p, r, f, _ = metrics.precision_recall_fscore_support(
            y_true.numpy(), y_pred.numpy(), labels=labels, average="macro", zero_division=zd)
        assert ours["precision"] == pytest.approx(p, abs=1e-12)
        assert ours["recall"] == pytest.approx(r, abs=1e-12)
        assert ours["f1"] == pytest.approx(f, abs=1e-12)
        assert ours["accuracy"] == pytest.approx(metrics.accuracy_score(y_true.numpy(), y_pred.numpy()))
        assert np.array_equal(ours["confusion_matrix"].numpy(),
                              metrics.confusion_matrix(y_true.numpy(), y_pred.numpy(), labels=labels))


def test_docstring_example():
    ours = ex08_spec.reference_metrics(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 1]), 4)
    assert (ours["precision"], ours["recall"], ours["f1"], ours["accuracy"]) == \
        pytest.approx((1 / 3, 3 / 8, 7 / 24, 1 / 2))


def test_shipped_digits_are_sklearns(tmp_path):
    with np.load(ex08_spec.DIGITS, allow_pickle=False) as data:
        images, labels = data["images"], data["labels"]
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8 and images.max() == 16
    assert labels.shape == (1797,) and labels.dtype == np.int64
    datasets = pytest.importorskip("sklearn.datasets")
    bunch = datasets.load_digits()
    assert np.array_equal(images, bunch.images) and np.array_equal(labels, bunch.target)
    out = tmp_path / "digits.npz"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_digits.py"), "--out", str(out)],
                   check=True, capture_output=True)
    with np.load(out, allow_pickle=False) as again:
        assert np.array_equal(again["images"], images) and np.array_equal(again["labels"], labels)
