"""Bug: cross_entropy flattens (N, C, d...) logits with reshape(-1, C), which mixes classes
and positions (the class dimension must be moved last first)."""
from __future__ import annotations

import torch

REDUCTIONS = ("none", "mean", "sum")


def _dims(shape) -> tuple[int, ...]:
    if isinstance(shape, int) and not isinstance(shape, bool):
        return (shape,)
    if isinstance(shape, (tuple, list)) and all(isinstance(d, int) and not isinstance(d, bool)
                                               for d in shape):
        return tuple(shape)
    raise ValueError(f"a shape must be an int or a tuple/list of ints, got {shape!r}")


def broadcast_shapes(*shapes) -> tuple:
    dims = [_dims(s) for s in shapes]
    ndim = max((len(d) for d in dims), default=0)
    out = [1] * ndim
    for shape in dims:
        # Shapes are aligned on their last dimension: shape[k] sits at out[ndim - len + k].
        for i, size in enumerate(shape, start=ndim - len(shape)):
            if size < 0:
                raise ValueError(f"negative dimension {size} in shape {shape}")
            if size == 1 or size == out[i]:
                continue
            if out[i] != 1:
                raise ValueError(f"shapes {shapes} cannot be broadcast: dimension {i - ndim} "
                                 f"has sizes {out[i]} and {size}")
            out[i] = size
    return tuple(out)


def pairwise_sq_dists(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    x_sq = (x * x).sum(dim=1, keepdim=True)          # (N, 1)
    y_sq = (y * y).sum(dim=1)                        # (M,)
    # Rounding can make a zero distance slightly negative; a squared distance is >= 0.
    return (x_sq + y_sq - 2 * (x @ y.T)).clamp_min(0)


def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    e = (x - x.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    shifted = x - x.amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


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
