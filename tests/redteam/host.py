"""A long-lived trusted grader for the red-team suite: `course check --json --out FILE` for
one submission after another, with one warm sandbox (a fresh `course check` per attack
would import torch twice per attack: minutes on two cores).

Copied into the world and run there: ``python WORLD/host.py COURSE REPLY_FD`` with the
grader copy on PYTHONPATH. Requests come on stdin, one JSON object a line:
``{"nonce", "exercise", "submission", "out"}``; answers go to REPLY_FD, one JSON object a
line: ``{"nonce", "report"}``, ``{"nonce", "usage"}`` (what `course check` exits 2 for) or
``{"nonce", "traceback"}`` (what it would crash with). The report is also written to
``out`` the way --out writes it: after grading, to a temporary file renamed into place.
"""
import json
import os
import sys
import traceback

from grader import api, report
from grader.manifest import ManifestError, load_course
from grader.sandbox.client import Sandbox


def grade(course, sandbox, request: dict) -> dict:
    answer = {"nonce": request["nonce"]}
    try:
        result = api.check_exercise(course=course, exercise_id=request["exercise"],
                                    submission=request["submission"], sandbox=sandbox)
        text = report.to_json(result)
    except (api.UsageError, ManifestError) as e:
        answer["usage"] = str(e)
        return answer
    except BaseException:  # noqa: BLE001 - what the CLI would show as a traceback
        answer["traceback"] = traceback.format_exc()[-4000:]
        return answer
    tmp = request["out"] + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, request["out"])
    answer["report"] = json.loads(text)
    return answer


def main() -> None:
    course = load_course(sys.argv[1])
    replies = os.fdopen(int(sys.argv[2]), "w")
    with Sandbox() as sandbox:
        while True:
            line = sys.stdin.readline()
            if not line:
                return
            replies.write(json.dumps(grade(course, sandbox, json.loads(line))) + "\n")
            replies.flush()


if __name__ == "__main__":
    main()
