"""ex07 driver: run a submission's optimizer for many steps and send back its trajectory.

The request says which class to build (``target``), its keyword arguments, the initial
parameters and their param-group layout, and per step either the gradients (a tensor or
None per parameter) or, with ``loss``, a seeded quadratic loss evaluated in a closure. It
may change the learning rate of each group before some steps and resume halfway through
from ``state_dict()`` (deep-copied, as a checkpoint would be) into a fresh optimizer built
over fresh parameter tensors. ``run_trajectory`` is the whole protocol; the trusted side
runs the very same function with ``torch.optim`` as the oracle.

The Python-level optimizers (``torch.optim.SGD.step``, ``torch.optim.adam.adam``...) are
not dispatcher ops, so the recorder cannot see them: while the submission runs they are
wrapped, and a call is reported as a forbidden hit like the recorder's.
"""
from __future__ import annotations

import contextlib
import copy
import sys

import torch

from ..oprecorder import Recording
from ..submission_code import run_submission
from . import driver
from .core import rules_of, to_device

# Module-level names that route to the built-in optimizers' arithmetic. The implementation
# functions are looked up through these module globals at call time, so wrapping them also
# catches a submission that imported `adam` or `SGD` before the driver ran.
BUILTIN_FUNCTIONS = {
    "torch.optim.sgd": ("sgd", "_single_tensor_sgd", "_multi_tensor_sgd", "_fused_sgd"),
    "torch.optim.adam": ("adam", "_single_tensor_adam", "_multi_tensor_adam", "_fused_adam"),
    "torch.optim.adamw": ("adamw", "adam"),
    "torch.optim._functional": ("sgd", "adam", "adamw"),
}
BUILTIN_STEPS = ("SGD", "Adam", "AdamW")


def quadratic_loss(params, A, b):
    """sum_i mean((A_i @ p_i - b_i)^2) / 2: the closure's loss (float64-safe, smooth)."""
    terms = [((a @ p.reshape(-1) - t) ** 2).mean() / 2 for p, a, t in zip(params, A, b)]
    return torch.stack(terms).sum()


def param_groups(params, layout):
    """A plain list of tensors for one group without options, else a list of group dicts."""
    if len(layout) == 1 and set(layout[0]) == {"params"}:
        return [params[i] for i in layout[0]["params"]]
    return [{**{k: v for k, v in g.items() if k != "params"}, "params": [params[i] for i in g["params"]]}
            for g in layout]


def _plain_call(fn, phase):
    return fn()


def run_trajectory(make, request, guard=_plain_call):
    """Build with ``make(groups)``, step, and return parameters after every step."""
    params = [t.detach().clone().requires_grad_(True) for t in request["params"]]
    opt = guard(lambda: make(param_groups(params, request["layout"])), "construct")
    trajectory, losses, returned = [], [], []
    lr_changes = request.get("lr_changes") or {}
    for step in range(int(request["steps"])):
        if step == request.get("resume_at"):
            params, opt = _resume(make, opt, params, request, guard)
        if str(step) in lr_changes:
            guard(lambda: _set_lr(opt, lr_changes[str(step)]), "param_groups")
        if request.get("loss") is not None:
            seen = []
            closure = _closure(params, request["loss"], seen)
            out = guard(lambda: opt.step(closure), "step")
            returned.append(out.detach().clone() if isinstance(out, torch.Tensor) else out)
            losses.append(seen[-1] if seen else None)
        else:
            for p, g in zip(params, request["grads"][step]):
                p.grad = None if g is None else g.detach().clone()
            guard(lambda: opt.step(), "step")
        trajectory.append([p.detach().clone() for p in params])
    return {"trajectory": trajectory, "losses": losses, "returned": returned,
            "is_optimizer": isinstance(opt, torch.optim.Optimizer)}


def _set_lr(opt, lrs):
    for group, lr in zip(opt.param_groups, lrs):
        group["lr"] = lr


def _closure(params, loss, seen):
    def closure():
        for p in params:
            p.grad = None
        value = quadratic_loss(params, loss["A"], loss["b"])
        value.backward()
        seen.append(value.detach().clone())
        return value
    return closure


def _resume(make, opt, params, request, guard):
    saved = guard(lambda: copy.deepcopy(opt.state_dict()), "state_dict")
    fresh = [p.detach().clone().requires_grad_(True) for p in params]
    new = guard(lambda: make(param_groups(fresh, request["layout"])), "construct")
    guard(lambda: new.load_state_dict(saved), "load_state_dict")
    return fresh, new


# ------------------------------------------------------------------ the worker side
_ACTIVE: list = []  # (hits, submission path) of the driver call running now


@driver("optimizer_trajectory")
def optimizer_trajectory(state, request):
    cls = state.attribute(request["target"])
    device = torch.device(request.get("device", "cpu"))
    request = {**request, **to_device({k: request.get(k) for k in ("params", "grads", "loss")}, device)}
    kwargs = dict(request.get("kwargs") or {})
    recording = Recording(rules_of(request), state.path)
    python_hits: dict = {}

    def guard(fn, phase):
        with recording, _builtin_optimizers_watched():
            _ACTIVE.append((python_hits, state.path))
            try:
                return run_submission(fn, state.path, phase)
            finally:
                _ACTIVE.pop()

    result = run_trajectory(lambda groups: cls(groups, **kwargs), request, guard)
    hits = recording.hits() + list(python_hits.values()) + _captured_builtins(state)
    return {**result, "forbidden": hits}


def _submission_line(path):
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == path:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _watch(original, label):
    # Records into whichever driver call is active: a subclass may keep this wrapper
    # (Optimizer.__init__ re-wraps `step` on the class) after the patch is undone.
    def watched(*args, **kwargs):
        if _ACTIVE:
            hits, path = _ACTIVE[-1]
            line = _submission_line(path)
            hits.setdefault((label, line), {"level": "python", "op": label, "line": line})
        return original(*args, **kwargs)
    watched.__wrapped__ = original
    return watched


@contextlib.contextmanager
def _builtin_optimizers_watched():
    """Wrap the built-in optimizers' steps and functional kernels; restore them after."""
    patched = []
    for module_name, names in BUILTIN_FUNCTIONS.items():
        module = sys.modules.get(module_name)
        for name in names:
            if module is not None and callable(getattr(module, name, None)):
                patched.append((module, name, f"{module_name}.{name}"))
    for cls_name in BUILTIN_STEPS:
        cls = getattr(torch.optim, cls_name)
        if "step" in vars(cls):
            patched.append((cls, "step", f"torch.optim.{cls_name}.step"))
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patched]
    for owner, name, label in patched:
        setattr(owner, name, _watch(getattr(owner, name), label))
    try:
        yield
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)


def _captured_builtins(state):
    """Private optimizer kernels the submission's module holds by name (imported early)."""
    originals = {id(getattr(sys.modules[m], n)): f"{m}.{n}" for m, names in BUILTIN_FUNCTIONS.items()
                 if m in sys.modules for n in names if n.startswith("_") and hasattr(sys.modules[m], n)}
    names = vars(state.module).items() if state.module is not None else ()
    return [{"level": "python", "op": originals[id(v)], "line": _first_line(state.path, name)}
            for name, v in list(names) if id(v) in originals]


def _first_line(path, name):
    try:
        with open(path, encoding="utf-8", errors="replace") as source:
            return next((i for i, text in enumerate(source, 1) if name in text), None)
    except OSError:
        return None
