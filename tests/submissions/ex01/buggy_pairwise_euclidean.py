"""Bug: pairwise_sq_dists returns Euclidean distances (square root taken), like cdist."""
from _reference import reference as _ref

broadcast_shapes, softmax, log_softmax = _ref.broadcast_shapes, _ref.softmax, _ref.log_softmax
cross_entropy = _ref.cross_entropy


def pairwise_sq_dists(x, y):
    sq = (x * x).sum(1, keepdim=True) + (y * y).sum(1) - 2 * x @ y.T
    return sq.clamp_min(0).sqrt()
