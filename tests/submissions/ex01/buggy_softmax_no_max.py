"""Bug: softmax and log_softmax exponentiate x directly (no max subtracted): inf/inf = nan
for inputs of magnitude 1e4."""
from _reference import reference as _ref

broadcast_shapes, pairwise_sq_dists = _ref.broadcast_shapes, _ref.pairwise_sq_dists


def softmax(x, dim):
    e = x.exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x, dim):
    return x - x.exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits, target, reduction="mean", ignore_index=-100):
    return _ref.cross_entropy(logits, target, reduction, ignore_index)
