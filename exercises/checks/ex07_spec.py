"""ex07 declared as data: optimizer runs, the torch.optim oracle, trajectory comparison.

A ``Run`` is one optimizer driven for several steps: its constructor arguments, its
param groups (shapes and per-group options), seeded gradients (or a seeded quadratic loss
evaluated in ``step(closure)``), learning-rate changes between steps, and an optional
resume from ``state_dict()`` into a fresh optimizer. The submission runs it in a worker
(driver ``optimizer_trajectory``); ``torch.optim`` runs the same protocol here in float64
(``foreach=False``), and every parameter is compared after every step.
"""
from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
import torch

from grader.compare import Tol, describe_value, expect_tensor, value_mismatch
from grader.outcomes import CheckFailure, ForbiddenOpUsed, NotImplementedYet
from grader.sandbox.drivers.ex07 import run_trajectory
from grader.spec import DTYPES, _as_double
from grader.submission import forbidden_message

# Float32 trajectories drift from the float64 oracle by rounding only: torch.optim itself in
# float32 stays below 2% of this tolerance on every run here (tests/test_ex07.py asserts < 5%).
TOLERANCES = {"float32": Tol(atol=2e-5, rtol=2e-5), "float64": Tol(atol=1e-9, rtol=1e-7)}


@dataclass(frozen=True)
class G:
    """A param group: the shapes of its parameters and its own options (lr=..., ...)."""

    shapes: tuple
    options: dict

    def __init__(self, *shapes, **options):
        object.__setattr__(self, "shapes", tuple(shapes))
        object.__setattr__(self, "options", options)


@dataclass(frozen=True)
class Run:
    id: str
    optimizer: str                      # SGD | Adam | AdamW
    kwargs: dict = field(default_factory=dict)
    groups: tuple = (G((3,), (2, 3)),)
    steps: int = 8
    lr_changes: dict = field(default_factory=dict)   # step -> lr (all groups) or per group
    resume_at: int | None = None        # rebuild from state_dict() before this step
    closure: bool = False
    no_grad: dict = field(default_factory=dict)      # step -> params whose .grad is None
    hint: str | None = None

    def materialize(self, dtype: torch.dtype) -> dict:
        gen = torch.Generator().manual_seed(
            int.from_bytes(hashlib.sha256(f"ex07/{self.id}".encode()).digest()[:6], "big"))
        randn = lambda *s: torch.randn(*s, generator=gen, dtype=torch.float64).to(dtype)  # noqa: E731
        shapes = [s for g in self.groups for s in g.shapes]
        layout, first = [], 0
        for g in self.groups:
            layout.append({"params": list(range(first, first + len(g.shapes))), **g.options})
            first += len(g.shapes)
        request = {"params": [randn(*s) for s in shapes], "layout": layout, "steps": self.steps,
                   "resume_at": self.resume_at, "grads": None, "loss": None,
                   "lr_changes": {str(k): list(v) if isinstance(v, tuple) else [v] * len(layout)
                                  for k, v in self.lr_changes.items()}}
        if self.closure:
            sizes = [torch.Size(s).numel() for s in shapes]
            request["loss"] = {"A": [randn(n + 1, n) / n ** 0.5 for n in sizes],
                               "b": [randn(n + 1) for n in sizes]}
        else:
            request["grads"] = [[None if i in self.no_grad.get(step, ()) else randn(*s)
                                 for i, s in enumerate(shapes)] for step in range(self.steps)]
        return request

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        groups = "; ".join(f"params {[tuple(s) for s in g.shapes]}"
                           + "".join(f", {k}={v!r}" for k, v in g.options.items()) for g in self.groups)
        parts = [f"{self.optimizer}({args or 'params'}), {len(self.groups)} param group(s): "
                 f"[{groups}], {self.steps} steps"]
        parts += [f"lr set to {v!r} before step {k + 1}" for k, v in self.lr_changes.items()]
        if self.resume_at is not None:
            parts.append(f"rebuilt from state_dict() after step {self.resume_at}")
        if self.closure:
            parts.append("step(closure) on a quadratic loss")
        parts += [f"param(s) {list(v)} without gradient at step {k + 1}" for k, v in self.no_grad.items()]
        return "; ".join(parts)


def reference(run: Run, request: dict) -> dict:
    """torch.optim in float64 through the same protocol as the worker."""
    cls = getattr(torch.optim, run.optimizer)
    return run_trajectory(lambda groups: cls(groups, **run.kwargs, foreach=False), _as_double(request))


def run_submission(submission, run: Run, request: dict) -> dict:
    result = submission.driver("optimizer_trajectory", what=run.optimizer, target=run.optimizer,
                               kwargs=run.kwargs, **request)
    if not isinstance(result, dict) or not isinstance(result.get("trajectory"), list):
        raise CheckFailure(f"the optimizer run sent back {describe_value(result)}")
    hits = result.get("forbidden") or []
    if hits:
        raise ForbiddenOpUsed(forbidden_message(hits, submission.filename, run.optimizer), hits=hits)
    return result


