"""ex07 misconceptions: known wrong optimizers, simulated in float64 to name a bug.

``diagnose(run, request, trajectory, tol)`` replays the run with each wrong variant that
applies and returns the hint of the first whose whole trajectory the submission matches.
Kept with the hidden checks: with every flag off the simulator is a working optimizer.
"""
from __future__ import annotations

import torch

from grader.compare import close_enough
from grader.sandbox.drivers.ex07 import quadratic_loss
from grader.spec import _as_double

DEFAULTS = {
    "SGD": {"lr": 1e-3, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False,
            "maximize": False},
    "Adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False,
             "maximize": False},
}
DEFAULTS["AdamW"] = {**DEFAULTS["Adam"], "weight_decay": 1e-2}

FLIP = ("maximize negates the gradient first, before weight decay: g = -grad (+ wd * p); "
        "flipping the whole update differs as soon as weight_decay is not 0")
VARIANTS = [  # (name, optimizers, flag, hint)
    ("momentum buffer started at zero", ("SGD",), "zero_buffer",
     "PyTorch sets buf = g on the first step (no dampening), and only then "
     "buf = momentum * buf + (1 - dampening) * g"),
    ("Nesterov ignored", ("SGD",), "nesterov_ignored",
     "your update equals plain momentum (buf); with nesterov=True it is g + momentum * buf, "
     "with buf already updated this step (g + momentum * old buf is plain momentum again)"),
    ("weight decay outside the momentum", ("SGD",), "sgd_decay_outside",
     "SGD adds weight_decay * p to the gradient before it enters the momentum buffer"),
    ("no bias correction", ("Adam", "AdamW"), "no_bias_correction",
     "divide m by 1 - beta1^t and v by 1 - beta2^t (t = this parameter's step count)"),
    ("eps inside the square root", ("Adam", "AdamW"), "eps_inside",
     "PyTorch uses sqrt(v_hat) + eps, not sqrt(v_hat + eps)"),
    ("eps added before the bias correction", ("Adam", "AdamW"), "eps_before_bc",
     "denominator = sqrt(v) / sqrt(1 - beta2^t) + eps: correct sqrt(v) first, then add eps"),
    ("decoupled decay in Adam", ("Adam",), "decoupled",
     "Adam's weight_decay is L2 regularisation: add weight_decay * p to the gradient; "
     "decoupled decay is AdamW's"),
    ("weight decay coupled into the gradient (Adam's L2)", ("AdamW",), "coupled",
     "AdamW decays the parameter itself, p -= lr * weight_decay * p, and leaves the "
     "gradient (and so m and v) alone"),
    ("decay without the learning rate", ("AdamW",), "decay_no_lr",
     "AdamW multiplies p by (1 - lr * weight_decay), with the group's current lr"),
    ("decay after the update", ("AdamW",), "decay_after",
     "AdamW decays p BEFORE the Adam update: p *= 1 - lr * wd, then p -= step"),
    ("AMSGrad: max of the bias-corrected v", ("Adam", "AdamW"), "ams_vhat",
     "keep the running max of the raw exp_avg_sq and divide that max by 1 - beta2^t"),
    ("AMSGrad: max used without bias correction", ("Adam", "AdamW"), "ams_no_bc",
     "the max of exp_avg_sq is still divided by 1 - beta2^t before the sqrt"),
    ("AMSGrad ignored", ("Adam", "AdamW"), "ams_ignored",
     "with amsgrad=True use max(max_exp_avg_sq, exp_avg_sq) in the denominator"),
    ("maximize flips the whole update", ("SGD", "Adam", "AdamW"), "flip", FLIP),
    ("step count shared by all parameters", ("Adam", "AdamW"), "global_step",
     "count steps per parameter in self.state[p]: a parameter skipped (grad None) does not "
     "advance, and the count must survive state_dict()/load_state_dict()"),
    ("missing gradient used as zero", ("SGD", "Adam", "AdamW"), "none_as_zero",
     "skip parameters whose .grad is None: no update, and their state does not change"),
    ("learning rate read once", ("SGD", "Adam", "AdamW"), "lr_once",
     "read group['lr'] (and every option) from the param group at each step: schedulers "
     "change it between steps"),
    ("learning rate taken from the constructor", ("SGD", "Adam", "AdamW"), "lr_constructor",
     "each param group has its own lr, and schedulers change group['lr'] between steps: read "
     "group['lr'] at every step, not an lr saved in __init__ or self.defaults"),
    ("state lost on resume", ("SGD", "Adam", "AdamW"), "state_lost",
     "keep every per-parameter quantity in self.state[p] (not in attributes of your own) "
     "so state_dict() saves it and load_state_dict() restores it"),
]


