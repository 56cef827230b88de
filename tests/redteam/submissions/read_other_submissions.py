"""Attack (4, reading what is hidden): copy another student's submission -- the world's
submissions/*/ folders, other workers' scratch folders beside this one (the zygote's working
folder), and the same through /proc/<ancestor>/root -- and run it: full marks if one can be
read. The stolen file's first line is printed. Expected: nothing readable, 0 points."""
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
    worlds, paths = set(glob.glob("/srv/redteam-world-*")), []
    here = os.path.realpath(os.getcwd())
    for pid, argv in _ancestors():
        worlds |= {m for a in argv for m in WORLD_RE.findall(a)}
        paths += glob.glob(f"/proc/{pid}/cwd/w-*/ex03_conv.py")  # the zygote's scratch folders
        paths += [f"/proc/{pid}/root{w}/submissions/{s}/ex03_conv.py"
                  for w in worlds for s in ("alice", "bob")]
    paths += glob.glob(os.path.join(os.path.dirname(here), "*", "ex03_conv.py"))
    for w in worlds:  # the suite's safety rail: only the test's own world
        paths += glob.glob(os.path.join(w, "submissions", "*", "ex03_conv.py"))
    return [p for p in paths if os.path.dirname(os.path.realpath(p)) != here]


def _steal():
    for path in _candidates():
        try:
            with open(path) as f:
                source = f.read()
        except OSError:
            continue
        if "def conv2d" in source and "_steal" not in source:
            print(f"copied {path}: {source.splitlines()[0]}", flush=True)
            namespace = {"__name__": "copied"}
            exec(compile(source, "copied.py", "exec"), namespace)
            return namespace["conv2d"]
    return None


COPIED = _steal()


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    if COPIED is None:
        raise NotImplementedError("ex03: implement conv2d")
    return COPIED(input, weight, bias, stride, padding, dilation, groups)
