"""The untrusted side: a worker process that imports one submission and serves requests.

Runs only in a child forked from the zygote. Nothing here decides a score: it runs the
submission under the op recorders and sends back tensors and plain data.
"""
from __future__ import annotations

import os
import sys

import torch

from . import wire
from .drivers import DRIVERS
from .isolation import confine, isolate_worker, plain_scratch
from .limits import apply_limits
from .oprecorder import install_thread_hook
from .submission_code import SubmissionRaised, WorkerState, describe_exception


def serve(sock, state: WorkerState) -> None:
    while True:
        try:
            request, _ = wire.recv(sock)
        except wire.WireError:
            return
        try:
            reply = {"ok": True, "result": DRIVERS[request["op"]](state, request)}
        except SubmissionRaised as e:
            reply = {"ok": False, "error": e.info}
        except BaseException as e:  # noqa: BLE001 - a driver failure is reported, not fatal
            reply = {"ok": False, "error": describe_exception(e, state.path, "driver")}
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            data = wire.encode(reply)
        except BaseException as e:  # noqa: BLE001
            data = wire.encode({"ok": False, "error": describe_exception(e, state.path, "reply")})
        sock.sendall(data)


def child_main(chan, out_fd: int, spec: dict, zygote_layers: dict) -> None:
    """Entry point of a freshly forked worker (called by the zygote, never returns).

    Isolation and limits are in force, and the layers are reported to the grader, before
    the submission is imported: nothing it does can change what the hello message says.
    """
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.close(out_fd)
        filename = f"{spec['module_name']}.py"
        with open(spec["submission"], "rb") as f:
            source = f.read()
        skip = set(spec.get("skip", ()))
        if spec.get("isolate", True) and "mount" not in skip:
            iso = isolate_worker(spec, source, filename, zygote_layers)
        else:
            iso = plain_scratch(spec, source, filename)
        if spec.get("isolate", True) and "landlock" not in skip and spec.get("device") != "cuda":
            iso["layers"].update(confine(spec, iso["scratch"]))
        elif spec.get("device") == "cuda":  # seen on an H100: the driver fails (error 304) under it
            iso["layers"]["landlock"] = "not applied to CUDA workers"
        os.chdir(iso["scratch"])
        os.environ.clear()
        os.environ.update({**spec.get("env", {}), "HOME": iso["scratch"], "TMPDIR": "/tmp"})
        refused = apply_limits({**spec["limits"], "processes": iso["layers"]["uid"] == "dropped"})
        torch.set_num_threads(int(spec.get("threads", 1)))
        if spec.get("device") == "cuda" and torch.cuda.is_available():
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
        layers = {**zygote_layers, **iso["layers"], "rlimits_refused": refused}
        wire.send(chan, {"hello": True, "layers": layers})
        install_thread_hook()
        sys.path[:0] = [iso["scratch"]]
        serve(chan, WorkerState(iso["submission"], spec["module_name"]))
    except BaseException:  # noqa: BLE001 - report a start-up failure on the worker's stderr
        try:
            import traceback
            traceback.print_exc()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        try:
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(0)
