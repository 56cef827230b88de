"""ex07 (SGD, Adam, AdamW): the reference gets full marks, the stub zero, every bug loses
points and earns its misconception hint, every correct variant gets full marks, delegating
to torch.optim is flagged (by every route), the float32 tolerance is justified, the
misconception simulator is exact with no flag set, and stub and reference share their API."""
from __future__ import annotations

import importlib.util
import inspect
import sys
import warnings

import pytest
import torch

from conftest import REPO, SUBMISSIONS, assert_full_marks, assert_loses_points, summary
from grader.submission import Submission

EX = "ex07"
HERE = SUBMISSIONS / EX
CLASSES = ("SGD", "Adam", "AdamW")


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _checks():
    sys.path[:0] = [str(REPO / "exercises" / "checks"), str(REPO / "solutions" / "checks")]
    try:
        with warnings.catch_warnings():  # the points marker is registered by the grading plugin
            warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
            import ex07_hidden
            import ex07_spec
            import ex07_variants
    finally:
        del sys.path[:2]
    return ex07_spec, ex07_hidden, ex07_variants


def _all_runs():
    spec, hidden, _ = _checks()
    return (spec.PUBLIC_RUNS + hidden.SGD_RUNS + hidden.ADAM_RUNS + hidden.ADAMW_RUNS
            + hidden.RESUME_RUNS + hidden.CLOSURE_RUNS + hidden.NO_GRAD_RUNS + hidden.DEFAULT_RUNS)


def test_reference_full_marks(grade):
    result = grade(EX, REPO / "solutions" / "ex07_optim.py")
    assert_full_marks(result)
    assert result.hidden_present and result.max_score == 100


def test_stub_scores_zero_with_not_implemented(grade):
    result = grade(EX, REPO / "exercises" / "ex07_optim.py")
    assert result.score == 0, summary(result)
    ran = [c for c in result.checks if c.status != "skipped"]
    assert ran and all("not implemented" in c.message for c in ran), summary(result)


def test_public_checks_run_alone(grade):
    result = grade(EX, REPO / "solutions" / "ex07_optim.py", include_hidden=False)
    assert_full_marks(result)
    assert not result.hidden_present and 0 < result.max_score < 100


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("correct_*.py")))
def test_correct_variants_full_marks(grade, name):
    assert_full_marks(grade(EX, HERE / name))


# The misconception hint each bug should earn on at least one failing check (None: the
# failure itself says what is wrong, e.g. an exception from the closure).
EXPECTED_HINTS = {
    "buggy_adam_eps_inside_sqrt.py": "eps inside the square root",
    "buggy_adam_no_bias_correction.py": "no bias correction",
    "buggy_adamw_coupled_decay.py": "weight decay coupled into the gradient",
    "buggy_amsgrad_max_of_vhat.py": "AMSGrad: max of the bias-corrected v",
    "buggy_closure_without_grad.py": "torch.enable_grad()",
    "buggy_global_step_count.py": "step count shared by all parameters",
    "buggy_lr_cached.py": "learning rate taken from the constructor",
    "buggy_maximize_flips_update.py": "maximize flips the whole update",
    "buggy_momentum_zero_init.py": "momentum buffer started at zero",
    "buggy_nesterov_old_buffer.py": "Nesterov ignored",
    "buggy_state_in_attributes.py": "state lost on resume",
}


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("buggy_*.py")))
def test_buggy_variants_lose_points(grade, name):
    result = grade(EX, HERE / name)
    assert_loses_points(result)
    hints = [c.hint or "" for c in result.checks if c.status == "failed"]
    assert any(EXPECTED_HINTS[name] in h for h in hints), summary(result)


def test_delegation_loses_points_and_is_flagged(grade):
    result = grade(EX, HERE / "delegate_subclass.py")
    assert_loses_points(result)
    ops = {hit["op"] for hit in result.forbidden}
    assert {"torch.optim.SGD.step", "torch.optim.Adam.step"} <= ops, ops


@pytest.mark.parametrize("target,expected", [
    ("SGD_functional", "torch.optim.sgd._single_tensor_sgd"),
    ("Adam_functional", "torch.optim.adam._single_tensor_adam"),
    ("Adam_fused", "aten._fused_adam"),
    ("SGD_fused", "aten._fused_sgd"),
    ("Adam_private_kernel", "torch.optim.adam._single_tensor_adam"),
])
def test_driver_reports_every_route_to_torch_optim(course, sandbox, target, expected):
    ex = course.exercise(EX)
    sub = Submission(sandbox=sandbox, path=str(HERE / "routes_builtin_optim.py"),
                     module_name="ex07_optim", device="cpu", forbidden=ex.forbidden,
                     allowed=ex.allowed)
    request = {"params": [torch.randn(3)], "layout": [{"params": [0]}], "steps": 2,
               "grads": [[torch.ones(3)], [torch.ones(3)]], "loss": None, "lr_changes": {},
               "resume_at": None}
    try:
        result = sub.driver("optimizer_trajectory", target=target, kwargs={"lr": 0.1}, **request)
    finally:
        sub.close()
    ops = [hit["op"] for hit in result["forbidden"]]
    assert any(op.lstrip("_").startswith(expected.lstrip("_")) or expected in op for op in ops), ops
    if target == "Adam_private_kernel":
        assert any(isinstance(hit["line"], int) for hit in result["forbidden"]), result["forbidden"]


def test_float32_tolerance_covers_torch_optim_in_float32():
    """torch.optim itself in float32 stays far inside the float32 tolerance on every run."""
    spec, _, _ = _checks()
    from grader.sandbox.drivers.ex07 import run_trajectory
    tol = spec.TOLERANCES["float32"]
    for run in _all_runs():
        request = run.materialize(torch.float32)
        expected = spec.reference(run, request)["trajectory"]
        cls = getattr(torch.optim, run.optimizer)
        got = run_trajectory(lambda groups: cls(groups, **run.kwargs, foreach=False), request)
        for params, want in zip(got["trajectory"], expected):
            for p, e in zip(params, want):
                ratio = ((p.double() - e).abs() / (tol.atol + tol.rtol * e.abs())).max()
                assert ratio < 0.05, (run.id, float(ratio))


def test_simulator_without_flags_is_torch_optim():
    """The misconception simulator is exact when no flag is set (so a match names a bug)."""
    spec, _, variants = _checks()
    for run in _all_runs():
        request = run.materialize(torch.float64)
        expected = spec.reference(run, request)["trajectory"]
        assert variants._matches(variants.simulate(run, request, set()), expected,
                                 spec.TOLERANCES["float64"]), run.id


def test_stub_and_reference_share_the_api():
    stub = _load(REPO / "exercises" / "ex07_optim.py", "ex07_stub")
    ref = _load(REPO / "solutions" / "ex07_optim.py", "ex07_reference")
    for name in CLASSES:
        for method in ("__init__", "step"):
            a = inspect.signature(getattr(getattr(stub, name), method)).parameters.values()
            b = inspect.signature(getattr(getattr(ref, name), method)).parameters.values()
            assert [(p.name, p.default, p.kind) for p in a] == [(p.name, p.default, p.kind) for p in b]
        assert issubclass(getattr(stub, name), torch.optim.Optimizer)
        assert issubclass(getattr(ref, name), torch.optim.Optimizer)
    public = lambda m: {n for n, v in vars(m).items() if not n.startswith("_")  # noqa: E731
                        and getattr(v, "__module__", None) == m.__name__}
    assert public(stub) == public(ref) == set(CLASSES)
