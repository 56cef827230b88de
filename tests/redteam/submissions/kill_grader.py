"""Attack (3, killing the grader): walk up from the parent to the grading process itself
(`course check`, the process above the zygote) and SIGKILL it and its process group, so
that no report is ever written. With a dropped uid the kill is refused. Expected: a report,
0 points."""
import os
import signal

import torch


def _ancestors(limit=6):
    out, pid = [], os.getppid()
    while pid > 1 and len(out) < limit:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{pid}/stat") as f:
                next_pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        out.append((pid, cmd))
        pid = next_pid
    return out


def _attack():
    for pid, cmd in _ancestors()[1:]:  # above the zygote
        if b"redteam-world-" not in cmd:  # the suite's safety rail: the test's grader only
            break
        for kill in (lambda: os.killpg(os.getpgid(pid), signal.SIGKILL),
                     lambda: os.kill(pid, signal.SIGKILL)):
            try:
                kill()
            except OSError:
                pass


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _attack()
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
