"""ex04 (max_pool2d, avg_pool2d): the reference gets full marks, the stub zero, every bug
loses points, every correct variant gets full marks, delegating to the built-in is flagged
(by every route), the samples are tie-free, and stub and reference share their API."""
from __future__ import annotations

import importlib.util
import inspect
import sys
import warnings

import pytest
import torch

from conftest import REPO, SUBMISSIONS, assert_full_marks, assert_loses_points, summary
from grader.submission import Submission

EX = "ex04"
HERE = SUBMISSIONS / EX
PUBLIC_NAMES = ("max_pool2d", "avg_pool2d")


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_full_marks(grade):
    result = grade(EX, REPO / "solutions" / "ex04_pool.py")
    assert_full_marks(result)
    assert result.hidden_present and result.max_score == 100


def test_stub_scores_zero_with_not_implemented(grade):
    result = grade(EX, REPO / "exercises" / "ex04_pool.py")
    assert result.score == 0, summary(result)
    ran = [c for c in result.checks if c.status != "skipped"]
    assert ran and all("not implemented" in c.message for c in ran), summary(result)


def test_public_checks_run_alone(grade):
    result = grade(EX, REPO / "solutions" / "ex04_pool.py", include_hidden=False)
    assert_full_marks(result)
    assert not result.hidden_present and 0 < result.max_score < 100


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("correct_*.py")))
def test_correct_variants_full_marks(grade, name):
    assert_full_marks(grade(EX, HERE / name))


# The misconception hint each bug should earn on at least one failing check.
EXPECTED_HINTS = {
    "buggy_ceil_no_drop.py": "ceil mode without the last-window rule",
    "buggy_count_include_pad_ignored.py": "count_include_pad ignored",
    "buggy_dilation_ignored.py": "dilation ignored",
    "buggy_floor_always.py": "floor/ceil mode swapped",
    "buggy_indices_in_window.py": "indices relative to the window",
    "buggy_overhang_full_divisor.py": "overhang divided by the full kernel",
    "buggy_override_ignored.py": "divisor_override ignored",
    "buggy_stride_default_one.py": "stride defaulting to 1",
    "buggy_zero_padding_max.py": "zero padding in max pooling",
}


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("buggy_*.py")))
def test_buggy_variants_lose_points(grade, name):
    result = grade(EX, HERE / name)
    assert_loses_points(result)
    hints = [c.hint or "" for c in result.checks if c.status == "failed"]
    assert any(EXPECTED_HINTS[name] in h for h in hints), summary(result)


def test_delegation_loses_points_and_is_flagged(grade):
    result = grade(EX, HERE / "delegate_functional.py")
    assert_loses_points(result)
    ops = {hit["op"] for hit in result.forbidden}
    assert any("max_pool2d" in op for op in ops) and any("avg_pool2d" in op for op in ops), ops


@pytest.mark.parametrize("route", ["via_functional_max", "via_functional_avg", "via_module",
                                   "via_aten", "via_adaptive", "via_adaptive_max",
                                   "via_torch_namespace"])
def test_forbidden_patterns_catch_every_route(course, sandbox, route):
    ex = course.exercise(EX)
    sub = Submission(sandbox=sandbox, path=str(HERE / "routes_builtin_pooling.py"),
                     module_name="ex04_pool", device="cpu", forbidden=ex.forbidden,
                     allowed=ex.allowed)
    try:
        result = sub.run(route, torch.randn(1, 2, 6, 6))
    finally:
        sub.close()
    assert result.forbidden, f"{route} was not recorded as a forbidden op"


def test_checked_max_windows_have_no_ties():
    """Tie-free inputs: the value, index and gradient checks accept any tie-breaking."""
    sys.path[:0] = [str(REPO / "exercises" / "checks"), str(REPO / "solutions" / "checks")]
    try:
        with warnings.catch_warnings():  # the points marker is registered by the grading plugin
            warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
            import ex04_hidden
            import ex04_spec
    finally:
        del sys.path[:2]
    samples = (ex04_hidden.MAX_SAMPLES + ex04_hidden.INDEX_SAMPLES + ex04_spec.PUBLIC_MAX_SAMPLES
               + ex04_spec.PUBLIC_INDEX_SAMPLES)
    ref = _load(REPO / "solutions" / "ex04_pool.py", "ex04_reference")
    for sample in samples:
        for dtype in (torch.float32, torch.float64):
            args, kwargs = ex04_spec.MAX_POOL2D.inputs(sample, dtype)
            k, s, p, d, out = ref._geometry(args[0], args[1], kwargs.get("stride"),
                                            kwargs.get("padding", 0), kwargs.get("dilation", 1),
                                            kwargs.get("ceil_mode", False))
            x = args[0] if args[0].dim() == 4 else args[0][None]
            windows = ref._windows(x, k, s, p, d, out, float("-inf"))
            top2 = windows.topk(2, dim=2).values if windows.shape[2] > 1 else None
            if top2 is not None:
                assert bool((top2[:, :, 0] > top2[:, :, 1]).all()), f"tie in {sample.id} {dtype}"


def test_stub_and_reference_share_the_api():
    stub = _load(REPO / "exercises" / "ex04_pool.py", "ex04_stub")
    ref = _load(REPO / "solutions" / "ex04_pool.py", "ex04_reference")
    for name in PUBLIC_NAMES:
        assert inspect.signature(getattr(stub, name)).parameters.keys() == \
            inspect.signature(getattr(ref, name)).parameters.keys()
        for p_stub, p_ref in zip(inspect.signature(getattr(stub, name)).parameters.values(),
                                 inspect.signature(getattr(ref, name)).parameters.values()):
            assert (p_stub.name, p_stub.default, p_stub.kind) == (p_ref.name, p_ref.default, p_ref.kind)
    public = lambda m: {n for n in vars(m) if not n.startswith("_") and callable(getattr(m, n))  # noqa: E731
                        and getattr(getattr(m, n), "__module__", None) == m.__name__}
    assert public(stub) == public(ref) == set(PUBLIC_NAMES)
