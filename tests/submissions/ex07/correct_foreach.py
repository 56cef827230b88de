"""Correct, written differently: one group at a time with torch._foreach_* list ops, state
under names of its own (a tensor step count), AdamW written out on its own."""
import torch
from torch.optim import Optimizer


def _loss(closure):
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False):
        for name, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
            if value < 0:
                raise ValueError(f"{name} must be non-negative, got {value}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("nesterov needs momentum > 0 and dampening = 0")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov,
                                  "maximize": maximize})

    @torch.no_grad()
    def step(self, closure=None):
        loss = _loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            grads = [p.grad.neg() if group["maximize"] else p.grad.clone() for p in params]
            if group["weight_decay"]:
                torch._foreach_add_(grads, params, alpha=group["weight_decay"])
            if group["momentum"]:
                fresh = {id(p) for p in params if "velocity" not in self.state[p]}
                for p, g in zip(params, grads):
                    if id(p) in fresh:
                        self.state[p]["velocity"] = g.clone()
                old = [(self.state[p]["velocity"], g) for p, g in zip(params, grads)
                       if id(p) not in fresh]
                if old:
                    bufs, gs = map(list, zip(*old))
                    torch._foreach_mul_(bufs, group["momentum"])
                    torch._foreach_add_(bufs, gs, alpha=1 - group["dampening"])
                bufs = [self.state[p]["velocity"] for p in params]
                if group["nesterov"]:
                    torch._foreach_add_(grads, bufs, alpha=group["momentum"])
                else:
                    grads = bufs
            torch._foreach_add_(params, grads, alpha=-group["lr"])
        return loss


class _AdamBase(Optimizer):
    decoupled = False

    def __init__(self, params, lr, betas, eps, weight_decay, amsgrad, maximize):
        if lr < 0 or eps < 0 or weight_decay < 0 or not all(0 <= b < 1 for b in betas):
            raise ValueError(f"invalid hyper-parameters lr={lr} betas={betas} eps={eps} "
                             f"weight_decay={weight_decay}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "maximize": maximize})

    @torch.no_grad()
    def step(self, closure=None):
        loss = _loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                self._group_step(group, params)
        return loss

    def _group_step(self, group, params):
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        grads = [p.grad.neg() if group["maximize"] else p.grad.clone() for p in params]
        for p in params:
            st = self.state[p]
            if "count" not in st:
                st["count"] = torch.tensor(0.0)
                st["avg"], st["avg_sq"], st["peak"] = (torch.zeros_like(p) for _ in range(3))
            st["count"] += 1
        if wd and self.decoupled:
            torch._foreach_mul_(params, 1 - lr * wd)
        elif wd:
            torch._foreach_add_(grads, params, alpha=wd)
        avg = [self.state[p]["avg"] for p in params]
        avg_sq = [self.state[p]["avg_sq"] for p in params]
        torch._foreach_lerp_(avg, grads, 1 - b1)
        torch._foreach_mul_(avg_sq, b2)
        torch._foreach_addcmul_(avg_sq, grads, grads, value=1 - b2)
        second = avg_sq
        if group["amsgrad"]:
            second = [self.state[p]["peak"] for p in params]
            torch._foreach_maximum_(second, avg_sq)
        for p, m, v in zip(params, avg, second):
            t = self.state[p]["count"].item()
            denom = v.sqrt().div_((1 - b2 ** t) ** 0.5).add_(eps)
            p.addcdiv_(m, denom, value=-lr / (1 - b1 ** t))


class Adam(_AdamBase):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)


class AdamW(_AdamBase):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
