"""ex08 declared as data: the digits, the runs the checks make, the metrics oracle and the
known wrong variants.

The digits ship with the grader (``grader/data/digits.npz``, UCI, CC BY 4.0). A "run" is one
request to a driver of ``grader/sandbox/drivers/ex08.py``: it trains or evaluates a
grader-built model with the submission's functions and returns what happened. Each run is
made once per submission and shared by the checks that judge it.
"""
from __future__ import annotations

import contextlib
import functools
import weakref
from pathlib import Path

import numpy as np
import torch

import grader
from grader.outcomes import CheckFailure, SubmissionCrashed
from grader.spec import Sample
from grader.sandbox.drivers.ex08_probe import DigitsMLP, make_model

DIGITS = Path(grader.__file__).resolve().parent / "data" / "digits.npz"
VAL_SIZE = 500
ACCURACY_THRESHOLD = 0.9
METRIC_KEYS = ("accuracy", "precision", "recall", "f1")
TOL = {"atol": 1e-6, "rtol": 1e-5}   # float32 sums over a few hundred values stay far inside

ARCH = {"hidden": 64, "classes": 10, "batchnorm": True, "dropout": 0.3}
ARCH_NO_BN = {"hidden": 64, "classes": 10, "batchnorm": False, "dropout": 0.2}
ARCH_12 = {"hidden": 64, "classes": 12, "batchnorm": True, "dropout": 0.5}
ADAM = {"name": "adam", "lr": 1e-2}
SGD = {"name": "sgd", "lr": 0.05, "momentum": 0.9}


@functools.lru_cache(maxsize=1)
def digits() -> dict[str, torch.Tensor]:
    """Pixels scaled to [0, 1] as (N, 64) float32, a fixed train/validation split."""
    with np.load(DIGITS, allow_pickle=False) as data:
        x = torch.from_numpy(data["images"].astype(np.float32)).reshape(-1, 64) / 16
        y = torch.from_numpy(data["labels"].astype(np.int64))
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(8))
    val, train = perm[:VAL_SIZE], perm[VAL_SIZE:]
    return {"x_train": x[train], "y_train": y[train], "x_val": x[val], "y_val": y[val]}


def subset(train: int | None = None, val: int | None = None) -> dict:
    d = digits()
    out = {}
    if train is not None:
        out.update(x_train=d["x_train"][:train], y_train=d["y_train"][:train])
    if val is not None:
        out.update(x_val=d["x_val"][:val], y_val=d["y_val"][:val])
    return out


@contextlib.contextmanager
def one_thread():
    """Tiny models run far faster on one thread than on several contending ones."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@functools.lru_cache(maxsize=4)
def trained_state(arch_items: tuple, seed: int = 3) -> dict:
    """Weights after one epoch of plain SGD (grader code, in this process; no torch.optim,
    whose first use imports torch._dynamo, seconds of start-up)."""
    arch = dict(arch_items)
    model = make_model(arch, seed)
    d = digits()
    order = torch.randperm(len(d["y_train"]), generator=torch.Generator().manual_seed(seed))
    with torch.random.fork_rng(devices=[]), one_thread():
        torch.manual_seed(seed)
        model.train()
        for batch in order.split(32):
            model.zero_grad()
            torch.nn.functional.cross_entropy(model(d["x_train"][batch]), d["y_train"][batch]).backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.3 * p.grad
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def predict(state: dict, arch: dict, x: torch.Tensor, batch_size: int) -> torch.Tensor:
    """The grader's own predictions: eval mode, no autograd, argmax of the logits."""
    model = DigitsMLP(**arch)
    model.load_state_dict(state)
    model.eval()
    with torch.no_grad(), one_thread():
        return torch.cat([model(chunk).argmax(dim=1) for chunk in x.split(batch_size)])


