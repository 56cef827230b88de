"""Delegation: classification_metrics calls scikit-learn instead of computing the metrics."""
import torch
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support


def classification_metrics(y_true, y_pred, num_classes, zero_division=0.0):
    labels = list(range(num_classes))
    t, p = y_true.cpu().numpy(), y_pred.cpu().numpy()
    precision, recall, f1, _ = precision_recall_fscore_support(
        t, p, labels=labels, average="macro", zero_division=zero_division)
    return {"accuracy": float(accuracy_score(t, p)), "precision": float(precision),
            "recall": float(recall), "f1": float(f1),
            "confusion_matrix": torch.from_numpy(confusion_matrix(t, p, labels=labels)).long()}


def train_one_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / count


def evaluate(model, loader, device, num_classes):
    model.eval()
    trues, preds = [], []
    with torch.no_grad():
        for x, y in loader:
            preds.append(model(x.to(device)).argmax(1).cpu())
            trues.append(y)
    return classification_metrics(torch.cat(trues), torch.cat(preds), num_classes)


def fit(model, train_loader, val_loader, loss_fn, optimizer, epochs, device, checkpoint_path=None):
    history, best = [], None
    for epoch in range(1, epochs + 1):
        loss = train_one_epoch(model, train_loader, loss_fn, optimizer, device)
        m = evaluate(model, val_loader, device, 10)
        history.append({"epoch": epoch, "train_loss": loss,
                        **{f"val_{k}": m[k] for k in ("accuracy", "precision", "recall", "f1")}})
        if best is None or m["accuracy"] > best:
            best = m["accuracy"]
            if checkpoint_path is not None:
                torch.save({"epoch": epoch, "val_accuracy": best, "model_state_dict": model.state_dict(),
                            "optimizer_state_dict": optimizer.state_dict()}, checkpoint_path)
    return history


def load_checkpoint(path, model, optimizer=None):
    ckpt = torch.load(path, weights_only=True)
    model.load_state_dict(ckpt["model_state_dict"])
    if optimizer is not None:
        optimizer.load_state_dict(ckpt["optimizer_state_dict"])
    return ckpt
