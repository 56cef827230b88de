"""Bug: cross_entropy's 'mean' divides by the number of ALL targets, ignored ones included."""
from _reference import reference as _ref

broadcast_shapes, pairwise_sq_dists = _ref.broadcast_shapes, _ref.pairwise_sq_dists
softmax, log_softmax = _ref.softmax, _ref.log_softmax


def cross_entropy(logits, target, reduction="mean", ignore_index=-100):
    losses = _ref.cross_entropy(logits, target, "none", ignore_index)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":
        return losses.mean()
    raise ValueError(f"unknown reduction {reduction!r}")
