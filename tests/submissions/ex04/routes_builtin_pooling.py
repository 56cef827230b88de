"""Other routes to the built-in pooling, each a function taking a 4-D input (used by
tests/test_ex04.py to show that the forbidden patterns of course.yaml catch every one)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def via_functional_max(x):
    return F.max_pool2d(x, 2)


def via_functional_avg(x):
    return F.avg_pool2d(x, 2)


def via_module(x):
    return nn.MaxPool2d(2)(x)


def via_aten(x):
    return torch.ops.aten.max_pool2d_with_indices(x, [2, 2], [2, 2])[0]


def via_adaptive(x):
    return F.adaptive_avg_pool2d(x, (x.shape[-2] // 2, x.shape[-1] // 2))


def via_adaptive_max(x):
    return F.adaptive_max_pool2d(x, 2)


def via_torch_namespace(x):
    return torch.max_pool2d(x, 2)
