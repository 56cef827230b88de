"""Scoring is pure: points are shared between the devices a check ran on."""
from fractions import Fraction

from grader.plugin import CheckOutcome
from grader.scoring import declared_total, score_outcomes


def outcome(name, device, status, points=2):
    return CheckOutcome(name=name, device=device, status=status, points=Fraction(points))


def test_cpu_only_machine_gives_the_whole_check_to_cpu():
    scored = score_outcomes([outcome("a", "cpu", "passed"), outcome("a", "cuda", "skipped")])
    assert [(s.score, s.max_score) for s in scored] == [(2, 2), (0, 0)]


def test_two_devices_share_the_points():
    scored = score_outcomes([outcome("a", "cpu", "passed"), outcome("a", "cuda", "failed")])
    assert [(s.score, s.max_score) for s in scored] == [(1, 1), (0, 1)]


def test_errors_and_failures_score_zero_and_totals_are_exact():
    outs = [outcome(f"c{i}", "cpu", s, Fraction(10, 3)) for i, s in enumerate(["passed", "error", "failed"])]
    scored = score_outcomes(outs)
    assert sum(s.score for s in scored) == Fraction(10, 3)
    assert sum(s.max_score for s in scored) == 10 == declared_total(outs)


def test_all_skipped_is_worth_nothing():
    scored = score_outcomes([outcome("a", "cpu", "skipped"), outcome("a", "cuda", "skipped")])
    assert sum(s.max_score for s in scored) == 0
