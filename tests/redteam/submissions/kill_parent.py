"""Attack (3, killing the parent): SIGKILL the parent process (the zygote that forked this
worker) and its whole process group, then return zeros -- a grader that depends on its
zygote must notice, start another and finish the report. With a dropped uid the kill is
refused. Expected: a report, 0 points, no leftover process."""
import os
import signal

import torch


def _parent_is_ours(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"redteam-world-" in f.read()  # the suite's safety rail: the test's grader only
    except OSError:
        return False


def _attack():
    parent = os.getppid()
    if not _parent_is_ours(parent):
        return
    for kill in (lambda: os.kill(parent, signal.SIGKILL),
                 lambda: os.killpg(os.getpgid(parent), signal.SIGKILL)):
        try:
            kill()
        except OSError:
            pass


_attack()


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _attack()
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
