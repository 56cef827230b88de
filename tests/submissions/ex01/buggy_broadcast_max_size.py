"""Bug: broadcast_shapes takes the largest size in each position and never checks that the
sizes are compatible (0 with 1 gives 1, 2 with 3 gives 3 instead of an error)."""
from itertools import zip_longest

from _reference import reference as _ref

pairwise_sq_dists, softmax, log_softmax = _ref.pairwise_sq_dists, _ref.softmax, _ref.log_softmax
cross_entropy = _ref.cross_entropy


def broadcast_shapes(*shapes):
    dims = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    columns = zip_longest(*(reversed(d) for d in dims), fillvalue=1)
    return tuple(reversed([max(col) for col in columns]))
