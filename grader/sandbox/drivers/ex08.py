"""ex08 drivers: run a submission's training loop on grader-built objects and report.

Every driver builds the model, loaders, loss and optimizer itself (``ex08_probe``), calls
the submission under the op recorder and the probe, and returns the submission's output
with the probe's records and the tensors the trusted side needs to judge it (weights,
checkpoint contents read back with ``torch.load(weights_only=True)``). Requests carry the
data as tensors; nothing is read from the course folder here. A forbidden pattern with a
dot names modules (``sklearn.metrics*``): it is matched against the modules the submission
imported, while the others go to the op recorder (op names have no dots).
"""
from __future__ import annotations

import os
import sys

import torch

from ..oprecorder import ForbiddenOps, Recording
from ..submission_code import SubmissionRaised, run_submission
from . import driver
from .core import rules_of
from .ex08_probe import Probe, ProbedLoader, ProbedLoss, make_model, plain


class Rules:
    """The exercise's forbidden patterns, split between the op recorder and the module check."""

    def __init__(self, request, path: str):
        rules = rules_of(request) or ForbiddenOps(())
        self.ops = ForbiddenOps([p for p in rules.forbidden if "." not in p], rules.allowed)
        self.modules = ForbiddenOps([p for p in rules.forbidden if "." in p], rules.allowed)
        self.path = path
        self.recording = Recording(self.ops, path)  # inert when no op is forbidden

    def hits(self) -> list[dict]:
        return self.recording.hits() + module_hits(self.modules, self.path)


def module_hits(rules: ForbiddenOps, path: str) -> list[dict]:
    """Imported modules that match a forbidden pattern, outermost first, with a line that names them."""
    if not rules.forbidden:
        return []
    names = [n for n in list(sys.modules) if rules.matches(n)]
    top = sorted(n for n in names if n.rpartition(".")[0] not in names)
    return [{"level": "module", "op": n, "line": _mention(path, n)} for n in top[:5]]


def _mention(path: str, module: str) -> int | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                if module.split(".")[0] in line and "import" in line:
                    return number
    except OSError:
        pass
    return None


def make_optimizer(params, spec: dict):
    if spec.get("name") == "sgd":
        return torch.optim.SGD(params, lr=spec["lr"], momentum=spec.get("momentum", 0.0))
    return torch.optim.Adam(params, lr=spec["lr"])


class Run:
    """One driver run: device, model, probe, loaders, loss, optimizer, recorder."""

    def __init__(self, state, request, *, snapshots: bool = False):
        self.state, self.request = state, request
        self.device = torch.device(request.get("device", "cpu"))
        torch.manual_seed(int(request.get("seed", 0)))  # dropout masks
        self.model = make_model(request["arch"], int(request.get("init_seed", 0)))
        if request.get("model_state") is not None:
            self.model.load_state_dict(request["model_state"])
        self.model.to(self.device)
        spec = request.get("optimizer")
        self.optimizer = make_optimizer(self.model.parameters(), spec) if spec else None
        self.probe = Probe(self.model, self.optimizer, snapshots=snapshots)
        self.loss_fn = ProbedLoss(self.probe)
        self.rules = Rules(request, state.path)
        self.recording = self.rules.recording
        self.schedule = request.get("schedule") or {}

    def loader(self, name: str):
        data = self.request["data"]
        if name == "train":
            return ProbedLoader(self.probe, "train", data["x_train"], data["y_train"],
                                batch_size=self.request["batch_size"],
                                seed=int(self.request.get("shuffle_seed", 0)), on_pass=self._on_train_pass)
        return ProbedLoader(self.probe, "val", data["x_val"], data["y_val"],
                            batch_size=self.request["val_batch_size"], seed=None)

    def _on_train_pass(self, k: int) -> int:
        """Epoch ``k`` (1-based) of the grader's schedule: a learning rate and a label shift."""
        lrs, shifts = self.schedule.get("lrs"), self.schedule.get("label_shifts")
        if lrs and self.optimizer is not None:
            for group in self.optimizer.param_groups:
                group["lr"] = lrs[min(k, len(lrs)) - 1]
        return shifts[min(k, len(shifts)) - 1] if shifts else 0

    def call(self, fn, phase: str = "call"):
        with self.recording, self.probe:
            return run_submission(fn, self.state.path, phase)

    def report(self, output, **extra) -> dict:
        return {"output": run_submission(lambda: plain(output), self.state.path, "output"),
                "passes": self.probe.passes, "state": plain(self.model.state_dict()), "forbidden": self.rules.hits(), **extra}


