"""Correct, written differently: each update computed out of place in float64 from float64
state and copied back into the parameter; bias corrections folded into m_hat and v_hat;
no @torch.no_grad decorator (it works on p.data)."""
import torch
from torch.optim import Optimizer


def _require(ok, message):
    if not ok:
        raise ValueError(message)


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False):
        _require(lr >= 0, f"bad learning rate {lr}")
        _require(momentum >= 0, f"bad momentum {momentum}")
        _require(weight_decay >= 0, f"bad weight decay {weight_decay}")
        _require(not nesterov or (momentum > 0 and dampening == 0),
                 "nesterov requires momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                w = p.data.double()
                d_p = p.grad.data.double() * (-1.0 if group["maximize"] else 1.0)
                d_p = d_p + group["weight_decay"] * w
                if group["momentum"] > 0:
                    st = self.state[p]
                    if "mom" in st:
                        st["mom"] = group["momentum"] * st["mom"] + (1 - group["dampening"]) * d_p
                    else:
                        st["mom"] = d_p
                    d_p = d_p + group["momentum"] * st["mom"] if group["nesterov"] else st["mom"]
                p.data.copy_(w - group["lr"] * d_p)
        return loss


class Adam(Optimizer):
    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False):
        _require(lr >= 0 and eps >= 0 and weight_decay >= 0, "lr, eps, weight_decay must be >= 0")
        _require(0 <= betas[0] < 1 and 0 <= betas[1] < 1, f"betas must lie in [0, 1): {betas}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.data.copy_(self._new_value(p, group))
        return loss

    def _new_value(self, p, group):
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        w = p.data.double()
        g = p.grad.data.double() * (-1.0 if group["maximize"] else 1.0)
        st = self.state[p]
        st["n"] = st.get("n", 0) + 1
        if self.decoupled:
            w = w * (1 - lr * wd)
        else:
            g = g + wd * w
        st["first"] = b1 * st.get("first", torch.zeros_like(w)) + (1 - b1) * g
        st["second"] = b2 * st.get("second", torch.zeros_like(w)) + (1 - b2) * g * g
        v = st["second"]
        if group["amsgrad"]:
            v = st["second_max"] = torch.maximum(st.get("second_max", torch.zeros_like(w)), v)
        m_hat = st["first"] / (1 - b1 ** st["n"])
        v_hat = v / (1 - b2 ** st["n"])
        return w - lr * m_hat / (v_hat.sqrt() + eps)


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
