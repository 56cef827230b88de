"""Verdicts: what an attack's grading is held to, and the outcome that records it.

An outcome lists its problems precisely (the forged score, the file changed, the process
left alive...); ``judge`` fills them in and, where a problem's defence needs a layer that
``result.sandbox`` says is absent, says so in ``skip`` instead of passing it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

THREATS = {1: "tampering with the checker", 2: "forging the result", 3: "early exit",
           4: "reading what is hidden", 5: "resource abuse", 6: "network", 7: "damage",
           8: "forbidden built-ins by evasion", 9: "hostile input to the grader"}
REPORT_KEYS = ("exercise", "score", "max_score", "checks", "sandbox", "problems", "forbidden")


# ---------------------------------------------------------------------- extra expectations
def mentions(word: str):
    def check(report):
        if not any(word in c.get("message", "") for c in report["checks"]):
            return [f"no check message mentions {word!r}"]
        return []
    return check


def count_below(label: str, bound: int):
    """The attack reports ``<label> N``; N must stay below its own bound (a limit stopped it)."""
    def check(report):
        found = [int(m) for c in report["checks"]
                 for m in re.findall(re.escape(label) + r" (\d+)", c.get("message", ""))]
        return [f"{label} {n}: nothing stopped it before its own bound {bound}"
                for n in found if n >= bound][:1]
    return check


def output_bounded(report):
    return [] if len(report.get("output", "")) <= 8000 else \
        [f"the report keeps {len(report['output'])} characters of output"]


# ---------------------------------------------------------------------- outcomes
@dataclass
class Outcome:
    attack: object                     # attacks.Attack
    report: dict | None = None
    usage: str | None = None          # a clean usage error (`course check` exit status 2)
    crash: str | None = None          # a traceback, a dead or hung grader
    exit_code: int | None = None
    stdout: str = ""
    elapsed: float = 0.0
    notes: list = field(default_factory=list)      # forged report files, odd stdout
    info: list = field(default_factory=list)       # what the reader should know, not a failure
    leaks: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    survivors: list = field(default_factory=list)
    network: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    skip: str | None = None            # a layer its defence needs is absent (from result.sandbox)

    @property
    def score(self):
        return self.report.get("score") if isinstance(self.report, dict) else None

    @property
    def status(self) -> str:
        if self.attack.expect == "evidence":
            return "evidence: " + ("detected" if self.score == 0 or flagged(self.report) else "undetected") \
                + ("" if not self.problems else " (and failed)")
        if not self.problems:
            return "contained"
        return "uncontained (layer absent)" if self.skip else "FAILED"

    @property
    def forged(self) -> bool:
        return any(p.startswith(("forged", "`course check` exited 0")) for p in self.problems)

    def explain(self) -> str:
        head = f"{self.attack.name} [{THREATS[self.attack.threat]}]: {self.status}"
        if self.skip:
            head += f" -- {self.skip}"
        return "\n  ".join([head, *self.problems, *(f"(note) {i}" for i in self.info)])


def flagged(report) -> bool:
    """The report names a forbidden op (``forbidden``) or an attempt to hide one
    (``integrity``, or a problem saying so): evidence for the instructor's review."""
    if not isinstance(report, dict):
        return False
    if report.get("forbidden") or report.get("integrity"):
        return True
    return bool(re.search(r"integrity|evasion", json.dumps(report.get("problems", [])), re.I))


def report_problems(report) -> list[str]:
    if not isinstance(report, dict):
        return ["the report is not a JSON object"]
    missing = [k for k in REPORT_KEYS if k not in report]
    try:
        json.dumps(report)
    except (TypeError, ValueError) as e:
        return [f"the report does not serialise: {e}"]
    return [f"the report lacks {', '.join(missing)}"] if missing else []


def judge(o: Outcome, baseline, layers: dict) -> None:
    a, rep, p = o.attack, o.report, []
    if o.crash:
        p.append(o.crash)
    if rep is None and not (a.expect == "usage" and o.usage is not None and not o.crash):
        if not o.crash:
            p.append("no report")
    if rep is not None:
        p += report_problems(rep)
        score, top = rep.get("score"), rep.get("max_score")
        if isinstance(score, (int, float)) and score > baseline:
            if a.expect in ("contained", "usage"):
                p.append(f"forged score {score}/{top} (the honest stub gets {baseline})")
            elif a.expect == "flagged":
                p.append(f"evasion earned {score}/{top} (the honest stub gets {baseline})")
        if a.expect == "flagged" and not flagged(rep):
            p.append("evasion not flagged: the report has no forbidden op and no integrity flag")
    if o.exit_code == 0:
        p.append("`course check` exited 0 (full marks)")
    p += o.notes
    p += [f"leak: {x}" for x in o.leaks]
    p += _few("outside scratch", o.changed)
    p += _few("left alive", [f"pid {pid} {what}" for pid, what in o.survivors])
    p += [f"network: {h[:120]}" for h in o.network]
    if o.elapsed > a.seconds:
        p.append(f"took {o.elapsed:.1f} s, over its bound of {a.seconds:g} s")
    if isinstance(rep, dict) and a.extra and not report_problems(rep):
        p += a.extra(rep)
    o.problems = p
    have = (rep.get("sandbox") if isinstance(rep, dict) and isinstance(rep.get("sandbox"), dict) else None) or layers
    missing = {k: v for k, v in a.needs.items() if have.get(k) != v}
    if p and missing:
        o.skip = "its defence needs " + ", ".join(f"{k}={v}" for k, v in missing.items()) + \
            "; result.sandbox has " + ", ".join(f"{k}={have.get(k, 'nothing')}" for k in missing)


def _few(label: str, items: list, shown: int = 8) -> list[str]:
    lines = [f"{label}: {x}" for x in items[:shown]]
    return lines + ([f"{label}: ... and {len(items) - shown} more"] if len(items) > shown else [])
