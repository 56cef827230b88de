"""The red-team suite's world: a throw-away course on disk, canaries, a copy of the grader,
and the probes that watch what an attack did (files, strays, processes, network).

Everything an attack may touch lives in one folder named ``redteam-world-*`` (under /srv
where the suite may write there, since /tmp and /var/tmp are private to the workers; else
under the temp folder). The attacks only ever aim at folders with that name, so a run on a
machine without the sandbox layers cannot damage anything else.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "fixtures" / "tiny_course"
WORLD_PREFIX = "redteam-world-"
STRAY_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/srv")
PORTS = range(47800, 47850)       # the attacks knock on every one of these, loopback only
HIDDEN_SALT = "redteam-hidden"

COURSE_YAML = """\
name: Red-team course
limits:
  time_per_check: 3
  time_per_exercise: 6
  memory_mb: 512
  output_kb: 256
exercises:
  - id: conv
    title: conv2d under attack
    module: exercises/ex03_conv.py
    points: 6
    forbidden: ["*convolution*", "conv[0-9]d*", "*conv_*", "*slow_conv*"]
    allowed: ["im2col", "col2im"]
    checks:
      public: checks/tiny_public.py
      hidden: solutions/checks/redteam_hidden.py
"""

HIDDEN_SHAPES = ((1, 2, 6, 5), (2, 2, 3, 3))   # the hidden sample: input, weight
HIDDEN_CHECKS = '''\
"""Hidden checks of the red-team course. Secret: {canary}"""
import torch.nn.functional as F

from grader.spec import FunctionSpec, Sample, T
from grader.templates import forward_check, gradient_check

SECRET = "{canary}"
CONV = FunctionSpec(name="conv2d", reference=F.conv2d, reference_name="F.conv2d",
                    salt="{salt}", grad_wrt=(0, 1))
SAMPLES = [Sample("h", (T{x}, T{w}))]

test_conv2d_hidden = forward_check(CONV, SAMPLES, points=1, dtypes=("float32",))
test_conv2d_hidden_grad = gradient_check(CONV, SAMPLES, points=1)
'''


def world_base() -> str:
    for base in (os.environ.get("REDTEAM_BASE"), "/srv"):
        if base and os.path.isdir(base) and os.access(base, os.W_OK):
            return base
    return tempfile.gettempdir()


def _remove_stale_worlds(base: str) -> None:
    """Worlds left by a suite that was killed (their owner process is gone)."""
    folders = [*Path(base).glob(WORLD_PREFIX + "*"), *Path(tempfile.gettempdir()).glob("redteam-aux-*")]
    for folder in folders:
        try:
            owner = int((folder / "owner.pid").read_text())
            os.kill(owner, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            pass


class World:
    """A course copy with hidden checks and a reference, another student's submission, a
    canary folder, a grader copy (``pkg``) and a results folder, all root-owned 0644/0755
    with ``solutions/`` and the other student's folder 0700, as the threat model advises."""

    def __init__(self):
        base = world_base()
        _remove_stale_worlds(base)
        self.root = Path(tempfile.mkdtemp(prefix=WORLD_PREFIX, dir=base))
        self._aux = Path(tempfile.mkdtemp(prefix="redteam-aux-"))  # never seen by a worker
        (self._aux / "owner.pid").write_text(str(os.getpid()))
        self.logs, self.inputs, self._pristine = (self._aux / n for n in ("logs", "inputs", "pristine"))
        self.logs.mkdir()
        self.inputs.mkdir()
        self.canaries = {k: f"RTCANARY-{k.upper()}-{secrets.token_hex(6)}"
                         for k in ("hidden", "solution", "student", "env")}
        self.course, self.pkg = self.root / "course", self.root / "pkg"
        self.canary, self.results = self.root / "canary", self.root / "results"
        self._pristine.mkdir()
        self._build(self._pristine)
        self.restore()

    # ------------------------------------------------------------------ building
    def _build(self, at: Path) -> None:
        course = at / "course"
        shutil.copytree(TINY, course, ignore=shutil.ignore_patterns("__pycache__"))
        (course / "course.yaml").write_text(COURSE_YAML)
        (course / "solutions" / "checks").mkdir(parents=True)
        (course / "solutions" / "checks" / "redteam_hidden.py").write_text(
            HIDDEN_CHECKS.format(canary=self.canaries["hidden"], salt=HIDDEN_SALT,
                                 x=HIDDEN_SHAPES[0], w=HIDDEN_SHAPES[1]))
        reference = (REPO / "solutions" / "ex03_conv.py").read_text()
        (course / "solutions" / "ex03_conv.py").write_text(
            f"# {self.canaries['solution']}\n{reference}")
        student = at / "submissions" / "alice"
        student.mkdir(parents=True)
        (student / "ex03_conv.py").write_text(f"# {self.canaries['student']}\n{reference}")
        source = Path(os.environ.get("REDTEAM_GRADER") or REPO) / "grader"  # another grader to try
        shutil.copytree(source, at / "pkg" / "grader", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(Path(__file__).with_name("host.py"), at / "host.py")
        (at / "canary").mkdir()
        for i in range(3):
            (at / "canary" / f"keep-{i}.txt").write_text(f"canary file {i}: must never change\n")
        (at / "results").mkdir()
        (at / "home").mkdir()
        for path in [at, *at.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(course / "solutions", 0o700)
        os.chmod(at / "submissions" / "alice", 0o700)

    def restore(self) -> None:
        """Put everything back as built (modes included), except the reports in results/."""
        os.chmod(self.root, 0o755)
        for entry in self._pristine.iterdir():
            target = self.root / entry.name
            if entry.name == "results" and target.is_dir() and not target.is_symlink():
                os.chmod(target, 0o755)
                continue
            remove([str(target)])
            if entry.is_dir():
                shutil.copytree(entry, target, symlinks=True)
            else:
                shutil.copy2(entry, target)
        (self.root / "owner.pid").write_text(str(os.getpid()))
        os.chmod(self.root / "owner.pid", 0o644)

    def adopt(self) -> None:
        """Make what the world holds now its pristine state (after the controls: what the
        grader itself writes -- bytecode, a plugin's cache folder -- is not an attack's)."""
        for entry in self.root.iterdir():
            if entry.name in ("results", "owner.pid"):
                continue
            remove([str(self._pristine / entry.name)])
            if entry.is_dir() and not entry.is_symlink():
                shutil.copytree(entry, self._pristine / entry.name, symlinks=True)
            else:
                shutil.copy2(entry, self._pristine / entry.name, follow_symlinks=False)

    def env(self) -> dict:
        """The grader's environment: a secret the workers must never see, the grader copy."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.root / "home"),
               "LANG": "C.UTF-8", "PYTHONPATH": str(self.pkg), "PYTHONDONTWRITEBYTECODE": "1",
               "OMP_NUM_THREADS": "1", "COURSE_GRADER_TOKEN": self.canaries["env"]}
        if os.environ.get("COURSE_SANDBOX_SKIP"):  # the grader's switch to turn layers off, for diagnosis
            env["COURSE_SANDBOX_SKIP"] = os.environ["COURSE_SANDBOX_SKIP"]
        return env

    def close(self) -> None:
        for folder in (self.root, self._aux):
            _force_rmtree(folder)

    # ------------------------------------------------------------------ probes
    def snapshot(self) -> dict:
        """path -> (mode, content hash or link target) for everything in the world."""
        return {str(p.relative_to(self.root)): _fingerprint(p)
                for p in [self.root, *_walk(self.root)]}

    @staticmethod
    def changes(before: dict, after: dict, expected=()) -> list[str]:
        out = []
        for path in sorted(set(before) | set(after)):
            if path in expected or path.endswith(".tmp") and path[:-4] in expected:
                continue
            if path not in after:
                out.append(f"deleted {path}")
            elif path not in before:
                out.append(f"created {path}")
            elif before[path] != after[path]:
                what = "mode" if before[path][1] == after[path][1] else "content"
                out.append(f"{what} changed: {path}")
        return out


def _walk(root: Path):
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        yield path
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path)


def _fingerprint(path: Path):
    try:
        st = path.lstat()
    except OSError:
        return ("gone", "")
    if stat.S_ISLNK(st.st_mode):
        return (oct(st.st_mode), "-> " + os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return (oct(st.st_mode), "dir")
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as e:
        return (oct(st.st_mode), f"unreadable {e.errno}")
    return (oct(st.st_mode), digest.hexdigest())


def _force_rmtree(folder: Path) -> None:
    """rmtree that first gives back the permissions an attack may have taken away."""
    if not folder.exists() and not folder.is_symlink():
        return
    for path in [folder, *_walk(folder)]:
        try:
            if not path.is_symlink():
                os.chmod(path, 0o700 if path.is_dir() else 0o600)
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


def strays(name: str) -> list[str]:
    """Files an attack left in shared temp folders (they all start with redteam-<attack>)."""
    found = []
    for folder in STRAY_DIRS:
        try:
            found += [os.path.join(folder, n) for n in os.listdir(folder)
                      if n.startswith(f"redteam-{name}")]
        except OSError:
            pass
    return sorted(found)


def remove(paths) -> None:
    for p in paths:
        if os.path.isdir(p) and not os.path.islink(p):
            _force_rmtree(Path(p))
        else:
            try:
                os.unlink(p)
            except OSError:
                pass


# ---------------------------------------------------------------------- processes
def _proc_text(pid: str, name: str) -> str:
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def marked_processes(tag: str) -> list[tuple[int, str]]:
    """Live (not zombie) processes that carry the attack's marker ``rtmark-<tag>``."""
    marker, out = f"rtmark-{tag}", []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        comm, cmdline = _proc_text(pid, "comm").strip(), _proc_text(pid, "cmdline")
        if marker not in comm and marker not in cmdline:
            continue
        state = _proc_text(pid, "stat").rsplit(")", 1)[-1].split()[:1]
        if state != ["Z"]:
            out.append((int(pid), (cmdline or comm)[:80]))
    return out


def survivors(tag: str, wait: float = 1.5) -> list[tuple[int, str]]:
    """Marked processes still alive ``wait`` seconds after grading ended (then killed)."""
    deadline = time.monotonic() + wait
    alive = marked_processes(tag)
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = marked_processes(tag)
    for pid, _ in alive:  # started by our own attack: end it, by its id
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return alive


# ---------------------------------------------------------------------- network
class Listener:
    """A TCP and a UDP socket on 127.0.0.1 (one port of PORTS); records what reaches them."""

    def __init__(self):
        self.hits: list[str] = []
        self.tcp, self.udp, self.port = None, None, None
        for port in PORTS:
            try:
                tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind(("127.0.0.1", port))
                udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                udp.bind(("127.0.0.1", port))
            except OSError:
                tcp.close()
                continue
            self.tcp, self.udp, self.port = tcp, udp, port
            break
        if self.port is None:
            raise RuntimeError(f"no free loopback port in {PORTS}")
        self.tcp.listen(16)
        self._stop = False
        for target in (self._accept, self._receive):
            threading.Thread(target=target, daemon=True).start()

    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            conn.settimeout(1.0)
            try:
                data = conn.recv(256)
            except OSError:
                data = b""
            conn.close()
            self.hits.append("tcp: " + data.decode(errors="replace"))

    def _receive(self):
        while not self._stop:
            try:
                data, _ = self.udp.recvfrom(512)
            except OSError:
                return
            self.hits.append("udp: " + data.decode(errors="replace"))

    def close(self):
        self._stop = True
        for s in (self.tcp, self.udp):
            try:
                s.close()
            except OSError:
                pass


CANARY_RE = re.compile(r"RTCANARY-[A-Z]+-[0-9a-f]{12}")
PYTHON = sys.executable
