"""Worker side: record calls to forbidden built-ins while submission code runs.

Two recorders run together around each call:
- a ``TorchFunctionMode`` sees Python-level names (``torch.nn.functional.conv2d``);
- a ``TorchDispatchMode`` sees aten ops below autograd, so aliases, ``torch.ops.aten``
  calls, modules such as ``nn.Conv2d`` and backward kernels are caught too.
Each hit is reported with the line of the submission that led to it. What is seen is sent
back as data; the trusted side decides what it costs.
"""
from __future__ import annotations

import fnmatch
import sys
import threading

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

MAX_HITS = 50


class ForbiddenOps:
    """Op-name patterns (fnmatch) that are forbidden, minus the allowed ones."""

    def __init__(self, forbidden, allowed=()):
        self.forbidden = tuple(forbidden)
        self.allowed = tuple(allowed)

    def matches(self, name: str) -> bool:
        name = name.lower().lstrip("_")
        if any(fnmatch.fnmatchcase(name, p) for p in self.allowed):
            return False
        return any(fnmatch.fnmatchcase(name, p) for p in self.forbidden)


def _submission_line(filename: str) -> int | None:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return frame.f_lineno
        frame = frame.f_back
    return None


class _Hits:
    def __init__(self, rules: ForbiddenOps, filename: str):
        self.rules, self.filename = rules, filename
        self.seen: dict[tuple, dict] = {}

    def note(self, level: str, name: str, qualified: str):
        if not self.rules.matches(name) or len(self.seen) >= MAX_HITS:
            return
        line = _submission_line(self.filename)
        key = (level, qualified, line)
        if key not in self.seen:
            self.seen[key] = {"level": level, "op": qualified, "line": line}


class _FunctionRecorder(TorchFunctionMode):
    def __init__(self, hits: _Hits):
        super().__init__()
        self.hits = hits

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name:
            module = getattr(func, "__module__", None) or "torch"
            self.hits.note("function", name, f"{module}.{name}")
        return func(*args, **(kwargs or {}))


class _DispatchRecorder(TorchDispatchMode):
    def __init__(self, hits: _Hits):
        super().__init__()
        self.hits = hits

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        packet = func.overloadpacket.__name__
        self.hits.note("aten", packet, f"aten.{packet}")
        return func(*args, **(kwargs or {}))


class _ActiveHits:
    """Forwards to the hits of the call in progress (None between calls)."""

    current: _Hits | None = None

    def note(self, level: str, name: str, qualified: str):
        hits = _ActiveHits.current
        if hits is not None:
            hits.note(level, name, qualified)


def install_thread_hook() -> None:
    """Make every thread started from now on record into the call in progress.

    Modes are per thread, so a thread (or a pool) that the submission starts at import and
    feeds during a call would otherwise run unrecorded. Installed in the worker before the
    submission is imported, for the worker's whole life.
    """
    original = threading.Thread._bootstrap_inner
    if getattr(original, "_course_hook", False):
        return

    def bootstrap_inner(thread):
        active = _ActiveHits()
        modes = [_FunctionRecorder(active), _DispatchRecorder(active)]
        try:
            for m in modes:
                m.__enter__()
        except Exception:  # noqa: BLE001 - recording must never break the thread
            modes = []
        try:
            original(thread)
        finally:
            for m in reversed(modes):
                try:
                    m.__exit__(None, None, None)
                except Exception:  # noqa: BLE001
                    pass

    bootstrap_inner._course_hook = True
    threading.Thread._bootstrap_inner = bootstrap_inner


class Recording:
    """Context manager: ``with Recording(rules, file) as rec: ...; rec.hits()``."""

    def __init__(self, rules: ForbiddenOps | None, filename: str):
        self.rules, self.filename = rules, filename
        self._hits = _Hits(rules, filename) if rules and rules.forbidden else None
        self._modes = []

    def __enter__(self):
        if self._hits is not None:
            _ActiveHits.current = self._hits
            self._modes = [_FunctionRecorder(self._hits), _DispatchRecorder(self._hits)]
            for m in self._modes:
                m.__enter__()
        return self

    def __exit__(self, *exc):
        for m in reversed(self._modes):
            m.__exit__(None, None, None)
        self._modes = []
        _ActiveHits.current = None
        return False

    def hits(self) -> list[dict]:
        return list(self._hits.seen.values()) if self._hits else []


def graph_ops(outputs) -> list[str]:
    """Names of the autograd nodes behind the outputs (evidence the modes may have missed)."""
    names, stack, seen = set(), [], set()
    for t in outputs:
        if isinstance(t, torch.Tensor) and t.grad_fn is not None:
            stack.append(t.grad_fn)
    while stack and len(seen) < 10000:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.add(type(node).__name__)
        stack.extend(fn for fn, _ in getattr(node, "next_functions", ()))
    return sorted(names)
