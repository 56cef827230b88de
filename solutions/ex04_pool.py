"""ex04 reference: max and average pooling as pad + unfold + a reduction over each window."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _pair(value, name: str) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")


def _out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    # In ceil mode the last window must start inside the input or the left padding.
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _geometry(input, kernel_size, stride, padding, dilation, ceil_mode):
    """Validated (kernel, stride, padding, dilation, output size) per axis, as pairs."""
    if input.dim() not in (3, 4) or input.numel() == 0:
        raise ValueError(f"expected a non-empty 3-D (C, H, W) or 4-D (N, C, H, W) input, "
                         f"got shape {tuple(input.shape)}")
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None else _pair(stride, "stride")
    p, d = _pair(padding, "padding"), _pair(dilation, "dilation")
    if min(k) < 1 or min(s) < 1 or min(d) < 1:
        raise ValueError(f"kernel_size, stride and dilation must be positive, got {k}, {s}, {d}")
    if min(p) < 0 or p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"padding must be between 0 and half the kernel size, got padding={p} "
                         f"for kernel_size={k}")
    h, w = input.shape[-2:]
    out = (_out_size(h, k[0], s[0], p[0], d[0], ceil_mode),
           _out_size(w, k[1], s[1], p[1], d[1], ceil_mode))
    if min(out) < 1:
        raise ValueError(f"input of size {(h, w)} is too small: the output would be {out}")
    return k, s, p, d, out


def _windows(x, k, s, p, d, out, value):
    """(N, C, kH*kW, oH*oW) windows of x padded with `value`, extra padding for ceil mode."""
    n, c, h, w = x.shape
    extra_h = max(0, (out[0] - 1) * s[0] + d[0] * (k[0] - 1) + 1 - (h + 2 * p[0]))
    extra_w = max(0, (out[1] - 1) * s[1] + d[1] * (k[1] - 1) + 1 - (w + 2 * p[1]))
    x = F.pad(x, (p[1], p[1] + extra_w, p[0], p[0] + extra_h), value=value)
    cols = F.unfold(x.reshape(n * c, 1, *x.shape[-2:]), k, dilation=d, stride=s)
    return cols.reshape(n, c, k[0] * k[1], out[0] * out[1])


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    k, s, p, d, out = _geometry(input, kernel_size, stride, padding, dilation, ceil_mode)
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    values, tap = _windows(x, k, s, p, d, out, float("-inf")).max(dim=2)
    values = values.reshape(*x.shape[:2], *out)
    result = values.squeeze(0) if unbatched else values
    if not return_indices:
        return result
    # Window-local tap -> row and column in the unpadded input plane.
    oh = torch.arange(out[0], device=x.device).repeat_interleave(out[1])
    ow = torch.arange(out[1], device=x.device).repeat(out[0])
    row = oh * s[0] - p[0] + (tap // k[1]) * d[0]
    col = ow * s[1] - p[1] + (tap % k[1]) * d[1]
    indices = (row * x.shape[-1] + col).reshape(values.shape)
    return result, (indices.squeeze(0) if unbatched else indices)


def _counts(size, k, s, p, out, count_include_pad, device):
    """How many positions each window of one axis is divided by."""
    start = torch.arange(out, device=device) * s - p
    if count_include_pad:  # windows are clipped to the padded edge (ceil-mode overhang)
        return (start + k).clamp(max=size + p) - start
    return (start + k).clamp(max=size) - start.clamp(min=0)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    k, s, p, _, out = _geometry(input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("divisor_override must not be zero")
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    sums = _windows(x, k, s, p, (1, 1), out, 0.0).sum(dim=2).reshape(*x.shape[:2], *out)
    if divisor_override is not None:
        result = sums / divisor_override
    else:
        rows = _counts(x.shape[-2], k[0], s[0], p[0], out[0], count_include_pad, x.device)
        cols = _counts(x.shape[-1], k[1], s[1], p[1], out[1], count_include_pad, x.device)
        result = sums / (rows[:, None] * cols[None, :]).to(sums.dtype)
    return result.squeeze(0) if unbatched else result
