"""ex07 hidden checks: every hyper-parameter and branch of SGD, Adam and AdamW over many
steps, several param groups, learning-rate changes, resuming from state_dict(), step(closure),
parameters without gradients, defaults, and invalid arguments.

Values are chosen so that each branch matters beyond the float32 tolerance: dampening != 0
with momentum (first-step rule), a large eps (where it sits matters), beta2 = 0.6 with
amsgrad (v decreases, so its running max differs from v), weight decay with maximize (the
sign of each term matters), lr * weight_decay large enough for AdamW's decay to show.
"""
from fractions import Fraction

import pytest
import torch
from ex07_spec import G, Run, run_submission, trajectory_check
from ex07_variants import diagnose

from grader.outcomes import CheckFailure, NotImplementedYet, SubmissionRaised

STATE_HINT = ("keep every per-parameter quantity (buffers, moments, step count) in "
              "self.state[p] so state_dict()/load_state_dict() carry it")
GROUP_HINT = "read every option from the param group at each step, not from self.defaults"

SGD_RUNS = [
    Run("sgd_plain", "SGD", {"lr": 0.1}),
    Run("sgd_weight_decay", "SGD", {"lr": 0.1, "weight_decay": 0.3},
        hint="SGD adds weight_decay * p to the gradient"),
    Run("sgd_momentum_dampening", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5},
        hint="the first step sets buf = g with no dampening; later buf = m * buf + (1 - d) * g"),
    Run("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True},
        hint="nesterov: update with g + momentum * buf, buf already updated"),
    Run("sgd_nesterov_decay", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    Run("sgd_maximize_decay_momentum", "SGD",
        {"lr": 0.1, "momentum": 0.7, "weight_decay": 0.2, "maximize": True},
        hint="maximize negates the gradient first; weight decay is added after"),
    Run("sgd_three_groups", "SGD", {"lr": 0.1, "momentum": 0.5},
        groups=(G((3,)), G((2, 2), lr=0.02, momentum=0.9, nesterov=True),
                G((5,), weight_decay=0.5, dampening=0.3)), hint=GROUP_HINT),
    Run("sgd_lr_schedule", "SGD", {"lr": 0.1, "momentum": 0.9},
        groups=(G((4,)), G((3,), lr=0.05)), steps=9, lr_changes={2: (0.3, 0.01), 5: 0.05},
        hint="read group['lr'] at every step: a scheduler changes it between steps"),
]

ADAM_RUNS = [
    Run("adam_default_betas", "Adam", {"lr": 0.05}),
    Run("adam_custom_betas", "Adam", {"lr": 0.1, "betas": (0.8, 0.9)}),
    Run("adam_large_eps", "Adam", {"lr": 0.1, "eps": 0.3},
        hint="the denominator is sqrt(v_hat) + eps"),
    Run("adam_l2_decay", "Adam", {"lr": 0.05, "weight_decay": 0.3},
        hint="Adam's weight_decay adds weight_decay * p to the gradient (L2)"),
    Run("adam_amsgrad", "Adam", {"lr": 0.05, "betas": (0.9, 0.6), "amsgrad": True}),
    Run("adam_maximize_decay", "Adam", {"lr": 0.05, "weight_decay": 0.2, "maximize": True}),
    Run("adam_groups", "Adam", {"lr": 0.05},
        groups=(G((3,)), G((2, 3), betas=(0.5, 0.7), eps=0.1), G((4,), lr=0.2, amsgrad=True,
                                                                   betas=(0.9, 0.6))),
        hint=GROUP_HINT),
    Run("adam_lr_schedule", "Adam", {"lr": 0.1}, steps=9, lr_changes={3: 0.02, 6: 0.2}),
]

ADAMW_RUNS = [
    Run("adamw_default_decay", "AdamW", {"lr": 0.05}, steps=10,
        hint="AdamW's default weight_decay is 1e-2"),
    Run("adamw_strong_decay", "AdamW", {"lr": 0.1, "weight_decay": 0.5}),
    Run("adamw_amsgrad", "AdamW", {"lr": 0.05, "betas": (0.9, 0.6), "amsgrad": True, "weight_decay": 0.3}),
    Run("adamw_maximize", "AdamW", {"lr": 0.05, "weight_decay": 0.3, "maximize": True}),
    Run("adamw_groups", "AdamW", {"lr": 0.05},
        groups=(G((3,), weight_decay=0.0), G((2, 2), weight_decay=0.6, lr=0.1)), hint=GROUP_HINT),
    Run("adamw_lr_schedule", "AdamW", {"lr": 0.1, "weight_decay": 0.4}, lr_changes={3: 0.02},
        hint="the decay uses the group's current lr: p *= 1 - lr * weight_decay"),
]

