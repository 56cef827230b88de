"""Attack (2, forging the result): read the grader's `--out FILE` from its command line
(/proc/<ancestor>/cmdline), write a full-marks report there, and leave a setsid'd daemon
that keeps rewriting it for a few seconds so that it wins the race against the grader's
own (atomic) write. Expected: the file holds the grader's report, 0 points, no daemon."""
import ctypes
import json
import os
import time

import torch

FAKE = {"exercise": "conv", "title": "conv2d", "score": 6, "max_score": 6, "declared_points": 6,
        "advisory": False, "problems": [], "forbidden": [], "sandbox": {}, "output": "",
        "checks": [{"name": "conv2d", "device": "cpu", "status": "passed", "score": 6, "max_score": 6}]}


def _ancestors(limit=6):
    out, pid = [], os.getppid()
    while pid > 1 and len(out) < limit:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
            with open(f"/proc/{pid}/stat") as f:
                next_pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        out.append((pid, argv))
        pid = next_pid
    return out


def _out_paths():
    found = []
    for _, argv in _ancestors():
        for i, arg in enumerate(argv):
            if arg == "--out" and i + 1 < len(argv):
                found.append(argv[i + 1])
            elif arg.startswith("--out="):
                found.append(arg[6:])
    return [p for p in found if "redteam-world-" in p]  # the suite's safety rail


def _write(path):
    try:
        with open(path, "w") as f:
            json.dump(FAKE, f)
        return True
    except OSError:
        return False


def _daemon(paths, seconds=4.0):
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    try:
        ctypes.CDLL(None).prctl(15, b"rtmark-forgeout", 0, 0, 0)
        end = time.monotonic() + seconds
        while time.monotonic() < end and any([_write(p) for p in paths]):
            time.sleep(0.02)
    finally:
        os._exit(0)


PATHS = _out_paths()
if PATHS:
    for _p in PATHS:
        _write(_p)
    _daemon(PATHS)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
