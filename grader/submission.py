"""The trusted proxy to a submission: what check functions receive as ``submission``.

``submission.call("conv2d", x, w, stride=2)`` sends the inputs to a worker, which runs
the submission there, and returns the output rebuilt from bytes. Failures become the
exceptions of ``outcomes``; nothing from the submission is imported or run here.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

from .outcomes import ForbiddenOpUsed, NotImplementedYet, SubmissionCrashed, SubmissionRaised
from .sandbox.client import Sandbox, Worker, WorkerFailure
from .sandbox.limits import WorkerLimits
from .sandbox.oprecorder import ForbiddenOps




@dataclass
class CallResult:
    output: Any
    output_device: str | None
    grads: dict = field(default_factory=dict)
    forbidden: list = field(default_factory=list)
    graph: list = field(default_factory=list)
    elapsed: float = 0.0
    inputs_after: dict | None = None
    state: dict | None = None
    devices: dict = field(default_factory=dict)   # id(tensor) -> device type in the worker

    def device_of(self, tensor) -> str | None:
        return self.devices.get(id(tensor))


class Budget:
    """Wall time a submission may spend over all its checks (shared by its devices)."""

    def __init__(self, seconds: float):
        self.seconds, self.spent = seconds, 0.0

    def left(self) -> float:
        return self.seconds - self.spent


class Submission:
    """One submission on one device. Workers are started lazily and replaced after a crash."""

    def __init__(self, *, sandbox: Sandbox, path: str, module_name: str, device: str,
                 forbidden=(), allowed=(), time_limit: float = 20.0, memory_mb: int = 2048,
                 threads: int = 1, budget: Budget | None = None, output_kb: int = 1024,
                 hide=()):
        self.sandbox, self.path, self.module_name = sandbox, path, module_name
        self.device, self.time_limit = device, time_limit
        self.rules = {"forbidden": list(forbidden), "allowed": list(allowed)}
        self.limits = WorkerLimits(memory_mb=memory_mb, address_space=(device == "cpu"))
        self.filename = os.path.basename(path)
        self.budget = budget or Budget(float("inf"))
        self.threads = threads
        self.output_limit = output_kb * 1024
        self.hide = list(hide)
        self.layers: dict = {}
        self._worker: Worker | None = None
        self._import_failure: SubmissionCrashed | None = None
        self.stdout_chunks: list[str] = []

    # ----------------------------------------------------------- public API
    def call(self, target: str, *args, **kwargs):
        """Call ``target(*args, **kwargs)`` in the sandbox and return its output."""
        result = self.run(target, *args, **kwargs)
        self.require_clean(result, target)
        return result.output

    def run(self, target: str, *args, grad_wrt=(), grad_outputs=None, init=None, method=None,
            return_inputs=False, return_state=False, timeout=None, **kwargs) -> CallResult:
        """Like ``call`` but returns everything: output, gradients, recorded ops, timing."""
        request = {"op": "call", "target": target, "args": list(args), "kwargs": kwargs,
                   "device": self.device, "grad_wrt": list(grad_wrt),
                   "grad_outputs": list(grad_outputs) if grad_outputs is not None else None,
                   "init": init, "method": method, "return_inputs": return_inputs,
                   "return_state": return_state, "forbidden": self.rules}
        what = target if init is None else f"{target}.{method or 'forward'}"
        result, devices = self._request(request, timeout, what)
        if not isinstance(result, dict):
            raise SubmissionCrashed("the worker sent a result of the wrong form", kind="malformed")
        output = result.get("output")
        return CallResult(output=output, output_device=devices.get(id(output)),
                          grads=_dict(result.get("grads")), forbidden=list(result.get("forbidden") or []),
                          graph=list(result.get("graph") or []), elapsed=_float(result.get("elapsed")),
                          inputs_after=result.get("inputs_after"), state=result.get("state"),
                          devices=devices)

    def driver(self, op: str, *, timeout=None, what: str | None = None, **payload):
        """Run a grader-owned driver (see ``grader.sandbox.drivers``) against the submission;
        ``what`` names the student's function in messages (default: the driver's name)."""
        result, _ = self._request({"op": op, "device": self.device, "forbidden": self.rules,
                                   **payload}, timeout, what or op)
        return result

    def require_clean(self, result: CallResult, target: str) -> None:
        """Fail the check if the call used a forbidden op: recorded, or seen in the autograd
        graph behind the output (which catches ops hidden from the recorders)."""
        hits = list(result.forbidden) + graph_hits(result.graph, self.rules)
        if hits:
            raise ForbiddenOpUsed(forbidden_message(hits, self.filename, target), hits=hits)

    def close(self) -> None:
        if self._worker is not None:
            self._collect_output()
            self._worker.kill()
            self._worker = None

    # ----------------------------------------------------------- internals
    def _ensure_worker(self) -> Worker:
        if self._import_failure is not None:  # a fresh exception: checks annotate what they catch
            raise SubmissionCrashed(self._import_failure.message, kind="import")
        if self._worker is None or not self._worker.alive:
            if self._worker is not None:
                self._collect_output()
            self._worker = self.sandbox.spawn(submission=self.path, module_name=self.module_name,
                                              device=self.device, limits=self.limits,
                                              threads=self.threads, hide=self.hide)
            self.layers = self._worker.layers
            try:
                reply, _ = self._worker.request({"op": "load"},
                                                timeout=self.time_limit)
            except WorkerFailure as e:
                self._import_failure = SubmissionCrashed(
                    f"importing {self.filename} failed: {e}", kind="import")
                raise self._import_failure from None
            if not reply.get("ok"):
                info = reply.get("error") or {}
                self._import_failure = SubmissionCrashed(
                    f"importing {self.filename} failed: {_describe(info, self.filename)}", kind="import")
                raise self._import_failure
        return self._worker

    def _request(self, request: dict, timeout, what: str):
        if self.budget.left() <= 0:
            raise SubmissionCrashed(f"not run: the submission used up its time budget for this "
                                    f"exercise ({self.budget.seconds:g} s)", kind="budget")
        worker = self._ensure_worker()
        started, printed_before = time.monotonic(), worker.output.total
        try:
            reply, devices = worker.request(request, timeout=min(timeout or self.time_limit,
                                                                 max(self.budget.left(), 0.1)))
        except WorkerFailure as e:
            self._collect_output()
            raise SubmissionCrashed(f"{what}: {e}", kind=e.kind) from None
        finally:
            self.budget.spent += time.monotonic() - started
        printed = worker.output.total - printed_before
        if printed > self.output_limit:
            raise SubmissionCrashed(f"{what}: printed {printed / 1024:.0f} KB during one call (the "
                                    f"limit is {self.output_limit // 1024} KB); remove debug prints",
                                    kind="output")
        if reply.get("ok"):
            return reply.get("result"), devices
        info = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        if _out_of_memory(info):
            raise SubmissionRaised(f"{what} ran out of memory (the limit is {self.limits.memory_mb} MB): "
                                   f"{_describe(info, self.filename)}", info=info)
        if info.get("type") == "NotImplementedError":
            raise NotImplementedYet(f"not implemented: {str(info.get('message') or what)[:300]}")
        raise SubmissionRaised(f"{what} raised {_describe(info, self.filename)}", info=info,
                               about_values=not info.get("generic"))

    def _collect_output(self):
        if self._worker is not None:
            text = self._worker.output.text()
            if text:
                self.stdout_chunks.append(text)


def _describe(info: dict, filename: str) -> str:
    text = f"{str(info.get('type', 'an exception'))[:80]}: {str(info.get('message', ''))[:400]}"
    if isinstance(info.get("line"), int):
        text += f" ({filename}, line {info['line']}"
        text += f": {str(info['code']).strip()[:120]})" if info.get("code") else ")"
    return text


def graph_hits(graph: list, rules: dict) -> list[dict]:
    """Autograd nodes (``ConvolutionBackward0``) whose op name matches a forbidden pattern."""
    match = ForbiddenOps(rules.get("forbidden", ()), rules.get("allowed", ()))
    hits = []
    for node in graph[:1000]:
        if not re.search(r"Backward\d+$", str(node)):
            continue  # a student's own autograd.Function (``SigmoidFunctionBackward``)
        name = re.sub(r"Backward\d+$", "", str(node))
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        if match.matches(snake) or match.matches(name.lower()):
            hits.append({"level": "graph", "op": f"autograd node {str(node)[:60]}", "line": None})
    return hits


def _out_of_memory(info: dict) -> bool:
    message = str(info.get("message", ""))
    return info.get("type") == "MemoryError" or "can't allocate memory" in message \
        or "Cannot allocate memory" in message


def forbidden_message(hits: list[dict], filename: str, target: str) -> str:
    shown = []
    for hit in hits[:4]:
        where = f"line {hit['line']}" if isinstance(hit.get("line"), int) else "a line outside your file"
        shown.append(f"{str(hit.get('op'))[:80]} (from {filename}, {where})")
    return (f"{target} used a forbidden built-in: " + "; ".join(shown)
            + ". Implement it yourself; this check earns no points while the built-in is called.")


def _dict(v):
    return v if isinstance(v, dict) else {}


def _float(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0
