"""Bug: cross_entropy flattens (N, C, d...) logits with reshape(-1, C), which mixes classes
and positions (the class dimension must be moved last first)."""
import torch
from _reference import reference as _ref

broadcast_shapes, pairwise_sq_dists = _ref.broadcast_shapes, _ref.pairwise_sq_dists
softmax, log_softmax = _ref.softmax, _ref.log_softmax


def cross_entropy(logits, target, reduction="mean", ignore_index=-100):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"unknown reduction {reduction!r}")
    flat = logits.reshape(-1, logits.shape[1])          # should be logits.movedim(1, -1)
    t = target.reshape(-1)
    keep = t != ignore_index
    logp = log_softmax(flat, dim=1)
    picked = logp.gather(1, torch.where(keep, t, 0)[:, None])[:, 0]
    losses = torch.where(keep, -picked, 0.0)
    if reduction == "none":
        return losses.reshape(target.shape)
    return losses.sum() if reduction == "sum" else losses.sum() / keep.sum()
