"""Two ways to grade an attack, both through the grader's public entry points, run from the
world's grader copy: a long-lived host (``host.py``: `api.check_exercise` + the report as
`--out` writes it) and a `course check --json --out FILE` process of its own."""
from __future__ import annotations

import json
import os
import secrets
import select
import signal
import subprocess
import time

from world import PYTHON, World

CLI = "import sys; sys.argv[0] = 'course'; from grader.cli import main; main()"


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return None if fields[0] == "Z" else int(fields[1])
    except (OSError, ValueError, IndexError):
        return None


def descendants(root: int) -> list[int]:
    parent = {int(p): _ppid(int(p)) for p in os.listdir("/proc") if p.isdigit()}
    found, frontier = [], [root]
    while frontier:
        children = [p for p, pp in parent.items() if pp in frontier]
        found += children
        frontier = children
    return found


def _kill(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def grader_leftovers(world: World, spare: set[int]) -> list[tuple[int, str]]:
    """Processes running the world's grader code (zygotes, workers) that nobody owns any
    more, e.g. after the grader was killed; ended here (they are ours) and returned."""
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) in spare or int(p) == os.getpid():
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(world.pkg) in cmd and _ppid(int(p)) is not None:
            found.append((int(p), cmd[:80]))
    _kill(pid for pid, _ in found)
    return found


class Host:
    """The long-lived grader process; restarted after it dies or the world was repaired."""

    def __init__(self, world: World):
        self.world, self.proc, self._fd, self._buf = world, None, None, b""

    def start(self) -> None:
        read_fd, write_fd = os.pipe()
        with open(self.world.logs / "host.log", "ab") as log:
            self.proc = subprocess.Popen(
                [PYTHON, str(self.world.root / "host.py"), str(self.world.course), str(write_fd)],
                pass_fds=[write_fd], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log,
                cwd=self.world.course, env=self.world.env(), start_new_session=True)
        os.close(write_fd)
        self._fd, self._buf = read_fd, b""

    def family(self) -> set[int]:
        """The host, its zygote and their workers."""
        if self.proc is None:
            return set()
        return {self.proc.pid, *descendants(self.proc.pid)}

    def workers(self) -> list[int]:
        """Processes below the host's zygote (there should be none between two gradings)."""
        if self.proc is None:
            return []
        zygotes = [p for p in descendants(self.proc.pid) if _ppid(p) == self.proc.pid]
        return [p for z in zygotes for p in descendants(z)]

    def grade(self, submission: str, out: str, timeout: float) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.stop()
            self.start()
            timeout += 120  # the first grading waits for the zygote to import torch
        nonce = secrets.token_hex(8)
        request = {"nonce": nonce, "exercise": "conv", "submission": submission, "out": out}
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            return {"died": f"the grader process had ended (status {self.stop()})"}
        line = self._read_line(timeout)
        if line is None:
            alive = self.proc.poll() is None
            status = self.stop()
            return {"died": f"no answer within {timeout:g} s (grader hung)" if alive
                    else f"the grader process died (exit status {status})"}
        answer = json.loads(line)
        if answer.get("nonce") != nonce:
            return {"died": "the grader's answer does not carry the request's nonce (forged)"}
        return answer

    def _read_line(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._fd], [], [], left)
            if ready:
                chunk = os.read(self._fd, 1 << 16)
                if not chunk:
                    return None
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode(errors="replace")

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        family = descendants(proc.pid)
        if proc.poll() is None:
            try:
                proc.stdin.close()  # the host closes its sandbox and exits
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                _kill([proc.pid])
                proc.wait()
        _kill(family)
        os.close(self._fd)
        return proc.returncode


def run_cli(world: World, submission: str, out: str | None, timeout: float) -> dict:
    """`course check conv -s SUBMISSION --json [--out OUT]` in the course, as a student's
    grading job would run it; returns exit status, stdout, stderr."""
    cmd = [PYTHON, "-c", CLI, "check", "conv", "-s", submission, "--course", str(world.course),
           "--json", *(["--out", out] if out else [])]
    proc = subprocess.Popen(cmd, cwd=world.course, env=world.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill([*descendants(proc.pid), proc.pid])
        stdout, stderr = proc.communicate()
    return {"exit": proc.returncode, "stdout": stdout.decode(errors="replace"),
            "stderr": stderr.decode(errors="replace"), "timed_out": timed_out}
