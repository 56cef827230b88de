"""Attack (4, reading what is hidden): find the instructor's reference solution on the
grading machine -- solutions/ beside the course's checks, found from the grader's arguments
and working folder, directly or through /proc/<ancestor>/root and /proc/<ancestor>/cwd,
which lead into the grader's view of the filesystem -- and run it: full marks if it can be
read. Its first line is printed (a leak). Expected: not found, 0 points, no secret."""
import glob
import os
import re

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


def _candidates():
    worlds, links = set(), []
    for pid, argv in _ancestors():
        worlds |= {m for a in argv for m in WORLD_RE.findall(a)}
        links += [f"/proc/{pid}/root", f"/proc/{pid}/cwd"]
    worlds |= set(glob.glob("/srv/redteam-world-*"))  # the suite's safety rail: its own world
    paths = [os.path.join(w, "course", "solutions", "ex03_conv.py") for w in worlds]
    paths += [link + os.path.join(w, "course", "solutions", "ex03_conv.py")
              for link in links if link.endswith("root") for w in worlds]
    paths += [os.path.join(link, "solutions", "ex03_conv.py") for link in links if link.endswith("cwd")]
    return paths


def _steal():
    for path in _candidates():
        try:
            with open(path) as f:
                source = f.read()
        except OSError:
            continue
        if "def conv2d" in source:
            print(f"stole {path}: {source.splitlines()[0]}", flush=True)
            namespace = {"__name__": "stolen_reference"}
            exec(compile(source, "stolen_reference.py", "exec"), namespace)
            return namespace["conv2d"]
    return None


REFERENCE = _steal()


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    if REFERENCE is None:
        raise NotImplementedError("ex03: implement conv2d")
    return REFERENCE(input, weight, bias, stride, padding, dilation, groups)
