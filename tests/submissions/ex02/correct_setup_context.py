"""Correct, written differently: new-style Functions (forward without ctx + setup_context),
gradients only where ctx.needs_input_grad asks, einsum for the weight gradient, an in-place
numerical gradient that restores each entry, and loss.backward() with the gradients reset
each step and a loss written with this file's own SigmoidFunction."""
import torch


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(x, weight, bias=None):
        out = torch.matmul(x, weight.transpose(0, 1))
        return out if bias is None else out + bias

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, weight = inputs[0], inputs[1]
        ctx.save_for_backward(x, weight)
        ctx.bias_given = len(inputs) > 2 and inputs[2] is not None

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        grad_x = grad_w = grad_b = None
        lead = "".join("abcdefgh"[: x.dim() - 1])
        if ctx.needs_input_grad[0]:
            grad_x = grad_out @ weight
        if ctx.needs_input_grad[1]:
            grad_w = torch.einsum(f"{lead}o,{lead}i->oi", grad_out, x)
        if ctx.bias_given and ctx.needs_input_grad[2]:
            grad_b = grad_out.sum(dim=tuple(range(grad_out.dim() - 1))) if grad_out.dim() > 1 else grad_out
        return grad_x, grad_w, grad_b


class SigmoidFunction(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return torch.where(x >= 0, 1 / (1 + torch.exp(-x)), torch.exp(x) / (1 + torch.exp(x)))

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx, grad_out):
        (s,) = ctx.saved_tensors
        return grad_out * (s - s * s)


def numerical_gradient(f, x, eps=1e-6):
    work = x.detach().clone()
    flat = work.view(-1)
    grad = torch.empty_like(flat)
    for i in range(flat.numel()):
        saved = flat[i].item()
        flat[i] = saved + eps
        plus = float(f(work))
        flat[i] = saved - eps
        minus = float(f(work))
        flat[i] = saved
        grad[i] = (plus - minus) / (2 * eps)
    return grad.view_as(x)


def fit_logistic_regression(x, y, lr=0.1, steps=100):
    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)
    b = torch.tensor(0.0, dtype=x.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        s = SigmoidFunction.apply(x @ w + b)
        loss = -(y * torch.log(s) + (1 - y) * torch.log(1 - s)).mean()
        losses.append(float(loss))
        w.grad, b.grad = None, None
        loss.backward()
        with torch.no_grad():
            w.sub_(lr * w.grad)
            b.sub_(lr * b.grad)
    return w.detach().clone(), b.detach().clone(), losses
