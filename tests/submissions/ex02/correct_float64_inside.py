"""Correct, written differently: tensordot for the gradients, a sigmoid through tanh,
numerical differences built from one-hot steps, and logistic regression computed in float64
with torch.autograd.grad and logaddexp, cast back to x's dtype at the end."""
import torch


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        ctx.no_bias = bias is None
        y = torch.tensordot(x, weight, dims=([x.dim() - 1], [1]))
        return y if bias is None else y + bias

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        batch = list(range(x.dim() - 1))
        grad_w = torch.tensordot(grad_out, x, dims=(batch, batch))
        grad_b = None if ctx.no_bias else grad_out.sum(dim=batch) if batch else grad_out.clone()
        return torch.tensordot(grad_out, weight, dims=([grad_out.dim() - 1], [0])), grad_w, grad_b


class SigmoidFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        s = 0.5 * (1 + torch.tanh(0.5 * x))
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_out):
        (s,) = ctx.saved_tensors
        return grad_out * s * (1 - s)


def numerical_gradient(f, x, eps=1e-6):
    grads = []
    for i in range(x.numel()):
        step = torch.zeros(x.numel(), dtype=x.dtype).index_fill_(0, torch.tensor([i]), eps)
        step = step.reshape(x.shape)
        grads.append((f(x + step) - f(x - step)) / (2 * eps))
    return torch.stack(grads).reshape(x.shape).to(x.dtype)


def fit_logistic_regression(x, y, lr=0.1, steps=100):
    xd, yd = x.double(), y.double()
    w = torch.zeros(xd.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    losses = []
    for _ in range(steps):
        z = xd @ w + b
        loss = (torch.logaddexp(torch.zeros_like(z), z) - yd * z).mean()
        losses.append(loss.item())
        gw, gb = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            w -= lr * gw
            b -= lr * gb
    return w.detach().to(x.dtype), b.detach().to(x.dtype), losses
