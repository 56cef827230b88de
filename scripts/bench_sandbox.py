"""Measure the cost of the sandbox's isolation layers: grade the same submission with and
without them, alternating, and print the ratio of the medians.

    python scripts/bench_sandbox.py [--exercise ex03] [--submission solutions/ex03_conv.py] [--rounds 3]

Each run includes the zygote start (import torch) and every check, as `course check` does.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from grader import api
from grader.manifest import load_course
from grader.sandbox.client import Sandbox

REPO = Path(__file__).resolve().parents[1]


def grade_once(course, exercise, submission, isolate: bool) -> tuple[float, dict, float]:
    started = time.perf_counter()
    with Sandbox(isolate=isolate) as sandbox:
        result = api.check_exercise(course=course, exercise_id=exercise, submission=submission,
                                    sandbox=sandbox)
    return time.perf_counter() - started, result.sandbox, float(result.score)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="ex03")
    parser.add_argument("--submission", default=str(REPO / "solutions" / "ex03_conv.py"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    course = load_course(REPO)
    times = {True: [], False: []}
    for _ in range(args.rounds):
        for isolate in (False, True):
            seconds, layers, score = grade_once(course, args.exercise, args.submission, isolate)
            times[isolate].append(seconds)
            print(f"isolate={isolate!s:5} {seconds:6.2f} s  score {score:g}  layers {layers}")
    plain, isolated = statistics.median(times[False]), statistics.median(times[True])
    print(f"median without layers {plain:.2f} s, with layers {isolated:.2f} s, "
          f"ratio {isolated / plain:.3f}")


if __name__ == "__main__":
    main()
