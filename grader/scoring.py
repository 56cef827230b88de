"""Pure scoring: check outcomes and points in, a results object out.

A check's points are shared equally between the devices it ran on, so a check is worth
the same on a laptop (CPU only, the CUDA run skipped) as on a GPU machine (CPU + CUDA).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from fractions import Fraction

from .plugin import CheckOutcome


@dataclass
class ScoredCheck:
    name: str
    device: str
    status: str
    score: Fraction
    max_score: Fraction
    message: str = ""
    hint: str | None = None
    hidden: bool = False
    duration: float = 0.0

    def to_dict(self) -> dict:
        d = {"name": self.name, "device": self.device, "status": self.status,
             "score": as_number(self.score), "max_score": as_number(self.max_score),
             "message": self.message, "hidden": self.hidden, "duration": round(self.duration, 3)}
        if self.hint:
            d["hint"] = self.hint
        return d


@dataclass
class ExerciseResult:
    """Always exists, even when the run crashed: then ``problems`` says why."""

    exercise: str
    title: str
    checks: list[ScoredCheck] = field(default_factory=list)
    declared_points: float = 0.0
    hidden_present: bool = False
    problems: list[str] = field(default_factory=list)
    forbidden: list[dict] = field(default_factory=list)
    integrity: list[dict] = field(default_factory=list)
    output: str = ""
    advisory: bool = True
    sandbox: dict = field(default_factory=dict)
    duration: float = 0.0

    @property
    def score(self) -> Fraction:
        return sum((c.score for c in self.checks), Fraction(0))

    @property
    def max_score(self) -> Fraction:
        return sum((c.max_score for c in self.checks), Fraction(0))

    @property
    def flagged(self) -> bool:
        """Evidence of a forbidden built-in or of an attempt to hide one: review by hand."""
        return bool(self.forbidden or self.integrity)

    @property
    def full_marks(self) -> bool:
        return not self.problems and self.max_score > 0 and self.score == self.max_score

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise, "title": self.title,
            "score": as_number(self.score), "max_score": as_number(self.max_score),
            "declared_points": self.declared_points, "hidden_checks": self.hidden_present,
            "advisory": self.advisory, "problems": self.problems, "flagged": self.flagged,
            "forbidden": self.forbidden, "integrity": self.integrity, "sandbox": self.sandbox,
            "duration": round(self.duration, 3), "output": self.output,
            "checks": [c.to_dict() for c in self.checks],
        }


def as_number(x: Fraction) -> float | int:
    return int(x) if x.denominator == 1 else round(float(x), 4)


def score_outcomes(outcomes: list[CheckOutcome]) -> list[ScoredCheck]:
    groups: OrderedDict[str, list[CheckOutcome]] = OrderedDict()
    for o in outcomes:
        groups.setdefault(o.name, []).append(o)
    scored = []
    for rows in groups.values():
        ran = [r for r in rows if r.status != "skipped"]
        share = rows[0].points / len(ran) if ran else Fraction(0)
        for r in rows:
            max_score = share if r.status != "skipped" else Fraction(0)
            score = max_score if r.status == "passed" else Fraction(0)
            scored.append(ScoredCheck(r.name, r.device, r.status, score, max_score, r.message,
                                      r.hint, r.hidden, r.duration))
    return scored


def declared_total(outcomes: list[CheckOutcome]) -> Fraction:
    """The points the checks declare, counted once per check whatever the devices."""
    seen = {}
    for o in outcomes:
        seen.setdefault(o.name, o.points)
    return sum(seen.values(), Fraction(0))


def forbidden_summary(outcomes: list[CheckOutcome]) -> list[dict]:
    seen = {}
    for o in outcomes:
        for hit in o.forbidden:
            key = (hit.get("op"), hit.get("line"))
            seen.setdefault(key, {"op": hit.get("op"), "line": hit.get("line"), "checks": 0})
            seen[key]["checks"] += 1
    return list(seen.values())
