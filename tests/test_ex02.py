"""ex02 (autograd Functions, numerical gradients, logistic regression): the reference gets full
marks, the stub zero, every bug loses points in the check meant to catch it (with its
misconception hint), every correct variant gets full marks, delegating to the built-ins is
flagged, stub and reference agree."""
from __future__ import annotations

import importlib.util
import inspect

import pytest

from conftest import REPO, SUBMISSIONS, assert_full_marks, assert_loses_points, summary

EX = "ex02"
HERE = SUBMISSIONS / EX
REFERENCE = REPO / "solutions" / "ex02_autograd.py"
STUB = REPO / "exercises" / "ex02_autograd.py"

# buggy file -> (a check group that must fail, a phrase its hint or message must contain)
CAUGHT_BY = {
    "buggy_linear_bias_grad_always.py": ("linear_function_backward", "not a Variable"),
    "buggy_linear_batch_2d_only.py": ("linear_function_backward_hidden", None),
    "buggy_linear_weight_grad_transposed.py": ("linear_function_backward_hidden",
                                               "grad_weight transposed"),
    "buggy_sigmoid_derivative_from_input.py": ("sigmoid_function_backward",
                                               "derivative computed from the input"),
    "buggy_sigmoid_autograd_in_backward.py": ("sigmoid_function_backward", "used autograd"),
    "buggy_sigmoid_unstable.py": ("sigmoid_function_forward_hidden", "inf / inf"),
    "buggy_numgrad_forward_difference.py": ("numerical_gradient", "forward difference"),
    "buggy_numgrad_no_restore.py": ("numerical_gradient_leaves_x_unchanged", "changed its input"),
    "buggy_numgrad_autograd.py": ("numerical_gradient", "exact gradient (autograd)"),
    "buggy_logreg_no_zero_grad.py": ("fit_logistic_regression", "gradients accumulated"),
    "buggy_logreg_loss_after_update.py": ("fit_logistic_regression", "after the update"),
    "buggy_logreg_sum_loss.py": ("fit_logistic_regression", "summed loss"),
    "buggy_logreg_kink_at_zero.py": ("fit_logistic_regression", "wrong slope at z = 0"),
    "buggy_logreg_not_detached.py": ("fit_logistic_regression_returns", "detached"),
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
        assert any(phrase in f"{c.message} {c.hint}" for c in failed), [(c.message, c.hint) for c in failed]


def test_delegation_is_flagged(grade):
    result = grade(EX, HERE / "delegate_builtins.py")
    assert_loses_points(result)
    ops = {hit["op"] for hit in result.forbidden}
    for op in ("torch._C._nn.linear", "aten.sigmoid", "aten.sigmoid_backward", "torch.optim.SGD",
               "aten.binary_cross_entropy_with_logits"):
        assert op in ops, sorted(ops)
    # numerical_gradient has no built-in to delegate to: only its 21 points remain
    assert result.score <= 21, summary(result)


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _params(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def _public_api(module) -> dict:
    """name -> signature, and for classes each method they define, for the module's own names."""
    api = {}
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            api[name] = _params(obj)
        elif inspect.isclass(obj):
            api[name] = {m: _params(getattr(obj, m)) for m in ("forward", "backward")}
            api[name]["bases"] = [b.__qualname__ for b in obj.__bases__]
    return api


def test_stub_and_reference_have_the_same_signatures():
    stub, reference = _load(STUB, "ex02_stub"), _load(REFERENCE, "ex02_reference")
    assert _public_api(stub) == _public_api(reference)
    assert set(_public_api(stub)) == {"LinearFunction", "SigmoidFunction", "numerical_gradient",
                                      "fit_logistic_regression"}
