"""The core drivers: import the submission, call a function or a module, time it."""
from __future__ import annotations

import importlib
import time

import torch

from ..oprecorder import ForbiddenOps, Recording, graph_ops
from ..submission_code import SubmissionRaised, run_submission
from . import driver

_clock = time.perf_counter  # bound before any submission code can replace it


def to_device(obj, device):
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, tuple):
        return tuple(to_device(v, device) for v in obj)
    if isinstance(obj, list):
        return [to_device(v, device) for v in obj]
    if isinstance(obj, dict):
        return {k: to_device(v, device) for k, v in obj.items()}
    return obj


def flat_tensors(obj) -> list:
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [t for v in obj for t in flat_tensors(v)]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in flat_tensors(v)]
    return []


def rules_of(request) -> ForbiddenOps | None:
    spec = request.get("forbidden")
    return ForbiddenOps(spec.get("forbidden", ()), spec.get("allowed", ())) if spec else None


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@driver("load")
def load(state, request):
    module = state.load()
    return {"names": sorted(n for n in vars(module) if not n.startswith("_"))[:500]}


def _construct(state, request, device, recording):
    """Build ``target(*init.args, **init.kwargs)``, load ``init.state``, move it to the device."""
    init = request["init"]
    cls = state.attribute(request["target"])
    with recording:
        instance = run_submission(
            lambda: cls(*to_device(init.get("args", []), device),
                        **to_device(init.get("kwargs", {}), device)),
            state.path, "construct")
        if init.get("state") is not None:
            run_submission(lambda: instance.load_state_dict(init["state"]), state.path, "load_state_dict")
        if isinstance(instance, torch.nn.Module):
            run_submission(lambda: instance.to(device), state.path, "construct")
    return instance


def grad_key(key) -> str:
    """The name a gradient comes back under: ``0``, ``bias``, ``param:weight``, ``1.0``
    (the trusted side reads them with this very function)."""
    return ".".join(map(str, key)) if isinstance(key, (list, tuple)) else str(key)


def _replace(container, path, fn):
    """``container`` with the element at ``path`` replaced by ``fn(element)`` (tuples rebuilt)."""
    head, rest = path[0], path[1:]
    items = list(container)
    items[head] = fn(items[head]) if not rest else _replace(items[head], rest, fn)
    return items if isinstance(container, list) else type(container)(items)


def _at(container, path):
    for step in path:
        ok = isinstance(container, (list, tuple)) and isinstance(step, int) and step < len(container)
        if not ok:
            return None
        container = container[step]
    return container


def _leaves(wrt, args, kwargs, module):
    """Tensors to differentiate; replaces the chosen inputs by leaves that require grad."""
    leaves = {}
    params = dict(module.named_parameters()) if isinstance(module, torch.nn.Module) else {}
    for key in wrt:
        path = list(key) if isinstance(key, (list, tuple)) else [key] if isinstance(key, int) else None
        if path is not None and isinstance(_at(args, path), torch.Tensor):
            def leaf(t, name=grad_key(key)):
                leaves[name] = t.detach().requires_grad_(True)
                return leaves[name]
            args[:] = _replace(args, path, leaf)
        elif isinstance(key, str) and key.startswith("param:") and key[6:] in params:
            leaves[key] = params[key[6:]]
        elif isinstance(key, str) and isinstance(kwargs.get(key), torch.Tensor):
            kwargs[key] = kwargs[key].detach().requires_grad_(True)
            leaves[key] = kwargs[key]
    return leaves


@driver("call")
def call(state, request):
    device = torch.device(request.get("device", "cpu"))
    rules = rules_of(request)
    recording = Recording(rules, state.path)
    instance = _construct(state, request, device, recording) if request.get("init") else None
    fn = getattr(instance, request.get("method") or "__call__") if instance is not None \
        else state.attribute(request["target"])
    args = list(to_device(request.get("args", []), device))
    kwargs = dict(to_device(request.get("kwargs", {}), device))
    leaves = _leaves(request.get("grad_wrt", []), args, kwargs, instance)
    start = _clock()
    try:
        with recording:
            out = run_submission(lambda: fn(*args, **kwargs), state.path, "call")
            _sync(device)
            elapsed = _clock() - start
            grads = _backward(state, request, out, leaves, device)
    except SubmissionRaised as raised:  # what it called before raising still counts
        raised.info["forbidden"] = recording.hits()
        raise
    result = {
        "output": out,
        "grads": grads,
        "forbidden": recording.hits(),
        "graph": graph_ops(flat_tensors(out)),
        "elapsed": elapsed,
    }
    if request.get("return_inputs"):
        result["inputs_after"] = {"args": args, "kwargs": kwargs}
    if request.get("return_state") and isinstance(instance, torch.nn.Module):
        result["state"] = run_submission(lambda: dict(instance.state_dict()), state.path, "state_dict")
    return result


def _backward(state, request, out, leaves, device):
    grad_outputs = request.get("grad_outputs")
    if not leaves or grad_outputs is None:
        return {}
    outs = flat_tensors(out)
    grad_outputs = to_device(list(grad_outputs), device)
    if len(outs) != len(grad_outputs):
        raise SubmissionRaised({"type": "ValueError", "phase": "backward", "line": None, "generic": True,
                                "message": f"returned {len(outs)} tensors, expected {len(grad_outputs)}"})
    pairs = [(o, g) for o, g in zip(outs, grad_outputs) if o.requires_grad]
    if not pairs:
        raise SubmissionRaised({"type": "RuntimeError", "phase": "backward", "line": None, "generic": True,
                                "message": "the output is not connected to the autograd graph "
                                           "(no gradient can flow back to the inputs)"})
    names = list(leaves)
    grads = run_submission(
        lambda: torch.autograd.grad([o for o, _ in pairs], [leaves[n] for n in names],
                                    [g for _, g in pairs], allow_unused=True),
        state.path, "backward")
    return dict(zip(names, grads))


def _resolve_reference(path: str):
    if not path.startswith("torch."):
        raise ValueError(f"benchmark reference must be a torch built-in, got {path!r}")
    module_name, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


@driver("benchmark")
def benchmark(state, request):
    """Time the submission and the built-in alternately, in this one process."""
    device = torch.device(request.get("device", "cpu"))
    fn = state.attribute(request["target"])
    reference = _resolve_reference(request["reference"])
    args = to_device(request.get("args", []), device)
    kwargs = to_device(request.get("kwargs", {}), device)
    budget, repeats = float(request.get("budget", 5.0)), int(request.get("repeats", 5))
    times = {"submission": [], "reference": []}

    def timed(f):
        start = _clock()
        with torch.no_grad():
            f(*args, **kwargs)
        _sync(device)
        return _clock() - start

    run_submission(lambda: timed(fn), state.path, "call")  # warm-up
    timed(reference)
    begin = _clock()
    for _ in range(repeats):
        times["reference"].append(timed(reference))
        times["submission"].append(run_submission(lambda: timed(fn), state.path, "call"))
        if _clock() - begin > budget:
            break
    return times
