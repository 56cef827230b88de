"""ex02 drivers: autograd Functions, numerical gradients and a training loop, with probes.

- ``ex02_function``: ``Cls.apply(*args)`` then one backward pass per grad_output, while the
  class's ``backward`` is wrapped to note that it ran and whether it used autograd (called
  ``torch.autograd.grad``/``.backward()`` or recorded a graph: with create_graph=False a
  hand-written backward runs with grad mode off and builds none).
- ``ex02_numerical_gradient``: ``numerical_gradient(f, x)`` with ``f`` one of ``RECIPES``
  (callables cannot cross the wire, so the request names one).
- ``ex02_logistic``: ``fit_logistic_regression`` with torch.optim and autograd use recorded.
- ``ex02_mlp``: the two Functions chained into a small network, gradients of a loss.
"""
from __future__ import annotations

import sys

import torch
import torch.nn.functional as F
import torch.optim
from torch.overrides import TorchFunctionMode

from ..oprecorder import Recording
from ..submission_code import SubmissionRaised, run_submission
from . import driver
from .core import flat_tensors, rules_of, to_device

AUTOGRAD_CALLS = ("grad", "backward", "_engine_run_backward", "vjp", "jvp", "jacobian", "hessian")

# Scalar functions of a tensor x for numerical_gradient; the trusted side uses the same table.
RECIPES = {
    "sin_weighted": lambda x, p: (torch.sin(x) * p["c"]).sum(),
    "cubic_plus_product": lambda x, p: (x ** 3 * p["c"]).sum() + x.prod(),
    "quadratic_form": lambda x, p: x.reshape(-1) @ p["A"] @ x.reshape(-1),
    "log_sum_exp": lambda x, p: torch.logsumexp((x * p["c"]).reshape(-1), 0),
    "distance": lambda x, p: (x - p["c"]).pow(2).sum().sqrt(),
    "softplus_mean": lambda x, p: F.softplus(x @ p["A"]).mean(),
}


def _line_in(filename: str, frame) -> int | None:
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return frame.f_lineno
        frame = frame.f_back
    return None


class _AutogradWatch(TorchFunctionMode):
    """Notes autograd calls, and results that carry a grad_fn (a graph being recorded)."""

    def __init__(self, filename: str, notes: list, *, graphs: bool):
        super().__init__()
        self.filename, self.notes, self.graphs = filename, notes, graphs

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in AUTOGRAD_CALLS:
            self._note(f"torch.autograd {name}", sys._getframe(1))
        out = func(*args, **(kwargs or {}))
        if self.graphs and any(t.grad_fn is not None for t in flat_tensors(out)):
            self._note(f"{name} recorded an autograd graph", sys._getframe(1))
        return out

    def _note(self, what, frame):
        if len(self.notes) < 20:
            self.notes.append({"op": what, "line": _line_in(self.filename, frame)})


class _BackwardProbe:
    """Wraps ``cls.backward`` while active: counts calls, watches for autograd inside."""

    _MISSING = object()

    def __init__(self, cls, filename: str):
        self.cls, self.filename = cls, filename
        self.calls, self.notes = 0, []

    def __enter__(self):
        self._saved = vars(self.cls).get("backward", self._MISSING)
        original = self.cls.backward

        def backward(ctx, *grads):
            self.calls += 1
            with _AutogradWatch(self.filename, self.notes, graphs=True):
                return original(ctx, *grads)

        self.cls.backward = staticmethod(backward)
        return self

    def __exit__(self, *exc):
        if self._saved is self._MISSING:
            del self.cls.backward
        else:
            self.cls.backward = self._saved
        return False


class _HitsOnRaise:
    """What the submission called before it raised still counts (as in core.call)."""

    def __init__(self, *sources):
        self.sources = sources

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if isinstance(error, SubmissionRaised):
            error.info["forbidden"] = [hit for source in self.sources for hit in source()]
        return False


def _function_class(state, name):
    cls = state.attribute(name)
    if not (isinstance(cls, type) and issubclass(cls, torch.autograd.Function)):
        raise SubmissionRaised({"type": "TypeError", "phase": "lookup", "line": None,
                                "message": f"`{name}` must be a subclass of torch.autograd.Function"})
    return cls


def _backward_passes(state, out, leaves, grad_outputs):
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise SubmissionRaised({"type": "RuntimeError", "phase": "backward", "line": None,
                                "message": "the output is not connected to the autograd graph"})
    results = []
    for g in grad_outputs:
        grads = run_submission(lambda: torch.autograd.grad(out, list(leaves.values()), g,
                                                           retain_graph=True, allow_unused=True),
                               state.path, "backward")
        results.append(dict(zip(leaves, grads)))
    return results


