"""Correct, written differently: explicit Python loops over output positions, reading
each window tap by tap (no unfold, no padding tensor)."""
import torch


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _size(n, k, s, p, d, ceil_mode):
    num = n + 2 * p - d * (k - 1) - 1
    out = -(-num // s) + 1 if ceil_mode else num // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _setup(input, kernel_size, stride, padding, dilation, ceil_mode):
    if input.dim() not in (3, 4):
        raise RuntimeError("input must be 3-D or 4-D")
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride) if stride is not None else (kh, kw)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    if kh <= 0 or kw <= 0 or sh <= 0 or sw <= 0 or dh <= 0 or dw <= 0:
        raise RuntimeError("kernel, stride and dilation must be > 0")
    if ph < 0 or pw < 0 or 2 * ph > kh or 2 * pw > kw:
        raise RuntimeError("pad should be at most half of kernel size")
    h, w = input.shape[-2:]
    oh = _size(h, kh, sh, ph, dh, ceil_mode)
    ow = _size(w, kw, sw, pw, dw, ceil_mode)
    if oh <= 0 or ow <= 0:
        raise RuntimeError("output size is too small")
    return (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = _setup(
        input, kernel_size, stride, padding, dilation, ceil_mode)
    h, w = input.shape[-2:]
    flat = input.reshape(*input.shape[:-2], h * w)
    values, indices = [], []
    for i in range(oh):
        for j in range(ow):
            taps = [(i * sh - ph + a * dh) * w + (j * sw - pw + b * dw)
                    for a in range(kh) for b in range(kw)
                    if 0 <= i * sh - ph + a * dh < h and 0 <= j * sw - pw + b * dw < w]
            taps = torch.tensor(taps, device=input.device)
            window = flat[..., taps]
            best = window.argmax(dim=-1, keepdim=True)
            values.append(window.gather(-1, best))
            indices.append(taps[best])
    out = torch.cat(values, dim=-1).reshape(*input.shape[:-2], oh, ow)
    if return_indices:
        return out, torch.cat(indices, dim=-1).reshape(out.shape)
    return out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    (kh, kw), (sh, sw), (ph, pw), _, (oh, ow) = _setup(input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override == 0:
        raise ZeroDivisionError("divisor_override must be non-zero")
    h, w = input.shape[-2:]
    cells = []
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - ph, j * sw - pw
            r1, c1 = min(r0 + kh, h + ph), min(c0 + kw, w + pw)
            window = input[..., max(r0, 0):min(r1, h), max(c0, 0):min(c1, w)]
            if divisor_override is not None:
                div = divisor_override
            elif count_include_pad:
                div = (r1 - r0) * (c1 - c0)
            else:
                div = (min(r1, h) - max(r0, 0)) * (min(c1, w) - max(c0, 0))
            cells.append(window.sum(dim=(-2, -1)) / div)
    return torch.stack(cells, dim=-1).reshape(*input.shape[:-2], oh, ow)
