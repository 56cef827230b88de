"""ex08 hidden checks: more label sets, errors and types for the metrics; a second training
epoch (SGD with momentum, a last batch of 3); an evaluation with 12 classes of which two
never occur; the history and checkpoint of a 3-epoch fit; a fit whose best epoch is neither
the last, the lowest-loss nor the last tied one; fit without a checkpoint; load_checkpoint.
"""
import pytest
import torch
from ex08_fit_judge import (assert_best_checkpoint, assert_evaluation_metrics, assert_history,
                            assert_loaded, epoch_passes)
from ex08_judge import (assert_epoch_loss, assert_evaluation_batches, assert_moved, assert_steps,
                        assert_train_mode, call_metrics, metrics_check, metrics_error_check,
                        require_clean, single_pass)
from ex08_spec import METRICS_ERRORS, METRICS_HIDDEN, METRICS_PUBLIC, run, runs

from grader.compare import describe_value
from grader.outcomes import CheckFailure

test_classification_metrics_hidden = metrics_check(METRICS_HIDDEN, points=12)
test_classification_metrics_errors = metrics_error_check(METRICS_ERRORS, points=3)


def _clean_run(submission, name: str, what: str) -> dict:
    result = run(submission, name)
    require_clean(submission, result, what)
    return result


def _train_batches(submission) -> list[dict]:
    result = _clean_run(submission, "train_hidden", "train_one_epoch")
    return single_pass(result, "train", len(runs()["train_hidden"]["data"]["y_train"]),
                       "train_one_epoch")


def _eval_batches(submission) -> list[dict]:
    result = _clean_run(submission, "evaluate_hidden", "evaluate")
    return single_pass(result, "val", len(runs()["evaluate_hidden"]["data"]["y_val"]), "evaluate")


# ----------------------------------------------------------------- types
def _float_type(value, what: str) -> None:
    if type(value) is not float:
        raise CheckFailure(f"{what} should be a Python float, got {describe_value(value)}",
                           hint="turn a 0-d tensor into a float with .item()")


@pytest.mark.points(3)
def test_returns_python_floats(submission):
    """losses and metrics are Python floats, the confusion matrix an int64 CPU tensor"""
    sample = METRICS_PUBLIC[1]
    out = call_metrics(submission, *sample.materialize(torch.float64))["output"]
    if not isinstance(out, dict):
        raise CheckFailure(f"classification_metrics should return a dict, got {describe_value(out)}")
    for key in ("accuracy", "precision", "recall", "f1"):
        _float_type(out.get(key), f"classification_metrics(...)['{key}']")
    cm = out.get("confusion_matrix")
    if not isinstance(cm, torch.Tensor) or cm.dtype != torch.int64:
        raise CheckFailure(f"confusion_matrix should be an int64 tensor, got {describe_value(cm)}")
    _float_type(run(submission, "train_hidden")["output"], "the value train_one_epoch returns")


# ----------------------------------------------------------------- train_one_epoch
@pytest.mark.points(5)
def test_train_loss_is_per_sample_mean(submission, reveal_expected):
    """train_one_epoch returns the mean per sample when the last batch is small"""
    result = _clean_run(submission, "train_hidden", "train_one_epoch")
    assert_epoch_loss(result["output"], _train_batches(submission),
                      runs()["train_hidden"]["batch_size"], reveal=reveal_expected,
                      what="the value train_one_epoch returned")


@pytest.mark.points(2)
def test_train_mode_and_autograd(submission):
    """train_one_epoch puts the model in train mode, with autograd on"""
    assert_train_mode(_train_batches(submission), "train_one_epoch")


@pytest.mark.points(3)
def test_zero_grad_backward_step(submission):
    """gradients are zero before every backward, one optimizer step per batch"""
    assert_steps(_train_batches(submission), "train_one_epoch")


@pytest.mark.points(2)
def test_every_batch_once(submission):
    """train_one_epoch uses every batch of the loader exactly once"""
    _train_batches(submission)


@pytest.mark.points(2)
def test_training_batches_moved(submission, device):
    """train_one_epoch moves x and y to the device"""
    assert_moved(_train_batches(submission), device, "train_one_epoch", targets=True)


