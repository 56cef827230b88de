"""Bug: numerical_gradient returns the exact gradient from autograd instead of estimating
it from values of f."""
from __future__ import annotations

import torch
import torch.nn.functional as F


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        out = x @ weight.T
        return out + bias if bias is not None else out

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        grad_x = grad_out @ weight
        # Every leading dimension of x is a batch dimension: flatten them for grad_weight.
        g2, x2 = grad_out.reshape(-1, grad_out.shape[-1]), x.reshape(-1, x.shape[-1])
        grad_weight = g2.T @ x2
        grad_bias = g2.sum(0) if ctx.has_bias else None
        return grad_x, grad_weight, grad_bias


class SigmoidFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # exp(-|x|) never overflows; both branches equal 1 / (1 + exp(-x)).
        e = torch.exp(-x.abs())
        out = torch.where(x >= 0, 1 / (1 + e), e / (1 + e))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved_tensors
        return grad_out * out * (1 - out)


def numerical_gradient(f, x, eps=1e-6):
    leaf = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(leaf), leaf)
    return grad


def fit_logistic_regression(x: torch.Tensor, y: torch.Tensor, lr: float = 0.1, steps: int = 100):
    w = torch.zeros(x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)
    y = y.to(x.dtype)
    losses = []
    for _ in range(steps):
        z = x @ w + b
        # Mean BCE of logits: log(1 + e^z) - y z, with softplus for stability.
        loss = (F.softplus(z) - y * z).mean()
        losses.append(loss.item())
        grad_w, grad_b = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w -= lr * grad_w
            b -= lr * grad_b
    return w.detach(), b.detach(), losses
