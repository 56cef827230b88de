"""ex03 (conv2d): the reference gets full marks, the stub zero, every bug loses points,
every correct variant gets full marks, and delegating to the built-in is flagged."""
from __future__ import annotations

import pytest

from conftest import REPO, SUBMISSIONS, assert_full_marks, assert_loses_points, summary

EX = "ex03"
HERE = SUBMISSIONS / EX


def test_reference_full_marks(grade):
    result = grade(EX, REPO / "solutions" / "ex03_conv.py")
    assert_full_marks(result)
    assert result.hidden_present and result.max_score == 100


def test_stub_scores_zero_with_not_implemented(grade):
    result = grade(EX, REPO / "exercises" / "ex03_conv.py")
    assert result.score == 0, summary(result)
    ran = [c for c in result.checks if c.status != "skipped"]
    assert ran and all("not implemented" in c.message for c in ran), summary(result)


def test_public_checks_run_alone(grade):
    result = grade(EX, REPO / "solutions" / "ex03_conv.py", include_hidden=False)
    assert_full_marks(result)
    assert not result.hidden_present and not any(c.hidden for c in result.checks)
    assert 0 < result.max_score < 100


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("correct_*.py")))
def test_correct_variants_full_marks(grade, name):
    assert_full_marks(grade(EX, HERE / name))


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("buggy_*.py")))
def test_buggy_variants_lose_points(grade, name):
    assert_loses_points(grade(EX, HERE / name))


@pytest.mark.parametrize("name, op, line", [
    ("delegate_functional.py", "aten.convolution", 6),
    ("delegate_aten.py", "aten.convolution", 10),
    ("delegate_module.py", "aten.convolution", 14),
])
def test_delegation_is_flagged_with_its_line(grade, name, op, line):
    result = grade(EX, HERE / name)
    # At most the error checks: a raise that never reached the built-in (nn.Conv2d validating
    # its arguments) is a legitimate error; one that went through it earns nothing.
    assert result.score <= 8, summary(result)
    assert any(f["op"] == op and f["line"] == line for f in result.forbidden), result.forbidden
    forward = [c for c in result.checks if c.name.startswith("conv2d_forward[") and c.device == "cpu"]
    assert forward and all("forbidden built-in" in c.message for c in forward)
    assert any(f"line {line}" in c.message for c in forward)


# Each bug is caught where it should be, and named by a hint where one applies.
CAUGHT_BY = {
    "buggy_flipped_kernel.py": ("conv2d_forward", "flipped kernel"),
    "buggy_padding_one_side.py": ("conv2d_forward", "padding on one side"),
    "buggy_ignores_dilation.py": ("conv2d_forward", "dilation ignored"),
    "buggy_ignores_groups.py": ("conv2d_forward", "groups"),
    "buggy_no_bias.py": ("conv2d_forward", "bias ignored"),
    "buggy_same_split_wrong.py": ("conv2d_forward", "'same' padding split the wrong way"),
    "buggy_output_size_ceil.py": ("conv2d_forward_hidden", None),
    "buggy_float32_always.py": ("conv2d_forward", None),
    "buggy_detached.py": ("conv2d_gradients", None),
    "buggy_unsqueeze_inplace.py": ("conv2d_inputs_unchanged", None),
    "buggy_no_validation.py": ("conv2d_errors", None),
}


def test_every_buggy_submission_has_an_expectation():
    assert sorted(CAUGHT_BY) == sorted(p.name for p in HERE.glob("buggy_*.py"))


@pytest.mark.parametrize("name", sorted(CAUGHT_BY))
def test_bug_is_caught_by_the_right_check(grade, name):
    group, hint = CAUGHT_BY[name]
    result = grade(EX, HERE / name)
    failing = [c for c in result.checks if c.status == "failed" and c.name.split("[")[0] == group]
    assert failing, summary(result)
    if hint:
        assert any(c.hint and hint in c.hint for c in result.checks), summary(result)


def test_grading_is_deterministic(grade):
    first = grade(EX, HERE / "buggy_flipped_kernel.py").to_dict()
    second = grade(EX, HERE / "buggy_flipped_kernel.py").to_dict()
    strip = lambda r: [{k: v for k, v in c.items() if k != "duration"} for c in r["checks"]]  # noqa: E731
    assert strip(first) == strip(second) and first["score"] == second["score"]


def test_hidden_messages_reveal_no_expected_values(grade):
    result = grade(EX, HERE / "buggy_flipped_kernel.py")
    hidden = [c for c in result.checks if c.hidden and c.status == "failed"]
    public = [c for c in result.checks if not c.hidden and c.status == "failed"]
    assert hidden and all("expected " not in c.message.split("worst element")[-1] for c in hidden)
    assert any("expected" in c.message for c in public)


def test_stub_and_reference_expose_the_same_api():
    """Our own files (not submissions), so importing them in the test process is fine."""
    import importlib.util
    import inspect

    def api(path):
        spec = importlib.util.spec_from_file_location(f"api_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return {n: str(inspect.signature(getattr(module, n))) for n in dir(module)
                if not n.startswith("_") and inspect.isfunction(getattr(module, n))
                and getattr(module, n).__module__ == module.__name__}

    assert api(REPO / "exercises" / "ex03_conv.py") == api(REPO / "solutions" / "ex03_conv.py")
