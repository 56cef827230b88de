"""Trusted-side comparisons with diagnostics a student can act on.

Every function raises ``CheckFailure`` with a message that says what was expected, what
came back, and where the worst element is. ``reveal_expected=False`` (hidden checks) keeps
expected values out of the message.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .outcomes import CheckFailure
from .sandbox.wire import Opaque


@dataclass(frozen=True)
class Tol:
    """``|actual - expected| <= atol + rtol * |expected|`` elementwise."""

    atol: float
    rtol: float

    def __str__(self):
        return f"atol={self.atol:g}, rtol={self.rtol:g}"


def describe_value(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor of shape {tuple(value.shape)} and dtype {str(value.dtype).replace('torch.', '')}"
    if isinstance(value, Opaque):
        return f"an object of type {value.type_name}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"{type(value).__name__} {value!r:.60}"


def expect_tensor(value, what: str = "output") -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise CheckFailure(f"{what} should be a torch.Tensor, got {describe_value(value)}")
    return value


def _fmt_index(flat: int, shape) -> tuple:
    return tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), tuple(shape))) if shape else ()


def close_enough(actual: torch.Tensor, expected: torch.Tensor, tol: Tol) -> bool:
    if actual.shape != expected.shape:
        return False
    a, e = actual.detach().double(), expected.detach().double()
    return bool(torch.isclose(a, e, rtol=tol.rtol, atol=tol.atol, equal_nan=True).all())


def assert_close(actual, expected: torch.Tensor, *, tol: Tol, what: str = "output",
                 dtype: torch.dtype | None = None, device: str | None = None,
                 actual_device: str | None = None, reveal_expected: bool = True) -> None:
    """Check type, shape, dtype, device, then values; raise ``CheckFailure`` on the first miss."""
    actual = expect_tensor(actual, what)
    if tuple(actual.shape) != tuple(expected.shape):
        raise CheckFailure(f"{what} has shape {tuple(actual.shape)}, expected {tuple(expected.shape)}")
    if dtype is not None and actual.dtype != dtype:
        raise CheckFailure(f"{what} has dtype {_name(actual.dtype)}, expected {_name(dtype)} "
                           "(the output should keep the dtype of the inputs)", about_values=False)
    if device is not None and actual_device is not None and actual_device != device:
        raise CheckFailure(f"{what} is on {actual_device}, expected {device} (create new tensors "
                           "on the input's device, e.g. torch.zeros(..., device=x.device))",
                           about_values=False)
    a, e = actual.detach().double(), expected.detach().double()
    ok = torch.isclose(a, e, rtol=tol.rtol, atol=tol.atol, equal_nan=True)
    if bool(ok.all()):
        return
    raise CheckFailure(value_mismatch(a, e, ok, tol=tol, what=what, reveal_expected=reveal_expected))


def value_mismatch(a, e, ok, *, tol: Tol, what: str, reveal_expected: bool) -> str:
    bad = int((~ok).sum())
    err = (a - e).abs()
    err = torch.where(torch.isnan(err), torch.full_like(err, float("inf")), err)
    worst = int(err.reshape(-1).argmax())
    index = _fmt_index(worst, a.shape)
    got = a.reshape(-1)[worst].item()
    want = e.reshape(-1)[worst].item()
    rel = err.reshape(-1)[worst].item() / max(abs(want), 1e-300)
    lines = [f"{what} values are wrong: {bad} of {a.numel()} elements outside the tolerance ({tol})"]
    where = f"worst element at index {index}: got {got:.6g}"
    if reveal_expected:
        where += f", expected {want:.6g}"
    lines.append(f"{where} (abs error {err.reshape(-1)[worst].item():.3g}, rel error {rel:.3g})")
    if torch.isnan(a).any() and not torch.isnan(e).any():
        lines.append(f"{what} contains NaN where the reference has none")
    elif torch.isinf(a).any() and not torch.isinf(e).any():
        lines.append(f"{what} contains inf where the reference has none (overflow?)")
    return "\n".join(lines)


def assert_unchanged(before: torch.Tensor, after, name: str) -> None:
    after = expect_tensor(after, f"input `{name}` after the call")
    if after.shape != before.shape or not torch.equal(after.to(before.dtype), before):
        raise CheckFailure(f"input `{name}` was modified in place; a function must not change "
                           "its inputs (use out-of-place ops, or clone before an in-place op)")


def _name(dtype) -> str:
    return str(dtype).replace("torch.", "")
