"""Correct, written differently: one-hot matmul confusion matrix, float32 metrics on the
device, len(loader.dataset) as the denominator, a separate evaluate call in fit with the
class count from one probe forward, and the checkpoint saved as soon as an epoch improves."""
import torch
import torch.nn.functional as F


def train_one_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    running = 0.0
    for x, y in loader:
        x = x.to(device=device, non_blocking=True)
        y = y.to(device=device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        out = model(x)
        loss = loss_fn(out, y)
        loss.backward()
        optimizer.step()
        running += loss.item() * x.size(0)
    return running / len(loader.dataset)


def classification_metrics(y_true, y_pred, num_classes, zero_division=0.0):
    if y_true.dim() != 1 or y_true.shape != y_pred.shape or len(y_true) == 0:
        raise ValueError(f"expected two 1-D label tensors of one length, got {tuple(y_true.shape)} "
                         f"and {tuple(y_pred.shape)}")
    if (torch.cat([y_true, y_pred]) < 0).any() or (torch.cat([y_true, y_pred]) >= num_classes).any():
        raise ValueError("labels must lie in [0, num_classes)")
    t = F.one_hot(y_true, num_classes).float()
    p = F.one_hot(y_pred, num_classes).float()
    cm = t.T @ p
    tp = cm.diagonal()
    pred_count, true_count = cm.sum(dim=0), cm.sum(dim=1)
    zd = torch.tensor(zero_division, dtype=torch.float32)
    precision = torch.where(pred_count > 0, tp / pred_count.clamp_min(1), zd)
    recall = torch.where(true_count > 0, tp / true_count.clamp_min(1), zd)
    f1 = torch.where(true_count + pred_count > 0, 2 * tp / (true_count + pred_count).clamp_min(1), zd)
    return {"accuracy": (tp.sum() / len(y_true)).item(), "precision": precision.mean().item(),
            "recall": recall.mean().item(), "f1": f1.mean().item(),
            "confusion_matrix": cm.round().to(torch.int64).cpu()}


@torch.no_grad()
def evaluate(model, loader, device, num_classes):
    model.eval()
    trues, preds = [], []
    for x, y in loader:
        preds.append(model(x.to(device)).argmax(dim=1).cpu())
        trues.append(y)
    return classification_metrics(torch.cat(trues), torch.cat(preds), num_classes)


def _num_classes(model, loader, device):
    model.eval()
    with torch.no_grad():
        x, _ = next(iter(loader))
        return model(x[:2].to(device)).shape[1]


def fit(model, train_loader, val_loader, loss_fn, optimizer, epochs, device, checkpoint_path=None):
    history, best_acc = [], None
    k = None
    for epoch in range(1, epochs + 1):
        train_loss = train_one_epoch(model, train_loader, loss_fn, optimizer, device)
        if k is None:
            k = _num_classes(model, val_loader, device)
        m = evaluate(model, val_loader, device, k)
        history.append(dict(epoch=epoch, train_loss=train_loss, val_accuracy=m["accuracy"],
                            val_precision=m["precision"], val_recall=m["recall"], val_f1=m["f1"]))
        if best_acc is None or m["accuracy"] > best_acc:
            best_acc = m["accuracy"]
            if checkpoint_path:
                torch.save(dict(epoch=epoch, val_accuracy=best_acc,
                                model_state_dict=model.state_dict(),
                                optimizer_state_dict=optimizer.state_dict()), checkpoint_path)
    return history


def load_checkpoint(path, model, optimizer=None):
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(ckpt["model_state_dict"])
    if optimizer is not None:
        optimizer.load_state_dict(ckpt["optimizer_state_dict"])
    return ckpt
