"""Exercises declared as data: sample inputs, the oracle, tolerances, misconceptions.

A ``FunctionSpec`` names the submission's function, the trusted PyTorch built-in that is
the oracle, the tolerances per device type and dtype, and known wrong variants. A
``Sample`` declares inputs with ``T(shape)`` placeholders; they are made from a seed that
depends only on the sample's id, so every run, dtype and device sees the same numbers.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

from .compare import Tol

DTYPES = {"float32": torch.float32, "float64": torch.float64}

DEFAULT_TOLERANCES = {
    ("cpu", "float32"): Tol(atol=1e-4, rtol=1e-4),
    ("cpu", "float64"): Tol(atol=1e-9, rtol=1e-7),
    ("cuda", "float32"): Tol(atol=5e-4, rtol=5e-4),  # TF32 is turned off in the worker
    ("cuda", "float64"): Tol(atol=1e-9, rtol=1e-7),
}


@dataclass(frozen=True)
class T:
    """A tensor input: ``T(2, 3, 8, 8)`` is uniform in [low, high); ``kind`` picks other makers."""

    shape: tuple
    low: float = -1.0
    high: float = 1.0
    kind: str = "uniform"   # uniform | normal | int | bool
    dtype: str | None = None  # fixed dtype (e.g. "int64"); None follows the case's dtype

    def __init__(self, *shape, low=-1.0, high=1.0, kind="uniform", dtype=None):
        object.__setattr__(self, "shape", tuple(shape))
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "dtype", dtype)

    def make(self, gen: torch.Generator, dtype: torch.dtype) -> torch.Tensor:
        if self.kind == "int":
            t = torch.randint(int(self.low), int(self.high), self.shape, generator=gen)
            return t.to(getattr(torch, self.dtype or "int64"))
        if self.kind == "bool":
            return torch.rand(self.shape, generator=gen, dtype=torch.float64) < self.high
        if self.kind == "normal":
            t = torch.randn(self.shape, generator=gen, dtype=torch.float64) * self.high + self.low
        else:
            t = torch.rand(self.shape, generator=gen, dtype=torch.float64) * (self.high - self.low) + self.low
        return t.to(getattr(torch, self.dtype) if self.dtype else dtype)


@dataclass(frozen=True)
class Sample:
    """One input configuration. ``hint`` is shown to a student when this sample fails."""

    id: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    hint: str | None = None
    grad: bool = True          # gradients are checked for this sample when the spec asks

    def seed(self, salt: str) -> int:
        return int.from_bytes(hashlib.sha256(f"{salt}/{self.id}".encode()).digest()[:6], "big")

    def materialize(self, dtype: torch.dtype, salt: str = ""):
        gen = torch.Generator().manual_seed(self.seed(salt))
        make = lambda v: v.make(gen, dtype) if isinstance(v, T) else v  # noqa: E731
        args = [_walk(a, make) for a in self.args]
        kwargs = {k: _walk(v, make) for k, v in self.kwargs.items()}
        return args, kwargs

    def describe(self, args, kwargs) -> str:
        parts = [_short(a) for a in args]
        parts += [f"{k}={_short(v)}" for k, v in kwargs.items()]
        return ", ".join(parts)


def _walk(value, fn):
    if isinstance(value, T):
        return fn(value)
    if isinstance(value, tuple):
        return tuple(_walk(v, fn) for v in value)
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    return value


def _short(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor{tuple(value.shape)}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_short(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return repr(value)


@dataclass(frozen=True)
class Misconception:
    """A known wrong variant: if a wrong output equals ``variant(*args, **kwargs)``, say ``hint``."""

    name: str
    variant: Callable[..., Any]
    hint: str


@dataclass(frozen=True)
class FunctionSpec:
    """A function exercise: ``name`` in the submission must match ``reference``."""

    name: str
    reference: Callable[..., Any]
    reference_name: str                  # how students know the oracle, e.g. torch.nn.functional.conv2d
    salt: str = ""                       # seeds differ per exercise
    tolerances: dict = field(default_factory=lambda: dict(DEFAULT_TOLERANCES))
    misconceptions: tuple = ()
    grad_wrt: tuple = (0,)               # arg positions / kwarg names to differentiate
    arg_names: tuple = ()                # names of positional args, for messages

    def tol(self, device: str, dtype: torch.dtype) -> Tol:
        key = (device.split(":")[0], str(dtype).replace("torch.", ""))
        return self.tolerances[key]

    def inputs(self, sample: Sample, dtype: torch.dtype):
        return sample.materialize(dtype, self.salt or self.name)

    def expected(self, args, kwargs):
        """The oracle in float64 on the CPU, from the very values the submission got."""
        return self.reference(*_as_double(args), **_as_double(kwargs))

    def matching_misconception(self, actual, expected, args, kwargs, tol: Tol) -> Misconception | None:
        """The first known wrong variant that explains a wrong ``actual`` (None if none does)."""
        from .compare import close_enough
        if not isinstance(actual, torch.Tensor) or close_enough(actual, expected, tol):
            return None  # the values are right: the failure is about dtype or device
        for m in self.misconceptions:
            try:
                wrong = m.variant(*_as_double(args), **_as_double(kwargs))
            except Exception:  # noqa: BLE001 - a variant may not apply to this sample
                continue
            if isinstance(wrong, torch.Tensor) and not close_enough(wrong, expected, tol) \
                    and close_enough(actual, wrong, tol):
                return m
        return None


def _as_double(obj):
    if isinstance(obj, torch.Tensor):
        return obj.detach().double() if obj.is_floating_point() else obj
    if isinstance(obj, (list, tuple)):
        return type(obj)(_as_double(v) for v in obj)
    if isinstance(obj, dict):
        return {k: _as_double(v) for k, v in obj.items()}
    return obj
