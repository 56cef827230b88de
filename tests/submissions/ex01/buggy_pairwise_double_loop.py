"""Bug: pairwise_sq_dists is right but loops over every pair in Python (far too slow)."""
import torch
from _reference import reference as _ref

broadcast_shapes, softmax, log_softmax = _ref.broadcast_shapes, _ref.softmax, _ref.log_softmax
cross_entropy = _ref.cross_entropy


def pairwise_sq_dists(x, y):
    rows = []
    for i in range(x.shape[0]):
        rows.append(torch.stack([((x[i] - y[j]) ** 2).sum() for j in range(y.shape[0])]))
    return torch.stack(rows)