# ----------------------------------------------------------------- evaluate
@pytest.mark.points(5)
def test_evaluate_metrics_12_classes(submission, reveal_expected):
    """evaluate's metrics equal the grader's, with two classes that never occur"""
    result = _clean_run(submission, "evaluate_hidden", "evaluate")
    assert_evaluation_metrics(result, runs()["evaluate_hidden"], reveal=reveal_expected)


@pytest.mark.points(3)
def test_evaluate_eval_mode_no_autograd(submission):
    """evaluate runs the model in eval mode without autograd"""
    assert_evaluation_batches(_eval_batches(submission), "evaluate")


@pytest.mark.points(2)
def test_evaluation_batches_moved(submission, device):
    """evaluate moves each batch's x to the device"""
    assert_moved(_eval_batches(submission), device, "evaluate", targets=False)


# ----------------------------------------------------------------- fit
def _fit(submission, name: str):
    result = _clean_run(submission, name, "fit")
    request = runs()[name]
    return result, request, epoch_passes(result, request["epochs"])


@pytest.mark.points(5)
def test_fit_history(submission, reveal_expected):
    """fit returns one entry per epoch: 1-based epoch, training loss, validation metrics"""
    result, request, seen = _fit(submission, "fit")
    assert_history(result["output"], seen, request["data"]["y_val"], 10, request["batch_size"],
                   reveal=reveal_expected)


@pytest.mark.points(3)
def test_fit_modes(submission):
    """fit trains in train mode with clean gradients and validates in eval mode without autograd"""
    _, _, seen = _fit(submission, "fit")
    for e, (train, val) in enumerate(seen, 1):
        assert_train_mode(train["batches"], f"fit, epoch {e} (training)")
        assert_steps(train["batches"], f"fit, epoch {e} (training)")
        assert_evaluation_batches(val["batches"], f"fit, epoch {e} (validation)")


@pytest.mark.points(4)
def test_fit_checkpoint(submission, reveal_expected):
    """fit's checkpoint holds the best epoch's number, accuracy, weights and optimizer state"""
    result, request, seen = _fit(submission, "fit")
    assert_best_checkpoint(result, seen, request["data"]["y_val"], 10, reveal=reveal_expected)


@pytest.mark.points(7)
def test_fit_keeps_first_best_epoch(submission, reveal_expected):
    """the best epoch is the first with the highest validation accuracy, not the last or lowest-loss"""
    result, request, seen = _fit(submission, "fit_first_best")
    assert_best_checkpoint(result, seen, request["data"]["y_val"], 10, reveal=reveal_expected)


@pytest.mark.points(2)
def test_fit_without_checkpoint_path(submission):
    """fit(..., checkpoint_path=None) trains, returns its history and writes no file"""
    result, request, _ = _fit(submission, "fit_no_checkpoint")
    history = result["output"]
    if not isinstance(history, list) or len(history) != request["epochs"]:
        raise CheckFailure(f"fit should return {request['epochs']} history entries, got "
                           f"{describe_value(history)}")
    if result.get("new_files"):
        raise CheckFailure(f"with checkpoint_path=None fit wrote {result['new_files'][0]}; save "
                           "nothing when no path is given")


# ----------------------------------------------------------------- load_checkpoint
def _loaded(submission) -> tuple[dict, dict]:
    result = run(submission, "load_checkpoint")
    require_clean(submission, result, "load_checkpoint")
    return result, runs()["load_checkpoint"]


@pytest.mark.points(5)
def test_load_checkpoint_with_optimizer(submission):
    """load_checkpoint restores the model and the optimizer and returns the checkpoint"""
    result, request = _loaded(submission)
    assert_loaded(result["with_optimizer"], request["model_state"], result["saved_optimizer_state"],
                  epoch=request["epoch"], val_accuracy=request["val_accuracy"],
                  what="load_checkpoint(path, model, optimizer)")


@pytest.mark.points(2)
def test_load_checkpoint_without_optimizer(submission):
    """load_checkpoint(path, model) restores the model when no optimizer is given"""
    result, request = _loaded(submission)
    assert_loaded(result["model_only"], request["model_state"], None, epoch=request["epoch"],
                  val_accuracy=request["val_accuracy"], what="load_checkpoint(path, model)")