def compare_trajectory(got: list, expected: list, run: Run, dtype, reveal_expected: bool) -> None:
    """Every parameter after every step; the first wrong step is reported."""
    tol = tolerance(dtype)
    shapes = [s for g in run.groups for s in g.shapes]
    owner = [gi for gi, g in enumerate(run.groups) for _ in g.shapes]
    if len(got) != len(expected):
        raise CheckFailure(f"the run made {len(got)} steps, expected {len(expected)}")
    for step, (params, want) in enumerate(zip(got, expected)):
        for j, (p, e) in enumerate(zip(params, want)):
            what = f"parameter {j} (shape {tuple(shapes[j])}, group {owner[j]}) after step {step + 1}"
            p = expect_tensor(p, what)
            if tuple(p.shape) != tuple(e.shape) or p.dtype != dtype:
                raise CheckFailure(f"{what} has shape {tuple(p.shape)} and dtype {p.dtype}, expected "
                                   f"{tuple(e.shape)} and {dtype}: update parameters in place")
            ok = torch.isclose(p.double(), e, rtol=tol.rtol, atol=tol.atol, equal_nan=True)
            if not bool(ok.all()):
                before = f"; steps 1 to {step} were right" if step else ""
                raise CheckFailure(value_mismatch(p.double(), e, ok, tol=tol, what=what,
                                                  reveal_expected=reveal_expected) + before)


def _check_closure_losses(result, expected, dtype, reveal_expected):
    tol = tolerance(dtype)
    for step, (ret, seen, want) in enumerate(zip(result["returned"], result["losses"], expected["losses"])):
        if not isinstance(ret, torch.Tensor) or ret.numel() != 1 or not torch.equal(ret, seen):
            raise CheckFailure(f"step(closure) at step {step + 1} returned {describe_value(ret)}; it "
                               "should return the loss the closure returned")
        if not torch.isclose(seen.double(), want, rtol=tol.rtol, atol=tol.atol):
            shown = f", expected {want.item():.6g}" if reveal_expected else ""
            raise CheckFailure(f"the loss at step {step + 1} is {seen.item():.6g}{shown}")


def tolerance(dtype) -> Tol:
    return TOLERANCES[str(dtype).replace("torch.", "")]


@contextlib.contextmanager
def explained(run: Run, dtype, device: str, hint=lambda: None):
    """Add the run's configuration, and a hint (misconception or the run's own), to failures."""
    try:
        yield
    except NotImplementedYet:
        raise
    except CheckFailure as failure:
        failure.message = (f"{failure.message}\nconfiguration: {run.describe()} "
                           f"[{str(dtype).replace('torch.', '')}, {device}]")
        failure.args = (failure.message,)
        failure.hint = failure.hint or hint() or run.hint
        raise


def trajectory_check(runs, *, points, dtypes=("float32", "float64"), diagnose=None):
    """Parameters after every step (and closure losses) match torch.optim's."""
    cases = [(r, d) for r in runs for d in dtypes]
    share = Fraction(points) / len(cases)
    params = [pytest.param(r, DTYPES[d], id=f"{r.id}-{d}", marks=pytest.mark.points(share))
              for r, d in cases]

    @pytest.mark.parametrize("run,dtype", params)
    def check(submission, run, dtype, reveal_expected):
        request = run.materialize(dtype)
        expected = reference(run, request)
        with explained(run, dtype, submission.device):
            result = run_submission(submission, run, request)
        wrong = lambda: diagnose(run, request, result["trajectory"], tolerance(dtype)) \
            if diagnose else None  # noqa: E731
        with explained(run, dtype, submission.device, wrong):
            compare_trajectory(result["trajectory"], expected["trajectory"], run, dtype, reveal_expected)
            if run.closure:
                _check_closure_losses(result, expected, dtype, reveal_expected)

    check.__doc__ = "optimizer trajectories match torch.optim (foreach=False, float64)"
    return check


def _diagnose_if_available():
    """Misconception hints live with the hidden checks; public-only runs go without."""
    try:
        from ex07_variants import diagnose
    except ImportError:
        return None
    return diagnose


DIAGNOSE = _diagnose_if_available()

PUBLIC_RUNS = [
    Run("sgd_momentum", "SGD", {"lr": 0.1, "momentum": 0.9},
        hint="PyTorch starts the momentum buffer at the first gradient: buf = g on step 1"),
    Run("sgd_two_groups_lr_change", "SGD", {"lr": 0.1},
        groups=(G((4,)), G((2, 2), lr=0.03, momentum=0.5)), lr_changes={3: (0.2, 0.01)},
        hint="read lr and the other options from each param group at every step"),
    Run("adam_basic", "Adam", {"lr": 0.05},
        hint="Adam divides m and v by their bias corrections 1 - beta^t"),
    Run("adamw_basic", "AdamW", {"lr": 0.05, "weight_decay": 0.2},
        hint="AdamW decays the parameter itself first: p -= lr * weight_decay * p"),
    Run("adam_resume", "Adam", {"lr": 0.05, "amsgrad": True}, steps=8, resume_at=4,
        hint="keep every per-parameter quantity (moments, step count) in self.state[p] so "
             "state_dict()/load_state_dict() carry it"),
]
