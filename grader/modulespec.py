"""nn.Module exercises declared as data: how to build the trusted module, call it, compare.

A ``ModuleSpec`` names the submission's class, a factory for the trusted built-in module
(the oracle, built from the same constructor arguments), and optionally a submission
function that takes the module first (``run_lstm(cell, inputs, hx)``) with the oracle
that matches it. A ``ModuleSample`` adds constructor arguments to a ``Sample``.

Parameters are drawn from a per-sample seed in ``param_range`` (so that, e.g., biases
which PyTorch initialises to zero are not zero), rounded to the case's dtype, and sent to
the submission as a state dict; the oracle runs in float64 from those very values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import torch

from .compare import Tol, close_enough
from .sandbox.drivers.core import grad_key  # the rule the drivers name gradients by
from .spec import DEFAULT_TOLERANCES, Misconception, Sample, _as_double


@dataclass(frozen=True)
class ModuleSample(Sample):
    """A ``Sample`` whose module is built with ``init`` / ``init_kwargs``; ``train=False`` is eval mode."""

    init: tuple = ()
    init_kwargs: dict = field(default_factory=dict)
    train: bool = True

    def constructor_args(self) -> str:
        return ", ".join([repr(a) for a in self.init] + [f"{k}={v!r}" for k, v in self.init_kwargs.items()])

    def describe(self, args, kwargs) -> str:
        mode = "" if self.train else " in eval mode"
        called = ", ".join([brief(a) for a in args] + [f"{k}={brief(v)}" for k, v in kwargs.items()])
        return f"module built with ({self.constructor_args()}){mode}, called with ({called})"


def brief(value) -> str:
    """A short description: tensors by shape (and dtype when not floating), tuples item by item."""
    if isinstance(value, torch.Tensor):
        kind = "" if value.is_floating_point() else f", {str(value.dtype).replace('torch.', '')}"
        return f"tensor{tuple(value.shape)}{kind}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(brief(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)


@dataclass(frozen=True)
class ModuleSpec:
    """A module exercise: class ``name`` in the submission must behave like ``reference(...)``."""

    name: str
    reference: Callable[..., torch.nn.Module]   # built from the sample's init args, like the class
    reference_name: str
    salt: str = ""
    function: str | None = None      # call ``function(module, *args)`` instead of ``module(*args)``
    oracle: Callable[..., Any] | None = None   # oracle(ref_module, *args, **kwargs); default: call it
    tolerances: dict = field(default_factory=lambda: dict(DEFAULT_TOLERANCES))
    misconceptions: tuple = ()       # Misconception(variant(ref_module, *args, **kwargs))
    grad_wrt: tuple = (0,)           # positions, kwarg names, (pos, item) paths, "param:<name>"
    arg_names: tuple = ()
    output_names: dict = field(default_factory=dict)   # index path -> name, () for the whole output
    param_range: tuple = (-0.5, 0.5)

    @property
    def what(self) -> str:
        return self.function or f"{self.name}.forward"

    def tol(self, device: str, dtype: torch.dtype) -> Tol:
        return self.tolerances[(device.split(":")[0], str(dtype).replace("torch.", ""))]

    def inputs(self, sample: Sample, dtype: torch.dtype):
        return sample.materialize(dtype, self.salt or self.name)

    def build_reference(self, sample: ModuleSample, dtype: torch.dtype):
        """The trusted float64 module and the state dict (in ``dtype``) the submission loads."""
        with torch.random.fork_rng(devices=[]):
            module = self.reference(*sample.init, **sample.init_kwargs).double()
        gen = torch.Generator().manual_seed(sample.seed(f"{self.salt or self.name}/params"))
        low, high = self.param_range
        with torch.no_grad():
            for p in module.parameters():
                values = torch.rand(p.shape, generator=gen, dtype=torch.float64) * (high - low) + low
                p.copy_(values.to(dtype))   # the submission gets these values rounded to dtype
        module.train(sample.train)
        state = {k: v.detach().to(dtype) if v.is_floating_point() else v.detach()
                 for k, v in module.state_dict().items()}
        return module, state

    def expected(self, module, args, kwargs):
        return self.call_oracle(module, _as_double(args), _as_double(kwargs))

    def call_oracle(self, module, args, kwargs):
        return (self.oracle or _call)(module, *args, **kwargs)

    def matching_misconception(self, module, actual, args, kwargs, tol: Tol) -> Misconception | None:
        got = flat_tensors(actual)
        for m in self.misconceptions:
            try:
                with torch.no_grad():
                    wrong = flat_tensors(m.variant(module, *_as_double(args), **_as_double(kwargs)))
            except Exception:  # noqa: BLE001 - a variant may not apply to this sample
                continue
            if wrong and len(wrong) == len(got) and all(close_enough(a, w, tol) for a, w in zip(got, wrong)):
                return m
        return None

    def label(self, key) -> str:
        """How a student knows a gradient: ``input``, ``hx[1]``, ``parameter weight_ih``."""
        if isinstance(key, str) and key.startswith("param:"):
            return f"parameter {key[6:]}"
        path = list(key) if isinstance(key, (tuple, list)) else [key]
        head = self.arg_names[path[0]] if isinstance(path[0], int) and path[0] < len(self.arg_names) \
            else str(path[0])
        return head + "".join(f"[{p}]" for p in path[1:])

    def name_of(self, path: tuple) -> str:
        if path in self.output_names:
            return self.output_names[path]
        return f"{self.name_of(path[:-1])}[{path[-1]}]" if path else "output"


def _call(module, *args, **kwargs):
    return module(*args, **kwargs)


def flat_tensors(obj) -> list:
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [t for v in obj for t in flat_tensors(v)]
    return []


def at_path(obj, path):
    for step in path:
        if not isinstance(obj, (tuple, list)) or not isinstance(step, int) or step >= len(obj):
            return None
        obj = obj[step]
    return obj


def with_leaf(obj, path, leaf):
    """``obj`` (a list/tuple tree) with the tensor at ``path`` replaced by ``leaf``."""
    if not path:
        return leaf
    items = list(obj)
    items[path[0]] = with_leaf(items[path[0]], path[1:], leaf)
    return items if isinstance(obj, list) else tuple(items)


def gradient_keys(spec: ModuleSpec, module, args, kwargs) -> list:
    """The keys of ``spec.grad_wrt`` that name a floating tensor in this sample."""
    params = dict(module.named_parameters())
    keys = []
    for key in spec.grad_wrt:
        if isinstance(key, str) and key.startswith("param:"):
            value = params.get(key[6:])
        elif isinstance(key, str):
            value = kwargs.get(key)
        else:
            value = at_path(args, list(key) if isinstance(key, (tuple, list)) else [key])
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            keys.append(key)
    return keys


def reference_grads(spec: ModuleSpec, module, args, kwargs, keys, seed: int):
    """Seeded grad_outputs for every output tensor, and the oracle's gradients for ``keys``."""
    args, kwargs = list(_as_double(args)), dict(_as_double(kwargs))
    leaves = {}
    for key in keys:
        if isinstance(key, str) and key.startswith("param:"):
            leaves[grad_key(key)] = module.get_parameter(key[6:])
        elif isinstance(key, str):
            kwargs[key] = leaves[key] = kwargs[key].detach().clone().requires_grad_(True)
        else:
            path = list(key) if isinstance(key, (tuple, list)) else [key]
            leaf = at_path(args, path).detach().clone().requires_grad_(True)
            args = list(with_leaf(args, path, leaf))
            leaves[grad_key(key)] = leaf
    outs = flat_tensors(spec.call_oracle(module, args, kwargs))
    gen = torch.Generator().manual_seed(seed)
    grad_outs = [torch.randn(o.shape, generator=gen, dtype=torch.float64) for o in outs]
    pairs = [(o, g) for o, g in zip(outs, grad_outs) if o.requires_grad]
    names = list(leaves)
    grads = torch.autograd.grad([o for o, _ in pairs], [leaves[n] for n in names],
                                [g for _, g in pairs], allow_unused=True)
    return grad_outs, {n: torch.zeros_like(leaves[n]) if g is None else g for n, g in zip(names, grads)}