def diagnose(run, request, trajectory, tol) -> str | None:
    for name, optimizers, flag, hint in VARIANTS:
        if run.optimizer not in optimizers:
            continue
        try:
            wrong = simulate(run, request, {flag})
        except Exception:  # noqa: BLE001 - a variant may not apply to this run
            continue
        if _matches(trajectory, wrong, tol):
            return f"{name}: {hint}"
    return None


def _matches(got, wrong, tol) -> bool:
    if not isinstance(got, list) or len(got) != len(wrong):
        return False
    return all(isinstance(p, torch.Tensor) and close_enough(p, w, tol)
               for ps, ws in zip(got, wrong) for p, w in zip(ps, ws))


def simulate(run, request, flags: set) -> list:
    req = _as_double(request)
    params = [t.clone() for t in req["params"]]
    groups = [{**DEFAULTS[run.optimizer], **run.kwargs, **g} for g in req["layout"]]
    state: dict = {}
    trajectory = []
    for step in range(req["steps"]):
        if step == req.get("resume_at") and "state_lost" in flags:
            state = {}
        lrs = (req.get("lr_changes") or {}).get(str(step))
        if "lr_constructor" in flags:
            lrs = [run.kwargs.get("lr", DEFAULTS[run.optimizer]["lr"])] * len(groups)
        if lrs is not None and "lr_once" not in flags:
            for g, lr in zip(groups, lrs):
                g["lr"] = lr
        grads = _grads(req, step, params)
        if "none_as_zero" in flags:
            grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]
        for g in groups:
            for i in g["params"]:
                if "global_step" in flags:
                    state.setdefault(i, {})["t"] = step
                if grads[i] is not None:
                    update = _sgd if run.optimizer == "SGD" else _adam
                    params[i] = update(params[i], grads[i], state.setdefault(i, {}), g, flags,
                                       run.optimizer == "AdamW")
        trajectory.append([p.clone() for p in params])
    return trajectory


def _grads(req, step, params):
    if req.get("loss") is None:
        return req["grads"][step]
    leaves = [p.clone().requires_grad_(True) for p in params]
    quadratic_loss(leaves, req["loss"]["A"], req["loss"]["b"]).backward()
    return [leaf.grad for leaf in leaves]


def _sgd(p, g, st, grp, flags, _):
    lr, mom, damp, wd = grp["lr"], grp["momentum"], grp["dampening"], grp["weight_decay"]
    flip = grp["maximize"] and "flip" in flags
    g = -g if grp["maximize"] and not flip else g
    if wd and "sgd_decay_outside" not in flags:
        g = g + wd * p
    update = g
    if mom:
        prev = st.get("buf")
        if prev is None:
            buf = (1 - damp) * g if "zero_buffer" in flags else g.clone()
        else:
            buf = mom * prev + (1 - damp) * g
        st["buf"] = buf
        update = buf
        if grp["nesterov"] and "nesterov_ignored" not in flags:
            update = g + mom * buf
    if wd and "sgd_decay_outside" in flags:
        update = update + wd * p
    return p + lr * update if flip else p - lr * update


def _adam(p, g, st, grp, flags, adamw):
    lr, (b1, b2), eps, wd = grp["lr"], grp["betas"], grp["eps"], grp["weight_decay"]
    flip = grp["maximize"] and "flip" in flags
    g = -g if grp["maximize"] and not flip else g
    decoupled = adamw != ("coupled" in flags or "decoupled" in flags)
    if wd and decoupled and "decay_after" not in flags:
        p = p * (1 - wd) if "decay_no_lr" in flags else p * (1 - lr * wd)
    elif wd and not decoupled:
        g = g + wd * p
    t = st["t"] = st.get("t", 0) + 1
    m = st["m"] = b1 * st.get("m", torch.zeros_like(p)) + (1 - b1) * g
    v = st["v"] = b2 * st.get("v", torch.zeros_like(p)) + (1 - b2) * g * g
    bc1, bc2 = (1.0, 1.0) if "no_bias_correction" in flags else (1 - b1 ** t, 1 - b2 ** t)
    if grp["amsgrad"] and "ams_ignored" not in flags:
        seen = v / bc2 if "ams_vhat" in flags else v
        v = st["vmax"] = torch.maximum(st.get("vmax", torch.zeros_like(p)), seen)
        bc2 = 1.0 if flags & {"ams_vhat", "ams_no_bc"} else bc2
    if "eps_inside" in flags:
        denom = (v / bc2 + eps).sqrt()
    elif "eps_before_bc" in flags:
        denom = (v.sqrt() + eps) / bc2 ** 0.5
    else:
        denom = v.sqrt() / bc2 ** 0.5 + eps
    step = lr * (m / bc1) / denom
    p = p + step if flip else p - step
    if wd and decoupled and "decay_after" in flags:
        p = p * (1 - lr * wd)
    return p
