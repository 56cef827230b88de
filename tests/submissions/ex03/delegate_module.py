"""Cheat: builds an nn.Conv2d, copies the weights in, and calls it."""
import torch
from torch import nn


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    o, cg, kh, kw = weight.shape
    layer = nn.Conv2d(cg * groups, o, (kh, kw), stride, padding, dilation, groups, bias is not None)
    layer = layer.to(input.dtype)
    with torch.no_grad():
        layer.weight.copy_(weight)
        if bias is not None:
            layer.bias.copy_(bias)
    return layer(input)