RESUME_RUNS = [
    Run("sgd_nesterov_resume", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True},
        groups=(G((3,)), G((2, 2), lr=0.1)), steps=8, lr_changes={2: (0.2, 0.02)}, resume_at=4,
        hint=STATE_HINT + "; load_state_dict also restores each group's lr"),
    Run("adam_amsgrad_resume", "Adam", {"lr": 0.05, "betas": (0.9, 0.6), "amsgrad": True},
        groups=(G((3,)), G((4,), eps=0.01)), steps=8, resume_at=3, hint=STATE_HINT),
    Run("adamw_resume_then_lr", "AdamW", {"lr": 0.1, "weight_decay": 0.3}, steps=8, resume_at=5,
        lr_changes={6: 0.03}, hint=STATE_HINT),
    Run("sgd_dampening_resume", "SGD", {"lr": 0.1, "momentum": 0.8, "dampening": 0.4}, steps=6,
        resume_at=1, hint=STATE_HINT),
]

CLOSURE_RUNS = [
    Run("sgd_closure", "SGD", {"lr": 0.1, "momentum": 0.9}, closure=True,
        hint="step(closure) calls the closure under torch.enable_grad() and returns its loss"),
    Run("adam_closure", "Adam", {"lr": 0.05}, closure=True),
    Run("adamw_closure", "AdamW", {"lr": 0.05, "amsgrad": True, "betas": (0.9, 0.6)}, closure=True,
        steps=10),
]

NO_GRAD_HINT = ("skip a parameter whose .grad is None: its state (and, for Adam, its own "
                "step count) does not change")
NO_GRAD_RUNS = [
    Run("sgd_missing_grads", "SGD", {"lr": 0.1, "momentum": 0.9}, groups=(G((3,), (2,), (4,)),),
        no_grad={0: (1,), 3: (0, 2)}, hint=NO_GRAD_HINT),
    Run("adam_missing_grads", "Adam", {"lr": 0.1}, groups=(G((3,), (2,)),), steps=6,
        no_grad={0: (1,), 1: (1,), 4: (0,)}, hint=NO_GRAD_HINT),
]

DEFAULT_RUNS = [
    Run("sgd_defaults", "SGD", {}, hint="SGD's default lr is 1e-3"),
    Run("adam_defaults", "Adam", {}, hint="Adam's defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8"),
    Run("adamw_defaults", "AdamW", {}, steps=12, hint="AdamW's default weight_decay is 1e-2"),
]

test_sgd_trajectories = trajectory_check(SGD_RUNS, points=18, diagnose=diagnose)
test_adam_trajectories = trajectory_check(ADAM_RUNS, points=18, diagnose=diagnose)
test_adamw_trajectories = trajectory_check(ADAMW_RUNS, points=14, diagnose=diagnose)
test_resume_from_state_dict = trajectory_check(RESUME_RUNS, points=12, diagnose=diagnose)
test_step_with_closure = trajectory_check(CLOSURE_RUNS, points=8, diagnose=diagnose)
test_params_without_grad = trajectory_check(NO_GRAD_RUNS, points=4, diagnose=diagnose)
test_default_hyperparameters = trajectory_check(DEFAULT_RUNS, points=3, dtypes=("float64",),
                                                diagnose=diagnose)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.points(Fraction(2, 3)))
                                  for n in ("SGD", "Adam", "AdamW")])
def test_is_a_torch_optimizer(submission, name):
    """each optimizer is a torch.optim.Optimizer (so schedulers and checkpoints work with it)"""
    run = Run("is_optimizer", name, {"lr": 0.01}, steps=1)
    result = run_submission(submission, run, run.materialize(torch.float64))
    if not result.get("is_optimizer"):
        raise CheckFailure(f"{name} is not a subclass of torch.optim.Optimizer: derive from it and "
                           "call super().__init__(params, defaults)")


ERROR_RUNS = [
    ("SGD", {"lr": -0.1}, "a negative learning rate"),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, "a negative momentum"),
    ("SGD", {"lr": 0.1, "nesterov": True}, "nesterov=True without momentum"),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
     "nesterov=True with dampening"),
    ("Adam", {"betas": (1.0, 0.999)}, "beta1 outside [0, 1)"),
    ("Adam", {"eps": -1e-8}, "a negative eps"),
    ("AdamW", {"weight_decay": -0.01}, "a negative weight_decay"),
    ("AdamW", {"betas": (0.9, 1.5)}, "beta2 outside [0, 1)"),
]


@pytest.mark.parametrize("name,kwargs,what", [
    pytest.param(*r, id=f"{r[0]}-{r[2].replace(' ', '_')}",
                 marks=pytest.mark.points(Fraction(6, len(ERROR_RUNS)))) for r in ERROR_RUNS])
def test_invalid_arguments_raise(submission, name, kwargs, what):
    """constructing an optimizer with invalid hyper-parameters raises an error with a message"""
    run = Run("invalid", name, kwargs, steps=0)
    try:
        run_submission(submission, run, run.materialize(torch.float32))
    except NotImplementedYet:
        raise
    except SubmissionRaised as raised:
        if not str(raised.info.get("message") or "").strip():
            raise CheckFailure(f"{name} raised {raised.info.get('type')} without a message; "
                               "say which argument is invalid") from None
        return
    raise CheckFailure(f"{name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) should raise "
                       f"an error ({what}), like torch.optim.{name} does, but it was accepted")
