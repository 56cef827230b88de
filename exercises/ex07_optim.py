"""ex07: SGD, Adam and AdamW optimizers.

Implement ``SGD``, ``Adam`` and ``AdamW`` as subclasses of ``torch.optim.Optimizer`` whose
parameter updates match ``torch.optim.SGD``/``Adam``/``AdamW`` step for step, without using
them (no ``torch.optim.SGD``/``Adam``/``AdamW``, no ``torch.optim._functional``, no fused
kernels such as ``torch._fused_adam_``). Tensor ops, including ``torch._foreach_*``, are fine.

How an Optimizer subclass works:
- ``__init__`` validates the hyper-parameters (raise ``ValueError`` with a message), packs
  them in a ``defaults`` dict and calls ``super().__init__(params, defaults)``. The base
  class builds ``self.param_groups``: a list of dicts, each with its ``"params"`` and every
  option (a group given as ``{"params": [...], "lr": 0.01}`` keeps its own lr and takes the
  other options from ``defaults``).
- ``step(closure=None)`` updates every parameter ``p`` of every group in place (under
  ``torch.no_grad()``), reading the options from ITS group at each step (a scheduler may
  have changed ``group["lr"]`` since the last step). Skip a parameter whose ``p.grad`` is
  None: its state does not change. If a closure is given, call it under
  ``torch.enable_grad()`` before the update (it recomputes the loss and the gradients) and
  return its loss; otherwise return None.
- Per-parameter state (momentum buffers, moments, step counts) lives in ``self.state[p]``,
  a dict created empty on first use; name its entries as you like. Then the base class's
  ``state_dict()``/``load_state_dict()`` save and restore it, and a rebuilt optimizer
  resumes exactly where the old one stopped (state kept elsewhere is lost).

SGD, with g = p.grad (g = -p.grad if maximize), on each step:

    g = g + weight_decay * p                       (if weight_decay != 0)
    if momentum != 0:
        buf = g                                    on the parameter's first step (no dampening!)
        buf = momentum * buf + (1 - dampening) * g on later steps
        g = g + momentum * buf   if nesterov else   g = buf
    p = p - lr * g

Nesterov needs momentum > 0 and dampening == 0 (else ValueError).

Adam, with t the parameter's own step count (1 on its first step) and g as above:

    g = g + weight_decay * p                       (if weight_decay != 0: L2, in the gradient)
    m = beta1 * m + (1 - beta1) * g                (m and v start at zeros)
    v = beta2 * v + (1 - beta2) * g * g
    if amsgrad: v_max = max(v_max, v); use v_max instead of v below (v_max starts at zeros)
    denom = sqrt(v) / sqrt(1 - beta2^t) + eps      (eps OUTSIDE the square root)
    p = p - lr / (1 - beta1^t) * m / denom

AdamW is Adam with DECOUPLED weight decay: the gradient is not touched, instead, first,

    p = p * (1 - lr * weight_decay)                (then the Adam update above)

and its default weight_decay is 1e-2. ``maximize`` negates the gradient before anything
else (so weight decay still pulls towards 0). Valid ranges: lr >= 0, momentum >= 0,
weight_decay >= 0, eps >= 0, 0 <= beta < 1.

Worked example: SGD(lr=0.1, momentum=0.9) on p = 1.0 with gradients 1.0 then 1.0:
step 1: buf = 1.0, p = 0.9; step 2: buf = 0.9 * 1.0 + 1.0 = 1.9, p = 0.9 - 0.19 = 0.71.

What the checks look at: the parameters after every step of many runs (float32 and
float64) against torch.optim (foreach=False) in float64: every option, several param
groups with their own options, the lr changed between steps, a resume from
``state_dict()`` into a fresh optimizer over fresh parameters, ``step(closure)`` and its
return value, parameters without gradients, the defaults, that each class is a
``torch.optim.Optimizer``, and a ValueError for invalid hyper-parameters.
"""
from __future__ import annotations

import torch
from torch.optim import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False):
        raise NotImplementedError("ex07: implement SGD.__init__ (validate, then "
                                  "super().__init__(params, defaults))")

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        raise NotImplementedError("ex07: implement SGD.step")


class Adam(Optimizer):
    """Adam (L2 weight decay in the gradient), optionally AMSGrad."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False):
        raise NotImplementedError("ex07: implement Adam.__init__ (validate, then "
                                  "super().__init__(params, defaults))")

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        raise NotImplementedError("ex07: implement Adam.step")


class AdamW(Optimizer):
    """Adam with decoupled weight decay (p *= 1 - lr * weight_decay before the update)."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False):
        raise NotImplementedError("ex07: implement AdamW.__init__ (validate, then "
                                  "super().__init__(params, defaults))")

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        raise NotImplementedError("ex07: implement AdamW.step")
