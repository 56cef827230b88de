"""Bug: cross_entropy treats negative targets as ignored and never looks at ignore_index,
so ignore_index=0 or 1 (a valid class) has no effect."""
import torch
from _reference import reference as _ref

broadcast_shapes, pairwise_sq_dists = _ref.broadcast_shapes, _ref.pairwise_sq_dists
softmax, log_softmax = _ref.softmax, _ref.log_softmax


def cross_entropy(logits, target, reduction="mean", ignore_index=-100):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"unknown reduction {reduction!r}")
    keep = target >= 0
    logp = log_softmax(logits, dim=1)
    picked = logp.gather(1, target.clamp_min(0).unsqueeze(1)).squeeze(1)
    losses = torch.where(keep, -picked, torch.zeros_like(picked))
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / keep.sum()
