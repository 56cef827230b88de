"""A submission that crashes, exits, hangs, floods output or allocates without bound costs
itself points, and the grader carries on, finishes within its limits and writes a report."""
from __future__ import annotations

import time

import pytest

from conftest import REPO, SUBMISSIONS
from grader.manifest import load_course

HERE = SUBMISSIONS / "containment"

# submission -> (status of its checks, words the message must contain)
CASES = {
    "raise_at_import.py": ("error", "importing raise_at_import.py failed: RuntimeError: boom at import"),
    "syntax_error.py": ("error", "SyntaxError"),
    "exit_at_import.py": ("error", "SystemExit"),
    "hang_at_import.py": ("error", "timed out after 3 s"),
    "os_exit_in_call.py": ("error", "exited with code 0"),
    "sys_exit_in_call.py": ("failed", "raised SystemExit"),
    "keyboard_interrupt.py": ("failed", "raised KeyboardInterrupt"),
    "infinite_loop.py": ("error", "timed out after 3 s"),
    "sleep_forever.py": ("error", "timed out after 3 s"),
    "segfault.py": ("error", "segmentation fault"),
    "memory_bomb.py": ("failed", "ran out of memory"),
    "print_flood.py": ("error", "remove debug prints"),
    "returns_garbage.py": ("failed", "should be a torch.Tensor"),
}


@pytest.fixture(scope="module")
def tiny():
    return load_course(REPO / "tests" / "fixtures" / "tiny_course")


def test_every_containment_submission_has_a_case():
    assert sorted(p.name for p in HERE.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_contained(grade, tiny, name):
    status, words = CASES[name]
    started = time.monotonic()
    result = grade("conv", HERE / name, course_=tiny)
    elapsed = time.monotonic() - started
    ran = [c for c in result.checks if c.status != "skipped"]
    assert len(ran) == 2 and result.score == 0
    for check in ran:
        assert check.status == status, check
        assert words in check.message, check.message
    # 2 checks x 3 s per check, plus start-up: a hang costs its own time, never more.
    assert elapsed < 20, elapsed
    assert result.to_dict()["checks"]  # the report exists and serialises


def test_flooded_output_is_bounded_in_the_report(grade, tiny):
    result = grade("conv", HERE / "print_flood.py", course_=tiny)
    assert "not shown" in result.output and len(result.output) <= 8000


def test_grader_survives_a_crash_then_grades_a_good_submission(grade, tiny):
    grade("conv", HERE / "segfault.py", course_=tiny)
    result = grade("conv", REPO / "solutions" / "ex03_conv.py", course_=tiny)
    assert result.full_marks
