"""Bug: log_softmax is log(softmax(x)): -inf where softmax underflows to 0."""
from _reference import reference as _ref

broadcast_shapes, pairwise_sq_dists = _ref.broadcast_shapes, _ref.pairwise_sq_dists
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy


def log_softmax(x, dim):
    return softmax(x, dim).log()
