"""ex08 judgements shared by the public and hidden checks: each function takes what a run
returned (the submission's output and the probe's records) and raises ``CheckFailure``
with a message a student can act on, or returns quietly.

Records come from ``grader/sandbox/drivers/ex08_probe.py``: one dict per pass over a
loader, one per batch inside it (forwards, losses, backwards, steps, moved tensors).
"""
from __future__ import annotations

from fractions import Fraction

import pytest
import torch
from ex08_spec import (LOSS_MISCONCEPTIONS, METRIC_KEYS, METRIC_MISCONCEPTIONS, TOL,
                       per_sample_mean, reference_metrics)

from grader.compare import describe_value
from grader.outcomes import CheckFailure, ForbiddenOpUsed, NotImplementedYet
from grader.submission import forbidden_message


def require_clean(submission, result: dict, what: str) -> None:
    hits = result.get("forbidden") or []
    modules = [h for h in hits if h.get("level") == "module"]
    if modules:
        line = modules[0].get("line")
        where = f" ({submission.filename}, line {line})" if isinstance(line, int) else ""
        raise ForbiddenOpUsed(f"{what}: the submission imports {modules[0].get('op')}{where}; "
                              "compute the metrics yourself with torch (and scikit-learn is not "
                              "installed where your work is graded). This check earns no points "
                              "while it is imported.", hits=hits)
    if hits:
        raise ForbiddenOpUsed(forbidden_message(hits, submission.filename, what), hits=hits)


def number(value, what: str) -> float:
    """A Python number, or a one-element tensor (the type check is separate)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.dtype.is_complex:
        return float(value.reshape(()))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise CheckFailure(f"{what} should be a Python float, got {describe_value(value)}")


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL["atol"] + TOL["rtol"] * abs(b)


def shown(value: float, reveal: bool) -> str:
    return f" (expected {value:.6g})" if reveal else ""


# ----------------------------------------------------------------- metrics
def assert_metrics(actual, y_true, y_pred, num_classes, zero_division=0.0, *, reveal: bool,
                   what: str = "classification_metrics") -> None:
    """``actual`` equals the oracle's metrics; a known wrong variant becomes the hint."""
    expected = reference_metrics(y_true, y_pred, num_classes, zero_division)
    if not isinstance(actual, dict):
        raise CheckFailure(f"{what} should return a dict, got {describe_value(actual)}")
    missing = [k for k in (*METRIC_KEYS, "confusion_matrix") if k not in actual]
    if missing:
        raise CheckFailure(f"{what} returned a dict without {', '.join(missing)}; it needs "
                           f"{', '.join(METRIC_KEYS)} and confusion_matrix")
    got = {k: number(actual[k], f"{what}['{k}']") for k in METRIC_KEYS}
    wrong = [k for k in METRIC_KEYS if not close(got[k], expected[k])]
    lines = [f"{k} is wrong: got {got[k]:.6g}{shown(expected[k], reveal)}" for k in wrong]
    hint = _metrics_hint(got, wrong, expected, (y_true, y_pred, num_classes, zero_division))
    cm_line, cm_hint = _confusion_problem(actual["confusion_matrix"], expected["confusion_matrix"])
    if cm_line:
        lines.append(cm_line)
    if lines:
        raise CheckFailure(f"{what}: " + "; ".join(lines) + f" (num_classes={num_classes}, "
                           f"zero_division={zero_division:g}, {len(y_true)} samples)",
                           hint=hint or cm_hint)


def _metrics_hint(got, wrong, expected, args) -> str | None:
    if not wrong:
        return None
    found = []
    for name, variant, hint in METRIC_MISCONCEPTIONS:
        other = variant(*args)
        if all(close(got[k], other[k]) and not close(other[k], expected[k]) for k in wrong):
            found.append(f"{name}: {hint}")
    return either(found)


def either(hints: list[str]) -> str | None:
    """One hint, or the few that all explain the same wrong value."""
    return "; or ".join(hints) if hints else None