@driver("ex02_function")
def function(state, request):
    device = torch.device(request.get("device", "cpu"))
    cls = _function_class(state, request["target"])
    args = list(to_device(request.get("args", []), device))
    leaves = {}
    for i in request.get("grad_wrt", []):
        args[i] = args[i].detach().requires_grad_(True)
        leaves[str(i)] = args[i]
    grad_outputs = to_device(list(request.get("grad_outputs") or []), device)
    recording = Recording(rules_of(request), state.path)
    probe = _BackwardProbe(cls, state.path)
    with _HitsOnRaise(recording.hits), recording, probe:
        out = run_submission(lambda: cls.apply(*args), state.path, "call")
        grads = _backward_passes(state, out, leaves, grad_outputs) if grad_outputs else []
    return {"output": out, "grads": grads, "forbidden": recording.hits(),
            "backward_calls": probe.calls, "autograd_in_backward": probe.notes,
            "inputs_after": [a.detach() if isinstance(a, torch.Tensor) else a for a in args]}


@driver("ex02_mlp")
def mlp(state, request):
    """loss = sum(G * Linear(Sigmoid(Linear(x, W1, b1)), W2)); gradients w.r.t. all four."""
    device = torch.device(request.get("device", "cpu"))
    linear, sigmoid = _function_class(state, "LinearFunction"), _function_class(state, "SigmoidFunction")
    names = ("x", "w1", "b1", "w2")
    leaves = {n: to_device(request[n], device).detach().requires_grad_(True) for n in names}
    weight = to_device(request["g"], device)
    recording = Recording(rules_of(request), state.path)
    probes = [_BackwardProbe(linear, state.path), _BackwardProbe(sigmoid, state.path)]
    with _HitsOnRaise(recording.hits), recording, probes[0], probes[1]:
        def forward():
            hidden = sigmoid.apply(linear.apply(leaves["x"], leaves["w1"], leaves["b1"]))
            return linear.apply(hidden, leaves["w2"], None)
        out = run_submission(forward, state.path, "call")
        grads = _backward_passes(state, (out * weight).sum(), leaves, [None])[0] \
            if isinstance(out, torch.Tensor) and out.shape == weight.shape else {}
    return {"output": out, "grads": grads, "forbidden": recording.hits(),
            "backward_calls": min(p.calls for p in probes),
            "autograd_in_backward": probes[0].notes + probes[1].notes}


@driver("ex02_numerical_gradient")
def numerical_gradient(state, request):
    device = torch.device(request.get("device", "cpu"))
    fn = state.attribute("numerical_gradient")
    recipe = RECIPES[request["recipe"]]
    params = to_device(request.get("params", {}), device)
    x = to_device(request["x"], device)
    seen = {"calls": 0, "requires_grad": False}

    def f(t):
        seen["calls"] += 1
        seen["requires_grad"] |= isinstance(t, torch.Tensor) and t.requires_grad
        return recipe(t, params)

    args = (f, x, request["eps"]) if request.get("eps_positional") else (f, x)
    kwargs = {"eps": request["eps"]} if "eps" in request and not request.get("eps_positional") else {}
    recording = Recording(rules_of(request), state.path)
    with _HitsOnRaise(recording.hits), recording:
        out = run_submission(lambda: fn(*args, **kwargs), state.path, "call")
    return {"output": out, "x_after": x, "f_calls": seen["calls"],
            "autograd": seen["requires_grad"], "forbidden": recording.hits()}


class _OptimizerWatch:
    """Notes every torch.optim optimizer constructed while active."""

    def __init__(self, filename: str):
        self.filename, self.notes = filename, []

    def __enter__(self):
        self._init = original = torch.optim.Optimizer.__init__

        def init(opt, *args, **kwargs):
            line = _line_in(self.filename, sys._getframe(1))
            self.notes.append({"op": f"torch.optim.{type(opt).__name__}", "line": line})
            return original(opt, *args, **kwargs)

        torch.optim.Optimizer.__init__ = init
        return self

    def __exit__(self, *exc):
        torch.optim.Optimizer.__init__ = self._init
        return False


def _describe_fit(out) -> dict:
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        return {"form": type(out).__name__ + (f" of {len(out)}" if isinstance(out, (tuple, list)) else "")}
    w, b, losses = out
    info = {"form": "ok", "w": w, "b": b,
            "w_requires_grad": bool(getattr(w, "requires_grad", False)),
            "b_requires_grad": bool(getattr(b, "requires_grad", False)),
            "losses_type": type(losses).__name__, "loss_types": [], "losses": None}
    if isinstance(losses, (list, tuple)):
        info["loss_types"] = sorted({type(v).__name__ for v in losses})
        try:
            info["losses"] = [float(v) for v in losses]
        except (TypeError, ValueError, RuntimeError):
            info["losses"] = None
    return info


@driver("ex02_logistic")
def logistic(state, request):
    device = torch.device(request.get("device", "cpu"))
    fn = state.attribute("fit_logistic_regression")
    x, y = to_device(request["x"], device), to_device(request["y"], device)
    recording = Recording(rules_of(request), state.path)
    autograd_calls: list = []
    optimizers = _OptimizerWatch(state.path)
    with _HitsOnRaise(recording.hits, lambda: optimizers.notes), recording, optimizers, \
            _AutogradWatch(state.path, autograd_calls, graphs=False):
        out = run_submission(lambda: fn(x, y, *request.get("args", []), **request.get("kwargs", {})),
                             state.path, "call")
    info = run_submission(lambda: _describe_fit(out), state.path, "call")
    info.update(forbidden=recording.hits() + optimizers.notes, autograd_calls=len(autograd_calls))
    return info
