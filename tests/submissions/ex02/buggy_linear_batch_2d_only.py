"""Bug: LinearFunction.backward assumes a 2-D x: grad_weight = grad_out.T @ x and
grad_bias = grad_out.sum(0) are wrong for 1-D, 3-D and 4-D inputs."""
from __future__ import annotations

import torch
import torch.nn.functional as F


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        out = x @ weight.T
        return out if bias is None else out + bias

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        grad_bias = grad_out.sum(0) if ctx.has_bias else None
        return grad_out @ weight, grad_out.T @ x, grad_bias


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
