"""Correct, written differently: Tensor.unfold windows computed in float64, explicit
padding by concatenation, indices from coordinate grids, cast back at the end."""
import math

import torch


def _two(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _out(n, k, s, p, d, ceil_mode):
    span = n + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    return out - 1 if ceil_mode and (out - 1) * s >= n + p else out


def _pad(x, top, bottom, left, right, value):
    n_lead = x.shape[:-2]
    h, w = x.shape[-2:]
    full = x.new_full((*n_lead, h + top + bottom, w + left + right), value)
    return torch.cat([full[..., :top, :], torch.cat([full[..., top:top + h, :left], x,
                      full[..., top:top + h, left + w:]], dim=-1), full[..., top + h:, :]], dim=-2)


def _prepare(x, kernel_size, stride, padding, dilation, ceil_mode, fill):
    if x.dim() not in (3, 4):
        raise ValueError("expected a 3-D or 4-D input")
    k, p, d = _two(kernel_size), _two(padding), _two(dilation)
    s = k if stride is None else _two(stride)
    if min(k + s + d) < 1 or min(p) < 0 or any(pi > ki // 2 for pi, ki in zip(p, k)):
        raise ValueError(f"invalid kernel/stride/padding/dilation {k} {s} {p} {d}")
    out = [_out(x.shape[-2 + a], k[a], s[a], p[a], d[a], ceil_mode) for a in range(2)]
    if min(out) < 1:
        raise ValueError("output would be empty")
    need = [(out[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1 for a in range(2)]
    extra = [max(0, need[a] - x.shape[-2 + a] - 2 * p[a]) for a in range(2)]
    xp = _pad(x.double(), p[0], p[0] + extra[0], p[1], p[1] + extra[1], fill)
    # windows of the dilated kernel, then keep every d-th tap
    win = xp.unfold(-2, d[0] * (k[0] - 1) + 1, s[0]).unfold(-2, d[1] * (k[1] - 1) + 1, s[1])
    win = win[..., ::d[0], ::d[1]][..., :out[0], :out[1], :, :]
    return win, k, s, p, d, out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    win, k, s, p, d, out = _prepare(input, kernel_size, stride, padding, dilation, ceil_mode,
                                    -math.inf)
    values, tap = win.flatten(-2).max(dim=-1)
    values = values.to(input.dtype)
    if not return_indices:
        return values
    rows = torch.arange(out[0], device=input.device).view(-1, 1) * s[0] - p[0] + (tap // k[1]) * d[0]
    cols = torch.arange(out[1], device=input.device).view(1, -1) * s[1] - p[1] + (tap % k[1]) * d[1]
    return values, rows * input.shape[-1] + cols


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    win, k, s, p, _, out = _prepare(input, kernel_size, stride, padding, 1, ceil_mode, 0.0)
    if divisor_override is not None and not divisor_override:
        raise ValueError("divisor_override cannot be 0")
    total = win.sum(dim=(-2, -1))
    if divisor_override is not None:
        return (total / divisor_override).to(input.dtype)
    sizes = []
    for a in range(2):
        n = input.shape[-2 + a]
        start = torch.arange(out[a], dtype=torch.float64, device=input.device) * s[a] - p[a]
        end = torch.clamp(start + k[a], max=n + p[a])
        if not count_include_pad:
            start, end = start.clamp(min=0), end.clamp(max=n)
        sizes.append(end - start)
    return (total / (sizes[0].view(-1, 1) * sizes[1].view(1, -1))).to(input.dtype)
