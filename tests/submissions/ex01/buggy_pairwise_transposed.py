"""Bug: pairwise_sq_dists returns the (M, N) matrix (rows of y first)."""
from _reference import reference as _ref

broadcast_shapes, softmax, log_softmax = _ref.broadcast_shapes, _ref.softmax, _ref.log_softmax
cross_entropy = _ref.cross_entropy


def pairwise_sq_dists(x, y):
    return ((y[:, None, :] - x[None, :, :]) ** 2).sum(-1)
