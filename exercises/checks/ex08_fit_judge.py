"""ex08 judgements of ``fit`` and checkpoints: the history against what the probe saw,
the kept checkpoint against the weights the model had after each epoch, and checkpoints
loaded back by the submission's ``load_checkpoint``."""
from __future__ import annotations

import torch
from ex08_judge import (assert_epoch_loss, assert_metrics, close, either, number, passes,
                        raise_recorded_error, same, shown)
from ex08_spec import METRIC_KEYS, per_sample_mean, predict, reference_metrics

from grader.compare import describe_value
from grader.outcomes import CheckFailure

CHECKPOINT_KEYS = ("epoch", "val_accuracy", "model_state_dict", "optimizer_state_dict")

BEST_EPOCH_MISCONCEPTIONS = (
    ("last epoch kept", lambda accs, losses: len(accs),
     "keep the checkpoint of the epoch with the highest validation accuracy, not the last one"),
    ("best by lowest training loss", lambda accs, losses: 1 + min(range(len(losses)), key=losses.__getitem__),
     "the best epoch is the one with the highest VALIDATION ACCURACY, not the lowest loss"),
    ("last of tied epochs kept", lambda accs, losses: max(e for e, a in enumerate(accs, 1) if a == max(accs)),
     "on a tie the earlier epoch stays best: replace it only when accuracy > best (not >=)"),
    ("0-based epoch saved", lambda accs, losses: accs.index(max(accs)),
     "epochs are numbered from 1 in the checkpoint and the history"),
)


def epoch_passes(result: dict, epochs: int) -> list[tuple[dict, dict]]:
    """(training pass, validation pass after it) per epoch, validated."""
    trains = passes(result, "train")
    if len(trains) != epochs:
        raise CheckFailure(f"fit went over the training loader {len(trains)} times with "
                           f"epochs={epochs}; once per epoch")
    vals = {p["epoch"]: p for p in passes(result, "val")}  # the last one after each epoch
    for e in range(1, epochs + 1):
        if e not in vals:
            raise CheckFailure(f"no pass over val_loader after the training of epoch {e}: "
                               "evaluate after each epoch's train_one_epoch")
    return [(trains[e - 1], vals[e]) for e in range(1, epochs + 1)]


def observed_metrics(val_pass: dict, y_val: torch.Tensor, num_classes: int) -> dict:
    """The metrics of the predictions the model made in a validation pass."""
    preds = [b.get("pred") for b in val_pass["batches"]]
    if not preds or any(p is None for p in preds):
        raise CheckFailure("the model was not called on every validation batch")
    pred = torch.cat(preds)
    if len(pred) != len(y_val):
        raise CheckFailure(f"a validation pass of fit went through {len(pred)} of the {len(y_val)} "
                           "samples of val_loader; evaluate on all of them")
    return reference_metrics(y_val, pred, num_classes)


def assert_history(history, epochs_seen, y_val, num_classes, batch_size, *, reveal) -> None:
    if not isinstance(history, list) or len(history) != len(epochs_seen):
        raise CheckFailure(f"fit should return a list of {len(epochs_seen)} dicts (one per "
                           f"epoch), got {describe_value(history)}")
    for e, (entry, (train, val)) in enumerate(zip(history, epochs_seen), 1):
        keys = ("epoch", "train_loss", *(f"val_{k}" for k in METRIC_KEYS))
        if not isinstance(entry, dict) or any(k not in entry for k in keys):
            raise CheckFailure(f"history[{e - 1}] should be a dict with keys {', '.join(keys)}, "
                               f"got {describe_value(entry)}")
        if number(entry["epoch"], f"history[{e - 1}]['epoch']") != e:
            raise CheckFailure(f"history[{e - 1}]['epoch'] is {entry['epoch']!r}",
                               hint="epochs are numbered from 1")
        assert_epoch_loss(entry["train_loss"], train["batches"], batch_size, reveal=reveal,
                          what=f"history[{e - 1}]['train_loss']")
        seen = observed_metrics(val, y_val, num_classes)
        for k in METRIC_KEYS:
            got = number(entry[f"val_{k}"], f"history[{e - 1}]['val_{k}']")
            if not close(got, seen[k]):
                raise CheckFailure(
                    f"history[{e - 1}]['val_{k}'] is {got:.6g}, but the predictions the model "
                    f"made on val_loader after epoch {e} give {k}{shown(seen[k], reveal)}",
                    hint="evaluate with classification_metrics over the whole validation set, "
                         "num_classes = logits.shape[1]")


def assert_best_checkpoint(result: dict, epochs_seen, y_val, num_classes, *, reveal: bool) -> None:
    """The checkpoint is the first epoch with the highest validation accuracy, as it was then."""
    if result.get("checkpoint_error"):
        raise CheckFailure(f"checkpoint: {result['checkpoint_error']}",
                           hint="torch.save a dict of tensors and plain data at checkpoint_path")
    ckpt = result.get("checkpoint")
    if not isinstance(ckpt, dict) or any(k not in ckpt for k in CHECKPOINT_KEYS):
        raise CheckFailure(f"the checkpoint should be a dict with keys {', '.join(CHECKPOINT_KEYS)},"
                           f" got {describe_value(ckpt)}")
    accs = [observed_metrics(v, y_val, num_classes)["accuracy"] for _, v in epochs_seen]
    losses = [per_sample_mean([b for b in t["batches"] if b["losses"]] or [{"losses": [0], "n": 1}])
              for t, _ in epochs_seen]
    best = accs.index(max(accs)) + 1
    epoch = number(ckpt["epoch"], "checkpoint['epoch']")
    if epoch != best:
        shown = f" (validation accuracies: {', '.join(f'{a:.4f}' for a in accs)})" if reveal else ""
        raise CheckFailure(f"the checkpoint says epoch {epoch:g}, which is not the first epoch "
                           f"with the highest validation accuracy{shown}",
                           hint=_epoch_hint(epoch, accs, losses))
    if not close(number(ckpt["val_accuracy"], "checkpoint['val_accuracy']"), accs[best - 1]):
        raise CheckFailure("checkpoint['val_accuracy'] is not the validation accuracy of its epoch")
    snapshots = result.get("snapshots") or {}
    if str(best) not in snapshots:
        raise CheckFailure(f"the validation pass after epoch {best} did not reach the end of val_loader")
    for key, part in (("model_state_dict", "model"), ("optimizer_state_dict", "optimizer")):
        saved = _state(ckpt[key], part)
        if not same(saved, _state(snapshots[str(best)][part], part)):
            raise CheckFailure(f"checkpoint['{key}'] does not hold the state the {part} had at "
                               f"the end of epoch {best}", hint=_state_hint(saved, snapshots, part, best))


