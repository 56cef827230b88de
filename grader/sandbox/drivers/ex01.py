"""ex01 driver: call the submission's ``broadcast_shapes`` and watch how it gets its answer.

``broadcast_shapes`` is pure Python, so the op recorder cannot see a delegation to
``torch.broadcast_shapes`` (no tensor op runs). Here a profile hook records calls to the
Python functions that already broadcast shapes (torch's and NumPy's, however the
submission bound them), the recorder watches for tensor broadcasting ops, and a dispatch
mode notes elementwise ops that broadcast tensors of the very shapes asked about (e.g.
``torch.empty(a, device="meta") + torch.empty(b, device="meta")``).
"""
from __future__ import annotations

import operator
import sys

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ..oprecorder import ForbiddenOps, Recording
from ..submission_code import SubmissionRaised, run_submission
from . import driver
from .core import rules_of

# Tensor-level routes to the same answer (matched like course.yaml's patterns).
BROADCAST_OPS = ("broadcast_tensors", "broadcast_to", "expand", "expand_as", "broadcast_shapes")


def _builtin_broadcasters() -> dict:
    """Code object -> public name, for the Python functions that broadcast shapes."""
    found = {torch.functional.broadcast_shapes.__code__: "torch.broadcast_shapes"}
    np = sys.modules.get("numpy")
    for name in ("broadcast_shapes", "broadcast_arrays", "broadcast_to"):
        code = getattr(getattr(np, name, None), "__code__", None)
        if code is not None:
            found[code] = f"numpy.{name}"
    return found


class _CallWatch:
    """A profile hook that notes calls of the watched code objects from the submission."""

    def __init__(self, watched: dict, filename: str):
        self.watched, self.filename, self.hits = watched, filename, {}

    def __call__(self, frame, event, arg):
        if event == "call" and frame.f_code in self.watched:
            name = self.watched[frame.f_code]
            line = _submission_line(frame, self.filename)
            self.hits.setdefault((name, line), {"level": "python", "op": name, "line": line})

    def __enter__(self):
        self._previous = sys.getprofile()
        sys.setprofile(self)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self._previous)
        return False


class _BroadcastWatch(TorchDispatchMode):
    """Notes elementwise ops whose tensor arguments have different shapes, one of them a
    shape the submission was asked about: PyTorch doing the broadcasting."""

    def __init__(self, shapes, filename: str):
        super().__init__()
        self.targets = {(s,) if isinstance(s, int) else tuple(s) for s in shapes}
        self.filename, self.hits = filename, {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        sizes = {tuple(a.shape) for a in args if isinstance(a, torch.Tensor)}
        if len(sizes) > 1 and sizes & self.targets and torch.Tag.pointwise in func.tags:
            op = f"tensor broadcasting (aten.{func.overloadpacket.__name__})"
            line = _submission_line(sys._getframe(1), self.filename)
            self.hits.setdefault((op, line), {"level": "aten", "op": op, "line": line})
        return func(*args, **(kwargs or {}))


def _submission_line(frame, filename: str):
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _plain_shape(value):
    """A tuple of ints (tuple subclasses such as torch.Size and int-like items accepted)."""
    if not isinstance(value, tuple) or any(isinstance(v, bool) for v in value):
        return None
    try:
        return tuple(operator.index(v) for v in value)
    except TypeError:
        return None


@driver("ex01_broadcast_shapes")
def broadcast_shapes(state, request):
    fn = state.attribute("broadcast_shapes")
    shapes = list(request.get("shapes", []))
    rules = rules_of(request)
    extra = ForbiddenOps([*(rules.forbidden if rules else ()), *BROADCAST_OPS],
                         rules.allowed if rules else ())
    recording = Recording(extra, state.path)
    watch = _CallWatch(_builtin_broadcasters(), state.path)
    tensors = _BroadcastWatch(shapes, state.path)
    reply = {"output": None, "type": None, "raised": None}
    try:
        with recording, watch, tensors:
            out = run_submission(lambda: fn(*shapes), state.path, "call")
        reply["output"], reply["type"] = _plain_shape(out), type(out).__name__
    except SubmissionRaised as raised:
        reply["raised"] = raised.info
    reply["forbidden"] = recording.hits() + list(watch.hits.values()) + list(tensors.hits.values())
    return reply
