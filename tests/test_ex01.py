"""ex01 (tensors, softmax, cross-entropy): the reference gets full marks, the stub zero, every
bug loses points in the check meant to catch it (with its misconception hint), every correct
variant gets full marks, delegating to the built-ins is flagged, stub and reference agree."""
from __future__ import annotations

import importlib.util
import inspect

import pytest

from conftest import REPO, SUBMISSIONS, assert_full_marks, assert_loses_points, summary

EX = "ex01"
HERE = SUBMISSIONS / EX
REFERENCE = REPO / "solutions" / "ex01_tensors.py"
STUB = REPO / "exercises" / "ex01_tensors.py"

# buggy file -> (a check group that must fail, a phrase its hint must contain or None)
CAUGHT_BY = {
    "buggy_broadcast_left_aligned.py": ("broadcast_shapes", "LAST dimension"),
    "buggy_broadcast_max_size.py": ("broadcast_shapes_errors", "equal or 1"),
    "buggy_pairwise_transposed.py": ("pairwise_sq_dists_forward", "output transposed"),
    "buggy_pairwise_euclidean.py": ("pairwise_sq_dists_forward", "SQUARED"),
    "buggy_pairwise_double_loop.py": ("pairwise_sq_dists_speed", "no Python loops"),
    "buggy_softmax_no_max.py": ("softmax_large_inputs", "no max subtracted"),
    "buggy_softmax_global_max.py": ("softmax_large_inputs_hidden", "whole tensor"),
    "buggy_log_softmax_of_softmax.py": ("log_softmax_large_inputs_hidden", "log of softmax"),
    "buggy_ce_mean_all.py": ("cross_entropy_forward", "NOT ignored"),
    "buggy_ce_negative_means_ignored.py": ("cross_entropy_forward_hidden", "ignore_index not applied"),
    "buggy_ce_reshape_classes.py": ("cross_entropy_forward", "wrong dimension"),
}


def test_reference_full_marks(grade):
    result = grade(EX, REFERENCE)
    assert_full_marks(result)
    assert result.hidden_present and result.max_score == 100


def test_stub_scores_zero_with_not_implemented(grade):
    result = grade(EX, STUB)
    assert result.score == 0, summary(result)
    ran = [c for c in result.checks if c.status != "skipped"]
    assert ran and all("not implemented" in c.message for c in ran), summary(result)


def test_public_checks_run_alone(grade):
    result = grade(EX, REFERENCE, include_hidden=False)
    assert_full_marks(result)
    assert not result.hidden_present and not any(c.hidden for c in result.checks)
    assert 0 < result.max_score < 100


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("correct_*.py")))
def test_correct_variants_full_marks(grade, name):
    assert_full_marks(grade(EX, HERE / name))


def test_every_buggy_variant_is_listed():
    assert sorted(p.name for p in HERE.glob("buggy_*.py")) == sorted(CAUGHT_BY)


@pytest.mark.parametrize("name", sorted(CAUGHT_BY))
def test_buggy_variants_lose_points(grade, name):
    result = grade(EX, HERE / name)
    assert_loses_points(result)
    group, phrase = CAUGHT_BY[name]
    failed = [c for c in result.checks if c.status == "failed" and c.name.split("[")[0] == group]
    assert failed, f"expected {group} to fail\n{summary(result)}"
    if phrase:
        assert any(phrase in (c.hint or "") for c in failed), [c.hint for c in failed]


def test_delegation_is_flagged(grade):
    result = grade(EX, HERE / "delegate_builtins.py")
    assert_loses_points(result)
    ops = {hit["op"] for hit in result.forbidden}
    for op in ("torch.broadcast_shapes", "aten._cdist_forward", "aten._softmax",
               "aten._log_softmax", "aten.nll_loss_forward"):
        assert op in ops, sorted(ops)
    assert result.score == 0, summary(result)


@pytest.mark.parametrize("name,op", [("delegate_broadcast_numpy.py", "numpy.broadcast_shapes"),
                                     ("delegate_broadcast_meta.py", "tensor broadcasting (aten.add)")])
def test_broadcast_delegation_is_flagged(grade, name, op):
    """broadcast_shapes is pure Python: its delegations are seen by the ex01 driver."""
    result = grade(EX, HERE / name)
    assert op in {hit["op"] for hit in result.forbidden}, result.forbidden
    lost = {c.name.split("[")[0] for c in result.checks if c.status != "passed" and c.device == "cpu"}
    assert lost == {"broadcast_shapes", "broadcast_shapes_hidden", "broadcast_shapes_errors"}, lost


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public_api(module) -> dict:
    """name -> [(parameter, kind, default)] for the functions the module defines."""
    return {name: [(p.name, p.kind, p.default) for p in inspect.signature(obj).parameters.values()]
            for name, obj in vars(module).items()
            if not name.startswith("_") and inspect.isfunction(obj) and obj.__module__ == module.__name__}


def test_stub_and_reference_have_the_same_signatures():
    stub, reference = _load(STUB, "ex01_stub"), _load(REFERENCE, "ex01_reference")
    assert _public_api(stub) == _public_api(reference)
    assert set(_public_api(stub)) == {"broadcast_shapes", "pairwise_sq_dists", "softmax",
                                      "log_softmax", "cross_entropy"}