def _state(state_dict, part: str):
    """A model's state dict, or the per-parameter state of an optimizer's (its param_groups
    carry the grader's learning-rate schedule, not the submission's doing)."""
    if part == "model":
        return state_dict
    return state_dict.get("state") if isinstance(state_dict, dict) else state_dict


def _epoch_hint(epoch, accs, losses) -> str | None:
    return either([f"{name}: {hint}" for name, variant, hint in BEST_EPOCH_MISCONCEPTIONS
                   if variant(accs, losses) == epoch])


def _state_hint(saved, snapshots, part, best) -> str | None:
    for k in sorted(snapshots, key=int, reverse=True):
        if int(k) != best and same(saved, _state(snapshots[k][part], part)):
            if int(k) == max(map(int, snapshots)):
                return ("state_dict references: model.state_dict() and optimizer.state_dict() "
                        "return the live tensors, which later steps update in place; torch.save "
                        "them when they are best, or keep copy.deepcopy(...)")
            return f"this is the {part}'s state at the end of epoch {k}"
    return None


def assert_round_trip(result: dict) -> None:
    """The submission's load_checkpoint restored fit's checkpoint into a fresh model."""
    if result.get("checkpoint_error"):
        raise CheckFailure(f"checkpoint: {result['checkpoint_error']}")
    trip = result.get("round_trip") or {}
    if trip.get("error"):
        raise_recorded_error(trip["error"], "load_checkpoint")
    ckpt = result["checkpoint"]
    if not isinstance(ckpt, dict) or "model_state_dict" not in ckpt:
        raise CheckFailure("the checkpoint fit wrote has no model_state_dict")
    if not same(trip["model_state"], ckpt["model_state_dict"]):
        raise CheckFailure("after load_checkpoint(path, model, optimizer) the model does not hold "
                           "the checkpoint's weights", hint="model.load_state_dict(ckpt['model_state_dict'])")


def assert_loaded(loaded: dict, state: dict, saved_optimizer: dict | None, *, epoch, val_accuracy,
                  what: str) -> None:
    """One load_checkpoint call on the grader's checkpoint: returned dict, model, optimizer."""
    returned = loaded["returned"]
    if not isinstance(returned, dict) or returned.get("epoch") != epoch \
            or returned.get("val_accuracy") != val_accuracy:
        raise CheckFailure(f"{what} should return the checkpoint dict as read (epoch={epoch}, "
                           f"val_accuracy={val_accuracy}, ...), got {describe_value(returned)}")
    if not same(loaded["model_state"], state):
        raise CheckFailure(f"after {what} the model does not hold the checkpoint's weights",
                           hint="model.load_state_dict(checkpoint['model_state_dict'])")
    if saved_optimizer is not None and not same(loaded["optimizer_state"]["state"], saved_optimizer["state"]):
        raise CheckFailure(f"after {what} the optimizer does not hold the checkpoint's state "
                           "(moments and step counts)",
                           hint="optimizer.load_state_dict(checkpoint['optimizer_state_dict'])")


def assert_evaluation_metrics(result: dict, request: dict, *, reveal: bool) -> None:
    """evaluate's metrics equal the oracle's on the grader's own eval-mode predictions."""
    y_val, k = request["data"]["y_val"], request["num_classes"]
    preds = predict(request["model_state"], request["arch"], request["data"]["x_val"],
                    request["val_batch_size"])
    try:
        assert_metrics(result["output"], y_val, preds, k, reveal=reveal, what="evaluate")
    except CheckFailure as failure:
        if failure.about_values and failure.hint is None:
            failure.hint = _evaluation_hint(result, y_val, k)
        raise


def _evaluation_hint(result: dict, y_val: torch.Tensor, k: int) -> str | None:
    batches = [b for p in passes(result, "val") for b in p["batches"]]
    if any(f["mode"] != "eval" for b in batches for f in b["forwards"]):
        return ("eval mode forgotten: dropout and batch norm were in training mode; call "
                "model.eval() before evaluating")
    output = result.get("output")
    if not isinstance(output, dict) or not batches or any(b.get("pred") is None for b in batches):
        return None
    try:
        got = number(output.get("accuracy"), "accuracy")
    except CheckFailure:
        return None
    start, accs = 0, []
    for b in batches:
        accs.append(float((b["pred"] == y_val[start:start + b["n"]]).double().mean()))
        start += b["n"]
    if len(accs) > 1 and close(got, sum(accs) / len(accs)):
        return ("metrics averaged over batches: collect the predictions of all batches, then "
                "call classification_metrics once")
    return None