def _confusion_problem(cm, expected: torch.Tensor):
    k = expected.shape[0]
    if not isinstance(cm, torch.Tensor) or tuple(cm.shape) != (k, k):
        return (f"confusion_matrix should be a ({k}, {k}) tensor, got {describe_value(cm)}",
                "one row and one column per class, all num_classes of them")
    if cm.is_floating_point() and not torch.equal(cm, cm.round()):
        return "confusion_matrix holds non-integer counts", None
    cm = cm.long()
    if torch.equal(cm, expected):
        return None, None
    if torch.equal(cm, expected.T):
        return ("confusion_matrix is transposed",
                "confusion matrix transposed: rows are the TRUE class, columns the predicted "
                "one: C[t, p] counts samples of class t predicted as p")
    bad = (cm != expected).nonzero()[0].tolist()
    return f"confusion_matrix counts are wrong (first at row {bad[0]}, column {bad[1]})", None


# ----------------------------------------------------------------- passes
def passes(result: dict, loader: str) -> list[dict]:
    return [p for p in result.get("passes") or [] if p["loader"] == loader]


def assert_used_whole_loader(p: dict, size: int, what: str) -> None:
    seen = sum(b["n"] for b in p["batches"])
    if seen != size:
        raise CheckFailure(f"{what} went through {seen} of the {size} samples of the loader; "
                           "iterate over the whole loader once")


def single_pass(result: dict, loader: str, size: int, what: str) -> list[dict]:
    """The batches of the one pass ``what`` made over the loader (all of them, once)."""
    found = passes(result, loader)
    if len(found) != 1:
        raise CheckFailure(f"{what} went over the loader {len(found)} times; once is expected")
    assert_used_whole_loader(found[0], size, what)
    return found[0]["batches"]


def assert_train_mode(batches: list[dict], what: str) -> None:
    for i, b in enumerate(batches):
        where = f"{what}, batch {i}"
        if not b["forwards"]:
            raise CheckFailure(f"{where}: the model was never called on this batch")
        if any(f["mode"] != "train" for f in b["forwards"]):
            raise CheckFailure(f"{where}: the model was in eval mode while training",
                               hint="call model.train() at the start of the epoch: dropout and "
                                    "batch norm behave differently in training")
        if not all(f["grad"] for f in b["forwards"]):
            raise CheckFailure(f"{where}: autograd was off (torch.no_grad?) during training")


def assert_steps(batches: list[dict], what: str) -> None:
    """One backward from zero gradients and one step on non-zero gradients per batch."""
    for i, b in enumerate(batches):
        where = f"{what}, batch {i}"
        if not b["losses"] or not b["backwards"]:
            raise CheckFailure(f"{where}: no backward pass through the loss returned by loss_fn",
                               hint="loss = loss_fn(model(x), y); loss.backward()")
        if not all(b["backwards"]):
            raise CheckFailure(f"{where}: the gradients were not zero when backward() started: "
                               "they accumulate over the steps",
                               hint="optimizer.zero_grad missing: .backward() adds to .grad; call "
                                    "optimizer.zero_grad() before each loss.backward()")
        if len(b["steps"]) != 1:
            raise CheckFailure(f"{where}: optimizer.step() was called {len(b['steps'])} times; "
                               "call it exactly once per batch")
        if not b["steps"][0]:
            raise CheckFailure(f"{where}: every gradient was zero when optimizer.step() ran",
                               hint="zero_grad() between backward() and step() erases the "
                                    "gradients before they are used: zero, forward, backward, step")


def assert_evaluation_batches(batches: list[dict], what: str) -> None:
    for i, b in enumerate(batches):
        where = f"{what}, batch {i}"
        if not b["forwards"]:
            raise CheckFailure(f"{where}: the model was never called on this batch")
        if any(f["mode"] != "eval" for f in b["forwards"]):
            raise CheckFailure(f"{where}: the model was in training mode while evaluating",
                               hint="eval mode forgotten: call model.eval() before evaluating "
                                    "(dropout off, batch norm on its running statistics)")
        if any(f["grad"] for f in b["forwards"]):
            raise CheckFailure(f"{where}: autograd was on while evaluating",
                               hint="wrap the evaluation in `with torch.no_grad():` (or "
                                    "torch.inference_mode()): no graph is needed")


def assert_moved(batches: list[dict], device: str, what: str, *, targets: bool) -> None:
    for i, b in enumerate(batches):
        names = ("x", "y") if targets else ("x",)
        for name, moved in zip(names, b["moved"]):
            if not moved:
                raise CheckFailure(f"{what}, batch {i}: `{name}` was not moved with "
                                   f"`.to(device)`; the loader yields CPU tensors and the model "
                                   "may live on a GPU", hint="x, y = x.to(device), y.to(device)")
        bad = [f["device"] for f in b["forwards"] if f["device"] != device]
        if bad:
            raise CheckFailure(f"{what}, batch {i}: the model got an input on {bad[0]}, "
                               f"expected {device}")


