"""Bug: fit_logistic_regression returns w and b as they are, still requiring grad."""
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


def numerical_gradient(f, x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    grad = torch.zeros_like(x)
    flat_x, flat_grad = x.detach().reshape(-1), grad.view(-1)
    for i in range(flat_x.numel()):
        step = torch.zeros_like(flat_x)
        step[i] = eps
        plus = f((flat_x + step).view_as(x))
        minus = f((flat_x - step).view_as(x))
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


def fit_logistic_regression(x, y, lr=0.1, steps=100):
    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        z = x @ w + b
        loss = (F.softplus(z) - y * z).mean()
        losses.append(loss.item())
        gw, gb = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            w -= lr * gw
            b -= lr * gb
    return w, b, losses
