"""Bug: zero_grad() between backward() and step(): the step sees zero gradients and
nothing is learned."""
from __future__ import annotations

import torch
from torch import nn


def train_one_epoch(model: nn.Module, loader, loss_fn, optimizer: torch.optim.Optimizer,
                    device: torch.device | str) -> float:
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        total += loss.item() * y.shape[0]
        count += y.shape[0]
    return total / count


def classification_metrics(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int,
                           zero_division: float = 0.0) -> dict:
    y_true, y_pred = y_true.reshape(-1).long().cpu(), y_pred.reshape(-1).long().cpu()
    if y_true.shape != y_pred.shape or y_true.numel() == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and of the same length, got "
                         f"{y_true.numel()} and {y_pred.numel()}")
    labels = torch.cat([y_true, y_pred])
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes}), got values from "
                         f"{int(labels.min())} to {int(labels.max())}")
    k = num_classes
    confusion = torch.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
    tp = confusion.diag().double()
    predicted, actual = confusion.sum(0).double(), confusion.sum(1).double()

    def ratio(num, den):
        return torch.where(den > 0, num / den.clamp(min=1), torch.full_like(num, float(zero_division)))

    return {
        "accuracy": (tp.sum() / y_true.numel()).item(),
        "precision": ratio(tp, predicted).mean().item(),
        "recall": ratio(tp, actual).mean().item(),
        "f1": ratio(2 * tp, actual + predicted).mean().item(),
        "confusion_matrix": confusion,
    }


def _predictions(model: nn.Module, loader, device):
    model.eval()
    trues, preds, width = [], [], None
    with torch.no_grad():
        for x, y in loader:
            logits = model(x.to(device))
            width = logits.shape[1]
            preds.append(logits.argmax(dim=1).cpu())
            trues.append(y.cpu())
    return torch.cat(trues), torch.cat(preds), width


def evaluate(model: nn.Module, loader, device: torch.device | str, num_classes: int) -> dict:
    y_true, y_pred, _ = _predictions(model, loader, device)
    return classification_metrics(y_true, y_pred, num_classes)


def fit(model: nn.Module, train_loader, val_loader, loss_fn, optimizer: torch.optim.Optimizer,
        epochs: int, device: torch.device | str, checkpoint_path: str | None = None) -> list[dict]:
    history, best = [], None
    for epoch in range(1, epochs + 1):
        train_loss = train_one_epoch(model, train_loader, loss_fn, optimizer, device)
        y_true, y_pred, width = _predictions(model, val_loader, device)
        metrics = classification_metrics(y_true, y_pred, width)
        history.append({"epoch": epoch, "train_loss": train_loss,
                        **{f"val_{k}": metrics[k] for k in ("accuracy", "precision", "recall", "f1")}})
        if best is None or metrics["accuracy"] > best:
            best = metrics["accuracy"]
            if checkpoint_path is not None:
                torch.save({"epoch": epoch, "val_accuracy": best,
                            "model_state_dict": model.state_dict(),
                            "optimizer_state_dict": optimizer.state_dict()}, checkpoint_path)
    return history


def load_checkpoint(path: str, model: nn.Module, optimizer: torch.optim.Optimizer | None = None) -> dict:
    device = next(model.parameters()).device
    checkpoint = torch.load(path, map_location=device, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    return checkpoint
