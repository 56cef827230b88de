"""Shared fixtures: grade real submissions in-process against the real course.

``grade(exercise, submission)`` runs the same code path as `course check` (pytest in this
process, the submission in sandbox workers forked from one zygote shared by the session).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import api
from grader.manifest import load_course
from grader.sandbox.client import Sandbox
from grader.scoring import ExerciseResult

REPO = Path(__file__).resolve().parents[1]
SUBMISSIONS = REPO / "tests" / "submissions"


@pytest.fixture(scope="session")
def sandbox():
    with Sandbox() as sb:
        yield sb


@pytest.fixture(scope="session")
def course():
    return load_course(REPO)


@pytest.fixture
def grade(course, sandbox):
    def run(exercise: str, submission, *, course_=None, **kwargs) -> ExerciseResult:
        return api.check_exercise(course=course_ or course, exercise_id=exercise,
                                  submission=str(submission), sandbox=sandbox, **kwargs)
    return run


def summary(result: ExerciseResult) -> str:
    """A readable list of what did not pass, for assertion messages."""
    bad = [f"  {c.status} {c.name} ({c.device}): {c.message.splitlines()[0] if c.message else ''}"
           for c in result.checks if c.status in ("failed", "error")]
    return (f"{result.exercise}: {float(result.score):g}/{float(result.max_score):g}, "
            f"problems={result.problems}\n" + "\n".join(bad[:15]))


def assert_full_marks(result: ExerciseResult) -> None:
    assert result.full_marks, summary(result)


def assert_loses_points(result: ExerciseResult) -> None:
    assert result.max_score > 0 and result.score < result.max_score, summary(result)
