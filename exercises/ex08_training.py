"""ex08: a full training loop on real data.

Write the five pieces every PyTorch project has: one epoch of training, classification
metrics, evaluation, a ``fit`` loop that keeps the best checkpoint, and checkpoint loading.
The checks train a small MLP (with batch norm and dropout) on the 8x8 handwritten digits
(1797 images, 10 classes); they build the model, loaders, loss and optimizer themselves and
watch what your loop does to them.

One training step, in this order:

    x, y = x.to(device), y.to(device)   # every batch to the model's device
    optimizer.zero_grad()               # .backward() ADDS to .grad: clear the previous step's
    loss = loss_fn(model(x), y)         # the mean loss over the batch
    loss.backward()
    optimizer.step()

(``zero_grad`` may also come right after ``step``, as in PyTorch's own tutorial: what matters
is that the gradients are zero when ``backward`` starts, and non-zero when ``step`` runs.)

Modes: ``model.train()`` before training (dropout active, batch norm uses and updates batch
statistics), ``model.eval()`` before evaluating (dropout off, batch norm uses its running
statistics). Evaluation needs no gradients: run it under ``torch.no_grad()`` (or
``torch.inference_mode()``): faster, less memory, and no graph is built.

The epoch loss is the mean over SAMPLES: sum_b loss_b * n_b / sum_b n_b, where loss_b is the
mean loss of batch b and n_b its size. The last batch is usually smaller, so the mean of the
batch means is NOT the same. Example: batches of 4 and 1 samples with mean losses 1.0 and
3.0 give (4 * 1.0 + 1 * 3.0) / 5 = 1.4, not (1.0 + 3.0) / 2 = 2.0.

Metrics (scikit-learn's definitions with ``labels=range(num_classes)``, ``average="macro"``):
with the confusion matrix C[t, p] = number of samples of true class t predicted as p (rows =
true class, columns = predicted), for each class c

    TP_c = C[c, c]    predicted_c = sum_t C[t, c]    actual_c = sum_p C[c, p]
    precision_c = TP_c / predicted_c          (zero_division if predicted_c == 0)
    recall_c    = TP_c / actual_c             (zero_division if actual_c == 0)
    f1_c        = 2 TP_c / (actual_c + predicted_c)   (zero_division if both are 0)

and precision, recall, f1 are the plain means of the per-class values over ALL
``num_classes`` classes, classes that never occur included ("macro" average; "micro" would
pool the counts and give the accuracy). accuracy = sum_c TP_c / number of samples.
Example: y_true = [0, 0, 1, 2], y_pred = [0, 1, 1, 1], num_classes = 4: C has rows
[1,1,0,0], [0,1,0,0], [0,1,0,0], [0,0,0,0]; precision_c = [1, 1/3, 0 (never predicted),
0 (never predicted)], recall_c = [1/2, 1, 0, 0 (never present)], f1_c = [2/3, 1/2, 0, 0];
precision = 1/3, recall = 3/8, f1 = 7/24, accuracy = 1/2. With zero_division=1.0:
precision_c = [1, 1/3, 1, 1], recall_c = [1/2, 1, 0, 1], f1_c = [2/3, 1/2, 0, 1].

Checkpoints: ``model.state_dict()`` and ``optimizer.state_dict()`` return REFERENCES to the
live tensors, which later steps update in place; save them (``torch.save``) when they are
the best so far, or keep a deep copy (``copy.deepcopy``). A checkpoint holds only tensors and
plain Python data, so ``torch.load(path, weights_only=True)`` reads it back.

What the checks look at: the value ``train_one_epoch`` returns (per-sample mean of the
losses your ``loss_fn`` calls returned), gradients zero before every ``backward``, one
``optimizer.step()`` per batch, every batch once, train mode and autograd during training,
eval mode and no autograd during evaluation, every batch moved with ``.to(device)`` (on a
GPU the model lives there), metrics equal to the grader's on fixed predictions (classes
never predicted or never present, zero_division 0 and 1, errors for bad input) and on the
grader's own predictions of the model, the history ``fit`` returns, the checkpoint it keeps
(best epoch, weights and optimizer state of that epoch), validation accuracy above 0.9 after
3 epochs (evaluated by the grader), and ``load_checkpoint`` on the grader's checkpoints.
Do not import scikit-learn or torchmetrics: computing the metrics is the exercise.
"""
from __future__ import annotations

