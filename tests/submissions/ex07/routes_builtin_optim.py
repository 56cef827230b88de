"""Other routes to the built-in optimizers' arithmetic, each a class `SGD` or `Adam` named
by a suffix (used by tests/test_ex07.py to show that the driver reports every one):
the functional API, the fused kernels, and a private kernel imported before grading."""
import torch
import torch.optim._functional as F
from torch.optim import Optimizer
from torch.optim.adam import _single_tensor_adam


class _Lists(Optimizer):
    def lists(self, group):
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            st = self.state[p]
            if not st:
                st.update(step=torch.tensor(0.0), m=torch.zeros_like(p), v=torch.zeros_like(p),
                          vmax=torch.zeros_like(p))
        pick = lambda k: [self.state[p][k] for p in params]  # noqa: E731
        return params, [p.grad for p in params], pick("m"), pick("v"), pick("vmax"), pick("step")


class SGD_functional(Optimizer):
    def __init__(self, params, lr=1e-3):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            params = [p for p in g["params"] if p.grad is not None]
            F.sgd(params, [p.grad for p in params], [None] * len(params), weight_decay=0,
                  momentum=0, lr=g["lr"], dampening=0, nesterov=False, maximize=False)


class Adam_functional(_Lists):
    def __init__(self, params, lr=1e-3):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            F.adam(*self.lists(g), amsgrad=False, beta1=0.9, beta2=0.999, lr=g["lr"],
                   weight_decay=0, eps=1e-8, maximize=False)


class Adam_fused(_Lists):
    def __init__(self, params, lr=1e-3):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            params, grads, m, v, vmax, steps = self.lists(g)
            for s in steps:
                s += 1
            torch._fused_adam_(params, grads, m, v, [], steps, lr=g["lr"], beta1=0.9,
                               beta2=0.999, weight_decay=0.0, eps=1e-8, amsgrad=False,
                               maximize=False)


class SGD_fused(Optimizer):
    def __init__(self, params, lr=1e-3):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            params = [p for p in g["params"] if p.grad is not None]
            torch._fused_sgd_(params, [p.grad for p in params], [], weight_decay=0.0,
                              momentum=0.0, lr=g["lr"], dampening=0.0, nesterov=False,
                              maximize=False, is_first_step=True)


class Adam_private_kernel(_Lists):
    def __init__(self, params, lr=1e-3):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self, closure=None):
        for g in self.param_groups:
            params, grads, m, v, vmax, steps = self.lists(g)
            _single_tensor_adam(params, grads, m, v, vmax, steps, None, None, amsgrad=False,
                                has_complex=False, beta1=0.9, beta2=0.999, lr=g["lr"],
                                weight_decay=0, eps=1e-8, maximize=False, capturable=False,
                                differentiable=False, decoupled_weight_decay=False)
