"""The module driver: build a submission's nn.Module in a given dtype, load a state, call it.

Like ``call`` with ``init``, plus what module checks need and ``call`` lacks:
- ``dtype``: the module is cast (``.to(dtype)``) BEFORE the state is loaded, so a float64
  check runs a float64 module (``load_state_dict`` copies into the existing parameters and
  would keep them float32);
- ``train``: ``False`` puts the module in eval mode (dropout off);
- ``function``: call a submission function with the module first, ``fn(module, *args)``
  (e.g. ``run_lstm(cell, inputs, hx)``), instead of the module itself;
- ``grad_wrt`` also takes paths into nested arguments: ``[1, 0]`` is ``args[1][0]``
  (the ``h`` of an ``hx=(h, c)`` tuple);
- ``return_state`` also returns the names and shapes of ``named_parameters()``;
  ``construct_only`` returns just that, without calling anything.
"""
from __future__ import annotations

import torch

from ..oprecorder import Recording, graph_ops
from ..submission_code import run_submission
from . import driver
from .core import _backward, _leaves, flat_tensors, rules_of, to_device


def _build(state, request, device, recording):
    init = request.get("init") or {}
    cls = state.attribute(request["target"])
    dtype = request.get("dtype")
    with recording:
        module = run_submission(lambda: cls(*to_device(init.get("args", []), device),
                                            **to_device(init.get("kwargs", {}), device)),
                                state.path, "construct")
        if isinstance(module, torch.nn.Module):
            run_submission(lambda: module.to(device=device, dtype=dtype), state.path, "construct")
            if request.get("train") is False:
                run_submission(lambda: module.eval(), state.path, "construct")
        if init.get("state") is not None:
            run_submission(lambda: module.load_state_dict(to_device(init["state"], device)),
                           state.path, "load_state_dict")
    return module


def _layout(state, module):
    params = run_submission(lambda: [(n, list(p.shape)) for n, p in module.named_parameters()],
                            state.path, "state_dict")
    tensors = run_submission(lambda: dict(module.state_dict()), state.path, "state_dict")
    return {"parameters": dict(params), "state": tensors}


@driver("module_call")
def module_call(state, request):
    device = torch.device(request.get("device", "cpu"))
    recording = Recording(rules_of(request), state.path)
    module = _build(state, request, device, recording)
    if request.get("construct_only"):
        return {"output": None, "forbidden": recording.hits(), **_layout(state, module)}
    if request.get("function"):
        function = state.attribute(request["function"])
        fn = lambda *a, **k: function(module, *a, **k)  # noqa: E731
    else:
        fn = getattr(module, request.get("method") or "__call__")
    args = list(to_device(request.get("args", []), device))
    kwargs = dict(to_device(request.get("kwargs", {}), device))
    leaves = _leaves(request.get("grad_wrt", []), args, kwargs, module)
    with recording:
        out = run_submission(lambda: fn(*args, **kwargs), state.path, "call")
        grads = _backward(state, request, out, leaves, device)
    result = {"output": out, "grads": grads, "forbidden": recording.hits(),
              "graph": graph_ops(flat_tensors(out)),
              "output_devices": [t.device.type for t in flat_tensors(out)]}
    if request.get("return_inputs"):
        result["inputs_after"] = {"args": args, "kwargs": kwargs}
    if request.get("return_state") and isinstance(module, torch.nn.Module):
        result.update(_layout(state, module))
    return result
