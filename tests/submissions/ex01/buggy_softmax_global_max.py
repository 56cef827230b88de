"""Bug: softmax and log_softmax subtract the max of the WHOLE tensor, not of each slice along
dim: slices far below the global max underflow to 0 / 0."""
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


def softmax(x, dim):
    e = (x - x.max()).exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x, dim):
    shifted = x - x.max()
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean",
                  ignore_index: int = -100) -> torch.Tensor:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if logits.dim() < 2 or target.shape != logits.shape[:1] + logits.shape[2:]:
        raise ValueError(f"expected logits (N, C, ...) and target (N, ...), got "
                         f"{tuple(logits.shape)} and {tuple(target.shape)}")
    keep = target != ignore_index
    safe = torch.where(keep, target, torch.zeros_like(target))   # any valid class; masked below
    picked = log_softmax(logits, dim=1).gather(1, safe.unsqueeze(1)).squeeze(1)
    losses = torch.where(keep, -picked, torch.zeros_like(picked))
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / keep.sum()   # 0 / 0 = nan when every target is ignored, as PyTorch
