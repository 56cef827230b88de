"""Bug: broadcast_shapes aligns shapes on their FIRST dimension (pads with 1s on the right)."""
from _reference import reference as _ref

pairwise_sq_dists, softmax, log_softmax = _ref.pairwise_sq_dists, _ref.softmax, _ref.log_softmax
cross_entropy = _ref.cross_entropy


def broadcast_shapes(*shapes):
    dims = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    ndim = max((len(d) for d in dims), default=0)
    out = [1] * ndim
    for shape in dims:
        for i, size in enumerate(shape):          # should start at ndim - len(shape)
            if size == 1 or size == out[i]:
                continue
            if out[i] != 1:
                raise ValueError(f"cannot broadcast {size} with {out[i]}")
            out[i] = size
    return tuple(out)
