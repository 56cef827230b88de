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