# ----------------------------------------------------------------- runs
@functools.lru_cache(maxsize=1)
def runs() -> dict:
    """Every run's request, by name (built on first use: it trains the evaluated weights)."""
    d = digits()
    return {
        "train": dict(op="ex08_train_one_epoch", arch=ARCH, init_seed=11, seed=1, optimizer=ADAM,
                      data=subset(train=len(d["y_train"])), batch_size=32, shuffle_seed=1),
        "train_hidden": dict(op="ex08_train_one_epoch", arch=ARCH, init_seed=12, seed=2,
                             optimizer=SGD, data=subset(train=403), batch_size=50, shuffle_seed=2),
        "evaluate": dict(op="ex08_evaluate", arch=ARCH, model_state=trained_state(tuple(ARCH.items())),
                         data=subset(val=VAL_SIZE), val_batch_size=64, num_classes=10, seed=3),
        "evaluate_hidden": dict(op="ex08_evaluate", arch=ARCH_12,
                                model_state=trained_state(tuple(ARCH_12.items())),
                                data=subset(val=203), val_batch_size=25, num_classes=12, seed=4),
        "fit": dict(op="ex08_fit", arch=ARCH, init_seed=21, seed=5, optimizer=ADAM, epochs=3,
                    data=subset(train=len(d["y_train"]), val=VAL_SIZE), batch_size=64,
                    val_batch_size=100, shuffle_seed=5, checkpoint=True),
        # Epoch 2 learns nothing (lr 0, no batch norm): its validation accuracy ties epoch 1's
        # while its training loss is lower; epoch 3 trains on shifted labels and collapses.
        # The best epoch is 1, and neither the last, the lowest-loss nor the last-tied one.
        "fit_first_best": dict(op="ex08_fit", arch=ARCH_NO_BN, init_seed=22, seed=6, optimizer=ADAM,
                               epochs=3, data=subset(train=len(d["y_train"]), val=VAL_SIZE),
                               batch_size=64, val_batch_size=100, shuffle_seed=6, checkpoint=True,
                               schedule={"lrs": [1e-2, 0.0, 1e-2], "label_shifts": [0, 0, 1]}),
        "fit_no_checkpoint": dict(op="ex08_fit", arch=ARCH, init_seed=23, seed=7, optimizer=ADAM,
                                  epochs=2, data=subset(train=403, val=150), batch_size=50,
                                  val_batch_size=64, shuffle_seed=7, checkpoint=False),
        "load_checkpoint": dict(op="ex08_load_checkpoint", arch=ARCH, optimizer=ADAM, epoch=4,
                                val_accuracy=0.875, model_state=trained_state(tuple(ARCH.items()))),
    }


_DONE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def run(submission, name: str) -> dict:
    """The result of run ``name`` for this submission, made on first use; a failure is kept
    and raised again by every check that needs the run."""
    done = _DONE.setdefault(submission, {})
    if name not in done:
        payload = dict(runs()[name])
        op = payload.pop("op")
        try:
            done[name] = (True, submission.driver(op, **payload))
        except (CheckFailure, SubmissionCrashed) as e:
            e.message = e.message.replace(op, op.removeprefix("ex08_"), 1)  # the student's name
            e.args = (e.message,)
            done[name] = (False, e)
    ok, value = done[name]
    if not ok:
        raise value.with_traceback(None)  # else each re-raise lengthens the traceback to report
    return value


# ----------------------------------------------------------------- metrics oracle
def reference_metrics(y_true, y_pred, num_classes, zero_division=0.0, *, average="macro",
                      labels=None) -> dict:
    """scikit-learn's precision_recall_fscore_support(labels=range(K), average="macro"),
    in float64; ``average``/``labels`` produce the known wrong variants."""
    k = num_classes
    cm = torch.zeros(k, k, dtype=torch.int64)
    cm.index_put_((y_true.long(), y_pred.long()), torch.ones_like(y_true.long()), accumulate=True)
    tp, pred, true = cm.diag().double(), cm.sum(0).double(), cm.sum(1).double()
    zd = torch.tensor(float(zero_division), dtype=torch.float64)
    per_class = {"precision": torch.where(pred > 0, tp / pred, zd),
                 "recall": torch.where(true > 0, tp / true, zd),
                 "f1": torch.where(true + pred > 0, 2 * tp / (true + pred), zd)}
    keep = torch.ones(k, dtype=torch.bool) if labels is None else labels
    weights = true if average == "weighted" else torch.ones(k, dtype=torch.float64)
    out = {"accuracy": float(tp.sum() / len(y_true)), "confusion_matrix": cm}
    for name, values in per_class.items():
        out[name] = float((values * weights)[keep].sum() / weights[keep].sum())
    return out


def _micro(y_true, y_pred, k, zero_division=0.0):
    out = reference_metrics(y_true, y_pred, k, zero_division)
    return {**out, "precision": out["accuracy"], "recall": out["accuracy"], "f1": out["accuracy"]}


def _present_only(y_true, y_pred, k, zero_division=0.0):
    present = torch.zeros(k, dtype=torch.bool)
    present[torch.cat([y_true, y_pred]).long()] = True
    return reference_metrics(y_true, y_pred, k, zero_division, labels=present)


def _f1_of_means(y_true, y_pred, k, zero_division=0.0):
    out = reference_metrics(y_true, y_pred, k, zero_division)
    p, r = out["precision"], out["recall"]
    return {**out, "f1": 2 * p * r / (p + r) if p + r else 0.0}


METRIC_MISCONCEPTIONS = (
    ("micro average", _micro,
     "pooling the counts of all classes gives micro precision = recall = F1 = accuracy; "
     "compute each class's precision/recall/F1, then take their plain mean (macro)"),
    ("weighted average", lambda yt, yp, k, zd=0.0: reference_metrics(yt, yp, k, zd, average="weighted"),
     "the macro average gives every class the same weight, not its number of samples"),
    ("absent classes skipped", _present_only,
     "average over ALL num_classes classes, classes that never occur included (their "
     "undefined ratios count as zero_division)"),
    ("zero_division ignored", lambda yt, yp, k, zd=0.0: reference_metrics(yt, yp, k, 0.0),
     "a ratio whose denominator is 0 takes the value zero_division (here 1.0), not 0"),
    ("F1 from the averaged precision and recall", _f1_of_means,
     "macro F1 is the mean of the per-class F1s, not 2PR/(P+R) of the macro P and R"),
)


