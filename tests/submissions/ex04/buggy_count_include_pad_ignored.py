"""Bug: avg_pool2d always divides by kernel_size[0] * kernel_size[1] (count_include_pad=False and
ceil-mode overhang ignored)."""
import torch
import torch.nn.functional as F


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _out(n, k, s, p, d, ceil_mode):
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _args(x, kernel_size, stride, padding, dilation, ceil_mode):
    if x.dim() not in (3, 4):
        raise ValueError("expected a 3-D or 4-D input")
    k, p, d = _pair(kernel_size), _pair(padding), _pair(dilation)
    s = k if stride is None else _pair(stride)
    if min(k + s + d) < 1 or min(p) < 0 or p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError("bad pooling arguments")
    out = tuple(_out(x.shape[-2 + a], k[a], s[a], p[a], d[a], ceil_mode) for a in range(2))
    if min(out) < 1:
        raise ValueError("output too small")
    return k, s, p, d, out


def _windows(x, k, s, p, d, out, fill):
    lead = x.shape[:-2]
    x = x.reshape(-1, 1, *x.shape[-2:])
    extra = [max(0, (out[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1 - x.shape[2 + a] - 2 * p[a])
             for a in range(2)]
    x = F.pad(x, (p[1], p[1] + extra[1], p[0], p[0] + extra[0]), value=fill)
    return F.unfold(x, k, dilation=d, stride=s).reshape(*lead, k[0] * k[1], out[0], out[1])


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    k, s, p, d, out = _args(input, kernel_size, stride, padding, dilation, ceil_mode)
    values, tap = _windows(input, k, s, p, d, out, float("-inf")).max(dim=-3)
    if not return_indices:
        return values
    rows = torch.arange(out[0], device=input.device).view(-1, 1) * s[0] - p[0]
    cols = torch.arange(out[1], device=input.device).view(1, -1) * s[1] - p[1]
    return values, (rows + (tap // k[1]) * d[0]) * input.shape[-1] + cols + (tap % k[1]) * d[1]


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    k, s, p, d, out = _args(input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override == 0:
        raise ValueError("divisor_override must not be zero")
    total = _windows(input, k, s, p, d, out, 0.0).sum(dim=-3)
    if divisor_override is not None:
        return total / divisor_override
    sizes = []
    for a, n in enumerate(input.shape[-2:]):
        start = torch.arange(out[a], device=input.device) * s[a] - p[a]
        sizes.append(torch.full_like(start, k[a]))
    return total / (sizes[0].view(-1, 1) * sizes[1].view(1, -1))