import torch
from torch import nn


def train_one_epoch(model: nn.Module, loader, loss_fn, optimizer: torch.optim.Optimizer,
                    device: torch.device | str) -> float:
    """Train ``model`` for one pass over ``loader`` and return the mean loss per sample.

    Args:
        model: already on ``device``; put it in training mode.
        loader: yields ``(x, y)`` batches on the CPU: x (B, 64) float32, y (B,) int64.
        loss_fn: ``loss_fn(logits, y)`` returns the MEAN loss of the batch (a 0-d tensor);
            call it exactly once per batch and backpropagate through the value it returns.
        optimizer: over ``model.parameters()``; one ``step()`` per batch.
        device: where the model is; move every batch there.

    Returns:
        sum over batches of (batch loss * batch size) / number of samples, a Python float.
    """
    raise NotImplementedError("ex08: implement train_one_epoch")


def classification_metrics(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int,
                           zero_division: float = 0.0) -> dict:
    """Accuracy, macro precision/recall/F1 and the confusion matrix of integer predictions.

    Args:
        y_true, y_pred: 1-D int64 tensors of the same length (at least 1), labels in
            ``[0, num_classes)``; raise ValueError (with a message) otherwise.
        num_classes: the number of classes K; every class counts in the macro averages.
        zero_division: the value of a precision, recall or F1 whose denominator is 0
            (0.0 or 1.0, as scikit-learn's ``zero_division``).

    Returns:
        ``{"accuracy": float, "precision": float, "recall": float, "f1": float,
        "confusion_matrix": int64 tensor (K, K), rows = true class, columns = predicted}``
        with Python floats (``.item()``), the matrix on the CPU.
    """
    raise NotImplementedError("ex08: implement classification_metrics")


def evaluate(model: nn.Module, loader, device: torch.device | str, num_classes: int) -> dict:
    """Metrics of ``model`` over ``loader``: eval mode, no autograd, batches moved to ``device``.

    The prediction of a sample is the argmax of its logits. Collect the predictions of ALL
    batches, then call ``classification_metrics`` once (metrics averaged over batches are
    wrong: the macro F1 of a whole set is not the mean of per-batch F1s).

    Returns:
        the dict of ``classification_metrics(y_true, y_pred, num_classes)``.
    """
    raise NotImplementedError("ex08: implement evaluate")


def fit(model: nn.Module, train_loader, val_loader, loss_fn, optimizer: torch.optim.Optimizer,
        epochs: int, device: torch.device | str, checkpoint_path: str | None = None) -> list[dict]:
    """Train for ``epochs`` epochs, validating after each one; keep the best checkpoint.

    Each epoch: one ``train_one_epoch`` (the only pass over ``train_loader``), then an
    evaluation on ``val_loader`` (``num_classes`` is the width of the model's output,
    ``logits.shape[1]``). The best epoch is the one with
    the highest validation accuracy; on a tie the EARLIER epoch stays best. When
    ``checkpoint_path`` is not None, the file there holds, at the end, the best epoch's

        {"epoch": int (1-based), "val_accuracy": float,
         "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict()}

    saved with ``torch.save`` as they were at the end of that epoch. With None, save nothing.

    Returns:
        one dict per epoch: ``{"epoch": 1-based int, "train_loss": float, "val_accuracy":
        float, "val_precision": float, "val_recall": float, "val_f1": float}``.
    """
    raise NotImplementedError("ex08: implement fit")


def load_checkpoint(path: str, model: nn.Module, optimizer: torch.optim.Optimizer | None = None) -> dict:
    """Load a checkpoint written by ``fit`` into ``model`` (and ``optimizer`` when given).

    Read it with ``torch.load(path, map_location=..., weights_only=True)``, load the model's
    and (if given) the optimizer's state dicts, and return the checkpoint dict as read.
    """
    raise NotImplementedError("ex08: implement load_checkpoint")
