"""Run every red-team attack (tests/redteam/attacks.py) and print the figures:

    python scripts/redteam_figures.py            # all attacks
    python scripts/redteam_figures.py -v         # and one line per attack
    python scripts/redteam_figures.py fork_bomb kill_grader   # some of them

Exit status 1 when a figure is bad: an attack not contained (forged score, file changed
outside scratch, leak, process left alive, network reached, over time, no valid report),
whatever the reason -- a layer this machine lacks included (it is named, not excused).
Evasions flagged by the report count as contained; the evidence-only ones are listed.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "redteam"))

from attacks import ATTACKS, BY_NAME, THREATS, Campaign  # noqa: E402


def figures(outcomes) -> dict:
    judged = [o for o in outcomes if o.attack.expect != "evidence"]
    return {
        "attacks tried": len(outcomes),
        "contained": sum(o.status == "contained" for o in judged),
        "forged scores": sum(o.forged for o in outcomes),
        "files changed outside scratch": sum(len(o.changed) for o in outcomes),
        "leaks": sum(len(o.leaks) for o in outcomes),
        "processes left alive": sum(len(o.survivors) for o in outcomes),
        "network connections reached": sum(len(o.network) for o in outcomes),
        "over their time bound": sum(o.elapsed > o.attack.seconds for o in outcomes),
        "without a valid report": sum(o.report is None and o.usage is None for o in outcomes),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="attacks to run (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per attack")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown attack(s): {', '.join(unknown)}")
    attacks = [BY_NAME[n] for n in args.names] if args.names else ATTACKS
    started = time.monotonic()
    campaign = Campaign()
    try:
        controls = campaign.calibrate()
        campaign.prefetch([a for a in attacks if a.tier == "cli"])
        done = {}
        for attack in sorted(attacks, key=lambda a: a.tier == "cli"):  # those graded meanwhile last
            outcome = done[attack.name] = campaign.run(attack)
            if args.verbose:
                print(f"{outcome.status:<28} {attack.name:<30} {outcome.elapsed:5.1f} s  score "
                      f"{outcome.score}", flush=True)
        side_effects = campaign.grader_side_effects()
    finally:
        campaign.close()
    outcomes = [done[a.name] for a in attacks]
    code = report(outcomes, controls, campaign.layers, time.monotonic() - started)
    if side_effects:
        print(f"note: grading the honest stub itself wrote into the course/grader folders "
              f"(not counted against attacks): {'; '.join(side_effects[:6])}"
              + (f" (+{len(side_effects) - 6})" if len(side_effects) > 6 else ""))
    return code


def report(outcomes, controls, layers, seconds) -> int:
    ref = controls["reference"]
    print(f"\nred team: {len(outcomes)} attacks in {seconds:.0f} s "
          f"(reference {ref['score']}/{ref['max_score']}, honest stub {controls['stub']['score']})")
    numbers = figures(outcomes)
    judged = sum(o.attack.expect != "evidence" for o in outcomes)
    for name, value in numbers.items():
        suffix = f" / {judged}" if name == "contained" else "" if name == "attacks tried" else " (must be 0)"
        print(f"  {name:<32} {value}{suffix}")
    by_threat = Counter(o.attack.threat for o in outcomes)
    print("  threats covered                  " + ", ".join(f"{t}:{by_threat[t]}" for t in THREATS))
    evasions = [o for o in outcomes if o.attack.threat == 8]
    print(f"  evasions flagged or worth 0      {sum(o.status == 'contained' for o in evasions if o.attack.expect != 'evidence')}"
          f" / {sum(o.attack.expect != 'evidence' for o in evasions)}")
    for o in outcomes:
        if o.attack.expect == "evidence":
            print(f"  evidence only: {o.attack.name}: {o.status} (score {o.score})")
    print("  sandbox layers (result.sandbox)  " + ", ".join(
        f"{k}={v}" for k, v in layers.items() if k != "workers"))
    bad = [o for o in outcomes if o.problems]
    for o in bad:
        print("\n" + o.explain())
    worse = [k for k, v in numbers.items() if k not in ("attacks tried", "contained") and v]
    failed = bool(bad) or bool(worse)
    print(f"\n{'BAD' if failed else 'OK'}: {len(bad)} attack(s) not contained" +
          (f"; bad figures: {', '.join(worse)}" if worse else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
