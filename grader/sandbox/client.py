"""Trusted side: start the zygote, spawn workers, send requests, contain failures.

Everything a worker sends is decoded by ``wire`` (no unpickling). A worker that is late,
dies, or grows past its memory limit is killed with its whole process group, and the
failure becomes a ``WorkerFailure`` with a message a student can act on.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from .limits import WorkerLimits
from .output import BoundedOutput

GRADER_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZYGOTE_START_TIMEOUT = 120.0
SIGNAL_HINTS = {
    signal.SIGSEGV: "segmentation fault",
    signal.SIGKILL: "killed",
    signal.SIGXCPU: "CPU time limit exceeded",
    signal.SIGXFSZ: "file size limit exceeded",
    signal.SIGABRT: "aborted",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating-point exception",
}


class WorkerFailure(Exception):
    """The worker did not answer: it timed out, crashed, exited or ran out of memory."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def clean_env(scratch: str) -> dict:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": scratch,
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
    }


class Sandbox:
    """Owns the zygote and the scratch folders of one grading run. Use as a context manager."""

    def __init__(self, *, scratch_root: str | None = None, drop_uid: bool = True,
                 isolate: bool = True):
        self.isolate = isolate
        self._own_root = scratch_root is None
        self.root = tempfile.mkdtemp(prefix="course-sandbox-") if scratch_root is None else scratch_root
        os.chmod(self.root, 0o711)  # workers of other uids reach their own folder, list none
        # COURSE_SANDBOX_SKIP=landlock,mount,uid turns layers off one by one, for diagnosis.
        self.skip = [s for s in os.environ.get("COURSE_SANDBOX_SKIP", "").split(",") if s]
        self.drop_uid = drop_uid and isolate and os.getuid() == 0 and "uid" not in self.skip
        self._uid_base = 200_000 + (os.getpid() % 5000) * 200
        self._spawned = 0
        self.layers: dict = {}
        self._proc: subprocess.Popen | None = None
        self._ctrl: socket.socket | None = None
        self._lock = threading.Lock()
        self.workers: list[Worker] = []

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self) -> None:
        """Start the zygote (it imports torch in the background while the grader carries on)."""
        if self._proc is not None and self._proc.poll() is None:
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = ("import sys; sys.path.insert(0, sys.argv[2]); "
                "from grader.sandbox.zygote import main; main()")
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-c", code, str(theirs.fileno()), GRADER_PARENT,
             "isolate" if self.isolate and "network" not in self.skip else "plain"],
            pass_fds=[theirs.fileno()], env=clean_env(self.root), cwd=self.root,
            stdin=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self._ctrl, self._ready = ours, False

    def _ask(self, request: dict, fds=()) -> dict:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self.start()
            ctrl = self._ctrl
            if not self._ready:
                ctrl.settimeout(ZYGOTE_START_TIMEOUT)
                hello = self._expect(ctrl.recv(1 << 16))
                self.layers = hello.get("layers", {}) if isinstance(hello, dict) else {}
                self._ready = True
            ctrl.settimeout(30)
            socket.send_fds(ctrl, [json.dumps(request).encode()], list(fds))
            return self._expect(ctrl.recv(1 << 16))

    def _expect(self, packet: bytes) -> dict:
        if not packet:
            self._proc = None
            raise WorkerFailure("crash", "the sandbox's zygote process ended unexpectedly")
        return json.loads(packet)

    def spawn(self, *, submission: str, module_name: str, device: str,
              limits: WorkerLimits, threads: int = 1, hide=()) -> Worker:
        scratch = tempfile.mkdtemp(prefix="w-", dir=self.root)
        chan_ours, chan_theirs = socket.socketpair()
        out_read, out_write = os.pipe()
        self._spawned += 1
        uid = self._uid_base + self._spawned % 200 if self.drop_uid else None
        submission = os.path.realpath(submission)
        spec = {"submission": submission, "module_name": module_name,
                "scratch": scratch, "device": device, "limits": limits.to_json(),
                "env": clean_env(scratch), "threads": threads, "uid": uid, "isolate": self.isolate,
                "skip": self.skip,
                "hide": hidden_folders(self.root, submission, hide), "keep": kept_folders()}
        try:
            for attempt in range(2):
                try:
                    pid = self._ask({"op": "spawn", "spec": spec}, [chan_theirs.fileno(), out_write])["pid"]
                    break
                except (OSError, WorkerFailure):
                    if attempt:
                        raise
                    self._kill_zygote()
        finally:
            chan_theirs.close()
            os.close(out_write)
        worker = Worker(self, pid, chan_ours, BoundedOutput(out_read), scratch, limits, uid=uid)
        self.workers.append(worker)
        worker.greet(timeout=60)
        return worker

    def kill_uid(self, uid: int) -> None:
        try:
            self._ask({"op": "killuid", "uid": uid})
        except (OSError, WorkerFailure, ValueError):
            pass

    def reap(self, pid: int) -> dict:
        try:
            return self._ask({"op": "wait", "pid": pid})
        except (OSError, WorkerFailure, ValueError):
            return {"pid": pid, "code": None, "signal": None}

    def _kill_zygote(self):
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._proc.wait()
            self._proc = None

    def close(self) -> None:
        for w in self.workers:
            w.kill()
        self.workers.clear()
        if self._ctrl is not None:
            self._ctrl.close()
        self._kill_zygote()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Worker:
    sandbox: Sandbox
    pid: int
    chan: socket.socket
    output: BoundedOutput
    scratch: str
    limits: WorkerLimits
    uid: int | None = None
    layers: dict = field(default_factory=dict)
    alive: bool = True
    exit_status: dict = field(default_factory=dict)
    _memory_exceeded: bool = False

    def __post_init__(self):
        self._kill_lock = threading.Lock()
        self._watchdog = threading.Thread(target=self._watch_memory, daemon=True)
        self._watchdog.start()

    def _watch_memory(self):
        """Kill the worker when it and every process it started hold more than the limit
        (resident memory, summed over its uid when it has one of its own, else its session)."""
        limit_kb = (self.limits.memory_mb << 10) + 1_500_000  # + what the warm parent holds
        while self.alive:
            rss = _rss_kb(self.pid)
            if rss is None:
                return
            if rss > limit_kb or _family_rss_kb(self.pid, self.uid) > limit_kb:
                self._memory_exceeded = True
                self.kill()
                return
            time.sleep(0.1)

    def greet(self, *, timeout: float) -> None:
        """Read the hello the worker sends before it imports the submission: its layers."""
        from . import wire  # imports torch: kept out of `Sandbox.start`, which runs first
        try:
            hello, _ = wire.recv(self.chan, deadline=time.monotonic() + timeout)
        except wire.WireError as e:
            self.kill()
            raise WorkerFailure("crash", f"the worker did not start: {e}") from None
        if isinstance(hello, dict) and isinstance(hello.get("layers"), dict):
            self.layers = hello["layers"]

    def request(self, payload: dict, *, timeout: float):
        """Send one request; return the decoded reply or raise ``WorkerFailure``."""
        from . import wire
        if not self.alive:
            raise WorkerFailure("crash", "the worker is not running")
        try:
            self.chan.sendall(wire.encode(payload))
            reply, devices = wire.recv(self.chan, deadline=time.monotonic() + timeout)
        except wire.WireTimeout:
            self.kill()
            raise WorkerFailure("timeout", f"timed out after {timeout:g} s (an infinite loop, "
                                           "or far too slow?)") from None
        except (wire.WireClosed, BrokenPipeError, ConnectionResetError):
            self.kill()
            raise WorkerFailure(*self._death_reason()) from None
        except wire.WireError as e:
            self.kill()
            raise WorkerFailure("malformed", f"the worker sent a malformed reply: {e}") from None
        if not isinstance(reply, dict) or "ok" not in reply:
            self.kill()
            raise WorkerFailure("malformed", "the worker sent a reply of the wrong form")
        return reply, devices

    def _death_reason(self) -> tuple[str, str]:
        if self._memory_exceeded:
            return "memory", f"used more than the memory limit of {self.limits.memory_mb} MB and was stopped"
        status = self.exit_status
        sig, code = status.get("signal"), status.get("code")
        if sig is not None:
            what = SIGNAL_HINTS.get(sig, f"signal {sig}")
            return "crash", f"the process crashed ({what})"
        if code is not None:
            return "exit", (f"the process exited with code {code} (sys.exit() or os._exit() in "
                            "the submission?)")
        return "crash", "the process ended unexpectedly"

    def kill(self) -> None:
        with self._kill_lock:
            if not self.alive:
                return
            self.alive = False
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.exit_status = self.sandbox.reap(self.pid)
        if self.uid is not None:  # what it left behind, setsid daemons included
            self.sandbox.kill_uid(self.uid)
        self.chan.close()
        self.output.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def hidden_folders(sandbox_root: str, submission: str, extra=()) -> list[str]:
    """What a worker must not see: the course (checks, solutions), other submissions, homes."""
    folders = [sandbox_root, os.path.dirname(submission), "/root", os.path.expanduser("~"), *extra]
    return sorted({os.path.realpath(f) for f in folders if f and os.path.isdir(f)})


def kept_folders() -> list[str]:
    """The Python installation and the grader's own code, re-exposed where a mask covers them."""
    import site

    import grader
    folders = [sys.prefix, sys.base_prefix, os.path.dirname(grader.__file__),
               *site.getsitepackages()]
    return sorted({os.path.realpath(f) for f in folders if os.path.isdir(f)})


def _family_rss_kb(pid: int, uid: int | None) -> int:
    """Resident memory of the worker's processes: all of ``uid``'s, or those of its session."""
    total = 0
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                if uid is not None and entry.stat().st_uid != uid:
                    continue
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                if uid is None and int(fields[3]) != pid:  # field 6, the session id
                    continue
                total += int(fields[21]) * page_kb         # field 24, rss in pages
            except (OSError, IndexError, ValueError):
                continue
    return total


def _rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
                if line.startswith("State:") and "Z" in line.split()[1]:
                    return None
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None
    return 0