# ----------------------------------------------------------------- epoch loss variants
def per_sample_mean(batches) -> float:
    return sum(b["losses"][0] * b["n"] for b in batches) / sum(b["n"] for b in batches)


LOSS_MISCONCEPTIONS = (
    ("mean of the batch means",
     lambda bs, size: sum(b["losses"][0] for b in bs) / len(bs),
     "weight each batch's mean loss by its size: sum(loss_b * n_b) / sum(n_b); the last "
     "batch is smaller"),
    ("divided by len(loader) * batch_size",
     lambda bs, size: sum(b["losses"][0] * b["n"] for b in bs) / (len(bs) * size),
     "the last batch is smaller than batch_size: divide by the number of samples seen"),
    ("sum, not mean", lambda bs, size: sum(b["losses"][0] * b["n"] for b in bs),
     "divide the summed loss by the number of samples"),
    ("sum of the batch means", lambda bs, size: sum(b["losses"][0] for b in bs),
     "return the mean loss per sample, not a sum"),
    ("last batch only", lambda bs, size: bs[-1]["losses"][0],
     "accumulate over the whole epoch, not just the last batch"),
    ("divided by the number of batches", lambda bs, size: sum(b["losses"][0] * b["n"] for b in bs) / len(bs),
     "divide by the number of samples, not the number of batches"),
)


# ----------------------------------------------------------------- metrics samples
def labels(*values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.int64)


def noisy(n: int, k: int, seed: int, *, error: float, true_classes: int | None = None):
    """Labels in [0, true_classes) and predictions that are wrong with probability ``error``."""
    gen = torch.Generator().manual_seed(seed)
    y_true = torch.randint(0, true_classes or k, (n,), generator=gen)
    wrong = torch.rand(n, generator=gen) < error
    y_pred = torch.where(wrong, torch.randint(0, k, (n,), generator=gen), y_true)
    return y_true, y_pred


def metrics_sample(id, y_true, y_pred, k, zero_division=None, hint=None) -> Sample:
    kwargs = {} if zero_division is None else {"zero_division": zero_division}
    return Sample(id, (y_true, y_pred, k), kwargs, hint=hint)


METRICS_PUBLIC = [
    metrics_sample("all_classes", labels(0, 0, 0, 1, 1, 2, 2, 2, 2, 1, 0, 2),
                   labels(0, 1, 0, 1, 2, 2, 2, 0, 2, 1, 0, 1), 3),
    metrics_sample("never_predicted_never_present", labels(0, 0, 1, 2, 1, 0),
                   labels(0, 1, 1, 1, 1, 0), 5,
                   hint="class 2 is never predicted, classes 3 and 4 never occur: their "
                        "undefined ratios are zero_division, and all 5 classes are averaged"),
]

METRICS_HIDDEN = [
    metrics_sample("docstring_example_zd1", labels(0, 0, 1, 2), labels(0, 1, 1, 1), 4, 1.0),
    metrics_sample("zero_division_one", labels(0, 0, 1, 2, 1, 0, 3), labels(0, 1, 1, 1, 1, 0, 0), 6, 1.0,
                   hint="with zero_division=1.0 every 0/0 ratio counts as 1"),
    metrics_sample("predicted_never_present_zd1", labels(0, 1, 1, 0, 0), labels(2, 1, 1, 0, 2), 3, 1.0),
    metrics_sample("imbalanced", labels(*[0] * 12, 1, 1, 2), labels(*[0] * 11, 1, 1, 0, 1), 3,
                   hint="macro averaging weighs the rare classes as much as the frequent one"),
    metrics_sample("binary", labels(1, 0, 1, 1, 0, 0, 1), labels(1, 1, 1, 0, 0, 0, 0), 2),
    metrics_sample("perfect_with_absent_class", labels(0, 1, 2, 1, 0), labels(0, 1, 2, 1, 0), 4),
    metrics_sample("all_wrong_zd1", labels(0, 1, 2, 0), labels(1, 2, 0, 2), 4, 1.0),
    metrics_sample("single_sample", labels(2), labels(2), 3),
    metrics_sample("noisy_7_classes", *noisy(300, 7, seed=1, error=0.4), 7),
    metrics_sample("noisy_absent_classes_zd1", *noisy(200, 10, seed=2, error=0.3, true_classes=8), 10, 1.0),
]

METRICS_ERRORS = [
    metrics_sample("length_mismatch", labels(0, 1, 2), labels(0, 1), 3,
                   hint="y_true and y_pred have different lengths"),
    metrics_sample("prediction_out_of_range", labels(0, 1, 2), labels(0, 3, 2), 3,
                   hint="a prediction equals num_classes"),
    metrics_sample("negative_label", labels(0, -1, 2), labels(0, 1, 2), 3,
                   hint="a label is negative"),
]
