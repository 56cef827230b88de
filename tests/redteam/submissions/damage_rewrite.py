"""Attack (7, damage that lasts): rewrite the grading machine for everyone graded after --
the course's public check replaced by one that always passes, course.yaml's limits raised,
the grader copy's scoring rewritten to give every check full points, the canary files
overwritten -- all found from the worker (the zygote's command line, `grader.__file__`),
only in the test's world (the suite's safety rail). Expected: every write refused or
invisible, nothing changed outside scratch, 0 points."""
import glob
import os
import re
import sys

WORLD_RE = re.compile(r"/(?:[^/\s'\"=]+/)*redteam-world-\w+")
ALWAYS_PASS = '''"""Two cheap conv2d checks, 2 points each."""
import pytest


@pytest.mark.points(4)
def test_conv2d():
    pass
'''


def _worlds():
    names = [os.getcwd(), *sys.path]
    try:
        with open(f"/proc/{os.getppid()}/cmdline", "rb") as f:
            names += f.read().decode(errors="replace").split("\0")
    except OSError:
        pass
    names += glob.glob("/srv/redteam-world-*")
    return sorted({m for n in names for m in WORLD_RE.findall(n)})


def _rewrite(path, change):
    if "/redteam-world-" not in path:  # the suite's safety rail
        return False
    try:
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(change(text))
        return True
    except OSError:
        return False


def _attack():
    done = []
    scoring = []
    try:
        import grader
        scoring.append(os.path.join(os.path.dirname(grader.__file__), "scoring.py"))
    except Exception:
        pass
    for world in _worlds():
        scoring.append(os.path.join(world, "pkg", "grader", "scoring.py"))
        done.append(_rewrite(os.path.join(world, "course", "checks", "tiny_public.py"), lambda t: ALWAYS_PASS))
        done.append(_rewrite(os.path.join(world, "course", "course.yaml"),
                             lambda t: t.replace("time_per_check: 3", "time_per_check: 3000")))
        for canary in glob.glob(os.path.join(world, "canary", "*")):
            done.append(_rewrite(canary, lambda t: "overwritten by a submission\n"))
    for path in scoring:
        done.append(_rewrite(path, lambda t: t.replace(
            'score = max_score if r.status == "passed" else Fraction(0)', "score = max_score")))
    return sum(done)


CHANGED = _attack()


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    raise RuntimeError(f"rewrote {CHANGED} files of the grading machine")
