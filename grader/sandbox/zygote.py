"""The zygote: a process that imports torch once, then forks one worker per request.

Started by the grader with a clean environment (``python -I -m grader.sandbox.zygote FD``).
It stays single-threaded and never runs a torch op (forking after parallel ops can
deadlock in OpenMP), and never touches CUDA (a forked child could not use it).

Protocol on the SOCK_SEQPACKET control socket, one JSON object per packet:
  {"op": "spawn", "spec": {...}} + fds [channel, output] -> {"pid": N}
  {"op": "wait", "pid": N}                                -> {"pid": N, "code": int|null, "signal": int|null}
  {"op": "killuid", "uid": N}                             -> {"killed": bool}
"""
from __future__ import annotations

import json
import os
import socket
import sys


def _reply(ctrl, obj):
    ctrl.send(json.dumps(obj).encode())


def _wait(pid: int) -> dict:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return {"pid": pid, "code": None, "signal": None}
    if os.WIFSIGNALED(status):
        return {"pid": pid, "code": None, "signal": os.WTERMSIG(status)}
    return {"pid": pid, "code": os.WEXITSTATUS(status), "signal": None}


def _kill_uid(uid: int, kill_uid) -> dict:
    """Kill every process of a worker's uid, from a child that takes that uid itself."""
    if uid <= 0 or os.getuid() != 0:
        return {"killed": False}
    pid = os.fork()
    if pid == 0:
        try:
            kill_uid(uid)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return {"killed": True}


def _preload_lazy_modules() -> None:
    """Import what torch imports lazily on first use of a dispatch mode or of autograd.grad
    (about 800 modules, 2-3 s): once here instead of once in every worker."""
    import importlib

    for name in ("torch._dynamo", "torch.fx.experimental.symbolic_shapes"):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - an older torch without them needs no preload
            pass


def serve(ctrl: socket.socket) -> None:
    import torch  # noqa: F401  - the whole point: imported once, shared by every fork

    from . import worker  # noqa: F401  - and the worker's code with it

    _preload_lazy_modules()
    from .isolation import isolate_zygote, kill_uid

    layers = isolate_zygote() if sys.argv[-1] == "isolate" else {"network": "open"}
    _reply(ctrl, {"ready": True, "torch": torch.__version__, "layers": layers})
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(ctrl, 1 << 20, 4)
        except OSError:
            return
        if not msg:
            return
        request = json.loads(msg)
        if request["op"] == "spawn":
            pid = os.fork()
            if pid == 0:
                ctrl.close()
                chan = socket.socket(fileno=fds[0])
                worker.child_main(chan, fds[1], request["spec"], layers)
            for fd in fds:
                os.close(fd)
            _reply(ctrl, {"pid": pid})
        elif request["op"] == "wait":
            _reply(ctrl, _wait(int(request["pid"])))
        elif request["op"] == "killuid":
            _reply(ctrl, _kill_uid(int(request["uid"]), kill_uid))


def main() -> None:
    ctrl = socket.socket(fileno=int(sys.argv[1]))
    serve(ctrl)


if __name__ == "__main__":
    main()
