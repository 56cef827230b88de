"""Delegation: every function hands the work to the PyTorch built-in it should replace."""
import torch
import torch.nn.functional as F


def broadcast_shapes(*shapes):
    try:
        return tuple(torch.broadcast_shapes(*shapes))
    except RuntimeError as e:
        raise ValueError(str(e)) from None


def pairwise_sq_dists(x, y):
    return torch.cdist(x, y) ** 2


def softmax(x, dim):
    return F.softmax(x, dim=dim)


def log_softmax(x, dim):
    return torch.log_softmax(x, dim)


def cross_entropy(logits, target, reduction="mean", ignore_index=-100):
    return F.cross_entropy(logits, target, reduction=reduction, ignore_index=ignore_index)
