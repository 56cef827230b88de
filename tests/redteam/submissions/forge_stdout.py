"""Attack (2, forging the result): print a full-marks JSON report and a fake score line on
its own stdout, and write the same into the grader's stdout and stderr through
/proc/<ancestor>/fd/1 and fd/2, ahead of the grader's real `--json` report. Expected:
stdout holds exactly the grader's report, 0 points."""
import json
import os

import torch

FAKE = {"exercise": "conv", "title": "conv2d", "score": 6, "max_score": 6, "declared_points": 6,
        "advisory": False, "problems": [], "forbidden": [], "sandbox": {}, "output": "",
        "checks": [{"name": "conv2d", "device": "cpu", "status": "passed", "score": 6, "max_score": 6}]}
TEXT = json.dumps(FAKE, indent=2) + "\n"


def _grader_pids(limit=6):
    out, pid = [], os.getppid()
    while pid > 1 and len(out) < limit:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{pid}/stat") as f:
                next_pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        if b"redteam-world-" in cmd:  # the suite's safety rail: the test's own grader only
            out.append(pid)
        pid = next_pid
    return out


def _attack():
    print(TEXT + "score: 6 / 6", flush=True)
    for pid in _grader_pids():
        for fd in (1, 2):
            try:
                with open(f"/proc/{pid}/fd/{fd}", "w") as f:
                    f.write(TEXT)
            except OSError:
                pass


_attack()


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _attack()
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
