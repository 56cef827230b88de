"""Attack (8, evasion): take the value from F.conv2d under torch.no_grad() (fast, and no
autograd node for a graph walk to find) and the gradient from a slow unfold version, glued
as value + (slow - slow.detach()). Correct values and gradients. Expected: the built-in is
recorded even under no_grad (or flagged): no unflagged points."""
import torch
import torch.nn.functional as F


def _slow(x, w, b):
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    out = (w.reshape(o, -1) @ F.unfold(x, (kh, kw))).reshape(n, o, h - kh + 1, wd - kw + 1)
    return out if b is None else out + b.view(1, -1, 1, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    with torch.no_grad():
        value = F.conv2d(input, weight, bias, stride, padding, dilation, groups)
    slow = _slow(input, weight, bias)
    return value + (slow - slow.detach())