@driver("ex08_call")
def call_function(state, request):
    """Call a plain function (the metrics); report what it raised, and modules and ops it
    should not use."""
    fn = state.attribute(request["target"])
    rules = Rules(request, state.path)
    try:
        with rules.recording:
            out = run_submission(lambda: fn(*request.get("args", []), **request.get("kwargs", {})),
                                 state.path, "call")
        result = {"output": run_submission(lambda: plain(out), state.path, "output")}
    except SubmissionRaised as e:  # as data: an error check also needs the hits
        result = {"error": e.info}
    return {**result, "forbidden": rules.hits()}


@driver("ex08_train_one_epoch")
def train_one_epoch(state, request):
    fn = state.attribute("train_one_epoch")
    run = Run(state, request)
    loader = run.loader("train")
    run.model.eval()  # a correct loop switches to training mode itself
    out = run.call(lambda: fn(run.model, loader, run.loss_fn, run.optimizer, run.device))
    return run.report(out)


@driver("ex08_evaluate")
def evaluate(state, request):
    fn = state.attribute("evaluate")
    run = Run(state, request)
    loader = run.loader("val")
    run.model.train()  # a correct evaluation switches to eval mode itself
    out = run.call(lambda: fn(run.model, loader, run.device, int(request["num_classes"])))
    return run.report(out)


@driver("ex08_fit")
def fit(state, request):
    fn = state.attribute("fit")
    run = Run(state, request, snapshots=True)
    train, val = run.loader("train"), run.loader("val")
    path = os.path.join(os.getcwd(), "best.pt") if request.get("checkpoint") else None
    if path is not None and os.path.exists(path):
        os.remove(path)
    before = set(os.listdir(os.getcwd()))
    out = run.call(lambda: fn(run.model, train, val, run.loss_fn, run.optimizer,
                              int(request["epochs"]), run.device, checkpoint_path=path))
    extra = {"snapshots": {str(k): v for k, v in run.probe.states.items()},
             "new_files": sorted(set(os.listdir(os.getcwd())) - before)[:20]}
    if path is not None:
        extra.update(read_checkpoint(path))
        with run.recording:
            extra["round_trip"] = round_trip(state, request, path)
    return run.report(out, **extra)


def read_checkpoint(path: str) -> dict:
    """The checkpoint as the grader reads it: weights_only, so only tensors and plain data."""
    if not os.path.isfile(path):
        return {"checkpoint_error": "no file was written at checkpoint_path"}
    try:
        return {"checkpoint": plain(torch.load(path, map_location="cpu", weights_only=True))}
    except Exception as e:  # noqa: BLE001 - reported to the student
        return {"checkpoint_error": f"torch.load(path, weights_only=True) failed: {str(e)[:300]}"}


def round_trip(state, request, path: str) -> dict:
    """The submission's ``load_checkpoint`` into a fresh model and optimizer."""
    model = make_model(request["arch"], int(request.get("init_seed", 0)) + 1).to(request["device"])
    optimizer = make_optimizer(model.parameters(), request["optimizer"])
    try:
        fn = state.attribute("load_checkpoint")
        out = run_submission(lambda: fn(path, model, optimizer), state.path, "load_checkpoint")
        returned = run_submission(lambda: plain(out), state.path, "output")
    except SubmissionRaised as e:
        return {"error": e.info}
    return {"returned": returned, "model_state": plain(model.state_dict()),
            "optimizer_state": plain(optimizer.state_dict())}


@driver("ex08_load_checkpoint")
def load_checkpoint(state, request):
    """Write a checkpoint (grader code), then load it with the submission's load_checkpoint."""
    fn = state.attribute("load_checkpoint")
    saved = make_model(request["arch"], 0)
    optimizer = make_optimizer(saved.parameters(), request["optimizer"])
    for _ in range(2):  # some optimizer state to restore: moments and step counts
        optimizer.zero_grad()
        sum((p * p).sum() for p in saved.parameters()).backward()
        optimizer.step()
    saved.load_state_dict(request["model_state"])  # the weights the trusted side knows
    path = os.path.join(os.getcwd(), "given.pt")
    torch.save({"epoch": request["epoch"], "val_accuracy": request["val_accuracy"],
                "model_state_dict": saved.state_dict(),
                "optimizer_state_dict": optimizer.state_dict()}, path)
    rules = Rules(request, state.path)
    result = {"saved_optimizer_state": plain(optimizer.state_dict())}
    for key, with_optimizer in (("with_optimizer", True), ("model_only", False)):
        model = make_model(request["arch"], 1).to(request.get("device", "cpu"))
        fresh = make_optimizer(model.parameters(), request["optimizer"])
        args = (path, model, fresh) if with_optimizer else (path, model)
        with rules.recording:
            out = run_submission(lambda: fn(*args), state.path, "call")
        result[key] = {"returned": run_submission(lambda: plain(out), state.path, "output"),
                       "model_state": plain(model.state_dict()),
                       "optimizer_state": plain(fresh.state_dict())}
    result["forbidden"] = rules.hits()
    return result
