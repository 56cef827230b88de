"""Correct, written differently: Python loops for the metrics, zero_grad after step (as in
PyTorch's tutorial), the loss accumulated as a tensor, model.zero_grad, a deep copy of the
best state saved at the end, inference_mode for evaluation."""
import copy

import torch


def train_one_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    total = torch.zeros((), dtype=torch.float64)
    seen = 0
    for batch in loader:
        inputs, targets = [t.to(device) for t in batch]
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        model.zero_grad(set_to_none=False)
        total += loss.detach().double().cpu() * len(targets)
        seen += len(targets)
    return float(total / seen)


def classification_metrics(y_true, y_pred, num_classes, zero_division=0.0):
    y_true, y_pred = y_true.tolist(), y_pred.tolist()
    if len(y_true) != len(y_pred) or not y_true:
        raise ValueError("y_true and y_pred need the same, non-zero length")
    for label in y_true + y_pred:
        if not 0 <= label < num_classes:
            raise ValueError(f"label {label} is outside [0, {num_classes})")
    matrix = [[0] * num_classes for _ in range(num_classes)]
    for t, p in zip(y_true, y_pred):
        matrix[t][p] += 1
    precisions, recalls, f1s = [], [], []
    for c in range(num_classes):
        tp = matrix[c][c]
        predicted = sum(matrix[t][c] for t in range(num_classes))
        actual = sum(matrix[c])
        precisions.append(tp / predicted if predicted else zero_division)
        recalls.append(tp / actual if actual else zero_division)
        f1s.append(2 * tp / (actual + predicted) if actual + predicted else zero_division)
    correct = sum(matrix[c][c] for c in range(num_classes))
    return {"accuracy": correct / len(y_true),
            "precision": sum(precisions) / num_classes,
            "recall": sum(recalls) / num_classes,
            "f1": sum(f1s) / num_classes,
            "confusion_matrix": torch.tensor(matrix, dtype=torch.int64)}


def _collect(model, loader, device):
    model.eval()
    truths, preds, width = [], [], 0
    with torch.inference_mode():
        for inputs, targets in loader:
            logits = model(inputs.to(device))
            width = logits.shape[-1]
            preds.extend(logits.argmax(-1).tolist())
            truths.extend(targets.tolist())
    return torch.tensor(truths), torch.tensor(preds), width


def evaluate(model, loader, device, num_classes):
    truths, preds, _ = _collect(model, loader, device)
    return classification_metrics(truths, preds, num_classes)


def fit(model, train_loader, val_loader, loss_fn, optimizer, epochs, device, checkpoint_path=None):
    history = []
    best_accuracy, best = -1.0, None
    for epoch in range(epochs):
        loss = train_one_epoch(model, train_loader, loss_fn, optimizer, device)
        truths, preds, width = _collect(model, val_loader, device)
        metrics = classification_metrics(truths, preds, width)
        history.append({"epoch": epoch + 1, "train_loss": loss,
                        "val_accuracy": metrics["accuracy"], "val_precision": metrics["precision"],
                        "val_recall": metrics["recall"], "val_f1": metrics["f1"]})
        if metrics["accuracy"] > best_accuracy:
            best_accuracy = metrics["accuracy"]
            best = copy.deepcopy({"epoch": epoch + 1, "val_accuracy": best_accuracy,
                                  "model_state_dict": model.state_dict(),
                                  "optimizer_state_dict": optimizer.state_dict()})
    if checkpoint_path is not None and best is not None:
        torch.save(best, checkpoint_path)
    return history


def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    if optimizer:
        optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    return checkpoint
