"""Cheat: calls the aten convolution op directly, hoping to slip past a name check."""
import torch


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    pair = lambda v: [v, v] if isinstance(v, int) else list(v)  # noqa: E731
    if isinstance(padding, str):
        import torch.nn.functional as F
        return F.conv2d(input, weight, bias, stride, padding, dilation, groups)
    return torch.ops.aten.convolution(input, weight, bias, pair(stride), pair(padding),
                                      pair(dilation), False, [0, 0], groups)