def assert_epoch_loss(value, batches: list[dict], batch_size: int, *, reveal: bool,
                      what: str) -> None:
    got = number(value, what)
    for i, b in enumerate(batches):
        if not b["losses"]:
            raise CheckFailure(f"{what}: loss_fn was not called for batch {i}; compute each "
                               "batch's loss with the loss_fn you are given")
    expected = per_sample_mean(batches)
    if close(got, expected):
        return
    hint = either([f"{name}: {text}" for name, variant, text in LOSS_MISCONCEPTIONS
                   if close(got, variant(batches, batch_size))
                   and not close(variant(batches, batch_size), expected)])
    raise CheckFailure(f"{what} is {got:.6g}, not the mean loss per sample of the losses "
                       f"loss_fn returned{shown(expected, reveal)}", hint=hint)


def raise_recorded_error(info: dict, what: str) -> None:
    message = str(info.get("message") or "")[:300]
    if info.get("type") == "NotImplementedError":
        raise NotImplementedYet(f"not implemented: {message or what}")
    line = f" (line {info['line']})" if isinstance(info.get("line"), int) else ""
    raise CheckFailure(f"{what} raised {info.get('type')}: {message}{line}")


def same(a, b) -> bool:
    """Equal plain data and tensors (exact: a checkpoint is a copy, not a recomputation)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) \
            and a.shape == b.shape and torch.equal(a.to(b.dtype), b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


# ----------------------------------------------------------------- check makers
def call_metrics(submission, args, kwargs, *, raised_ok: bool = False) -> dict:
    """The driver's result; what the submission raised comes back as data, with the
    forbidden modules it imported, so that an error check sees those too."""
    result = submission.driver("ex08_call", target="classification_metrics", args=list(args),
                               kwargs=kwargs)
    require_clean(submission, result, "classification_metrics")
    if result.get("error") and not (raised_ok and result["error"].get("type") != "NotImplementedError"):
        raise_recorded_error(result["error"], "classification_metrics")
    return result


def describe_labels(args, kwargs) -> str:
    y_true, y_pred, k = args
    show = (lambda t: str(t.tolist())) if len(y_true) <= 16 else (lambda t: f"{len(t)} labels")
    extra = "".join(f", {name}={value!r}" for name, value in kwargs.items())
    return f"configuration: y_true={show(y_true)}, y_pred={show(y_pred)}, num_classes={k}{extra}"


def metrics_check(samples, *, points):
    """classification_metrics on each sample against the oracle (points shared equally)."""
    share = Fraction(points) / len(samples)

    @pytest.mark.parametrize("sample", [pytest.param(s, id=s.id, marks=pytest.mark.points(share))
                                        for s in samples])
    def check(submission, sample, reveal_expected):
        args, kwargs = sample.materialize(torch.float64)
        try:
            result = call_metrics(submission, args, kwargs)
            assert_metrics(result["output"], *args, **kwargs, reveal=reveal_expected)
        except CheckFailure as f:
            if f.about_values:
                f.message = f"{f.message}\n{describe_labels(args, kwargs)}"
                f.args = (f.message,)
                f.hint = f.hint or sample.hint
            raise

    check.__doc__ = "classification_metrics matches scikit-learn's macro metrics (labels=range(K))"
    return check


def metrics_error_check(samples, *, points):
    share = Fraction(points) / len(samples)

    @pytest.mark.parametrize("sample", [pytest.param(s, id=s.id, marks=pytest.mark.points(share))
                                        for s in samples])
    def check(submission, sample):
        args, kwargs = sample.materialize(torch.float64)
        result = call_metrics(submission, args, kwargs, raised_ok=True)
        if result.get("error"):
            if not str(result["error"].get("message") or "").strip():
                raise CheckFailure("classification_metrics raised an exception without a "
                                   "message; say what is wrong with the labels")
            return
        raise CheckFailure(f"classification_metrics should raise a ValueError here ({sample.hint}), "
                           f"but returned {describe_value(result['output'])}\n"
                           f"{describe_labels(args, kwargs)}")

    check.__doc__ = "classification_metrics rejects inconsistent labels"
    return check
