"""Delegation: broadcast_shapes adds empty "meta" tensors of the shapes (no memory) and
reads the shape of the sum, so PyTorch does the broadcasting (the rest is correct)."""
import torch

REDUCTIONS = ("none", "mean", "sum")


def broadcast_shapes(*shapes):
    out = torch.empty((), device="meta")
    try:
        for shape in shapes:
            out = out + torch.empty(shape, device="meta")
    except RuntimeError as e:
        raise ValueError(str(e)) from None
    return tuple(out.shape)


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
