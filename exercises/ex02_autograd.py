"""ex02: autograd by hand -- custom Functions, numerical gradients, logistic regression.

A ``torch.autograd.Function`` pairs a ``forward`` that computes an output from its inputs
with a ``backward`` that receives ``grad_out = dL/d(output)`` and returns ``dL/d(input)``
for every input of ``forward``, in order (``None`` for an input that is not a tensor or
needs no gradient). ``forward`` runs with autograd off; whatever ``backward`` needs it must
save: ``ctx.save_for_backward(t1, t2)`` for tensors, ``ctx.name = value`` for other values.
Use it as ``LinearFunction.apply(x, weight, bias)``, never by calling ``forward`` yourself.
(The newer style -- ``forward`` without ``ctx`` plus a ``setup_context`` -- works as well.)

Off-limits in this file (the grader records the ops your code runs; a check earns no points
while one is called): ``torch.sigmoid``/``F.sigmoid``/``Tensor.sigmoid``/``special.expit``,
``F.logsigmoid``, ``F.linear``/``nn.Linear``, ``F.binary_cross_entropy[_with_logits]``,
``torch.optim``. Your ``backward`` must compute the gradients itself: the checks watch it and
give no gradient points when it calls ``torch.autograd.grad``/``.backward()`` or records
an autograd graph. ``exp``, ``log``, ``log1p``, ``softplus``, matmul and friends are allowed.

What the checks look at: values against ``F.linear``/``torch.sigmoid`` (float32 and float64),
gradients against autograd through those built-ins (a random ``grad_out``, and the whole
Jacobian in float64), both Functions chained in a small network, ``numerical_gradient`` on
several functions and step sizes, and ``fit_logistic_regression`` trajectories against a
float64 reference.
"""
from __future__ import annotations

import torch


class LinearFunction(torch.autograd.Function):
    """``y = x @ weight.T + bias``, like ``F.linear(x, weight, bias)``.

    Shapes: x (*, in) -- any number of leading (batch) dimensions, none included, so a 1-D x
    (in,) gives (out,); weight (out, in); bias (out,) or None (it may also be left out:
    ``LinearFunction.apply(x, weight)``). Output (*, out).

    Gradients, with G = grad_out of shape (*, out) and X, G flattened to 2-D over the leading
    dimensions (``x.reshape(-1, in)``, ``G.reshape(-1, out)``):

        grad_x      = G @ weight                        shape (*, in)
        grad_weight = G2.T @ X2                         shape (out, in), like weight
        grad_bias   = G2.sum(0)                         shape (out,), or None without a bias

    backward returns ``(grad_x, grad_weight, grad_bias)``. When bias is None its gradient
    MUST be None: PyTorch rejects a tensor gradient for an input that is not a tensor.

    Example: x = [[1., 2.]], weight = [[1., 0.], [0., 1.], [1., 1.]], bias = [0., 0., 1.]
    gives [[1., 2., 4.]]; with grad_out = [[1., 1., 1.]], grad_x = [[2., 2.]].
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None):
        raise NotImplementedError("ex02: implement LinearFunction.forward")

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError("ex02: implement LinearFunction.backward")


class SigmoidFunction(torch.autograd.Function):
    """``s = 1 / (1 + exp(-x))`` elementwise, like ``torch.sigmoid``; any shape, 0-d included.

    Derivative: ds/dx = s * (1 - s), so backward returns ``grad_out * s * (1 - s)``: save the
    OUTPUT s in forward (it is all backward needs).

    Stability: for x = -100, exp(-x) overflows to inf in float32 and 1 / (1 + inf) = 0 is
    the right answer; exp(x) / (1 + exp(x)) gives inf / inf = nan for x = 100. The checks use
    |x| up to 800 (exp overflows float64 beyond 709). Example: sigmoid([0., 2.]) = [0.5, 0.8808].
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor):
        raise NotImplementedError("ex02: implement SigmoidFunction.forward")

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError("ex02: implement SigmoidFunction.backward")


def numerical_gradient(f, x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Estimate the gradient of a scalar function ``f`` at ``x`` by central differences.

    For every element i of x (any shape), with e_i the tensor that is 1 at i and 0 elsewhere:

        grad[i] = (f(x + eps * e_i) - f(x - eps * e_i)) / (2 * eps)

    ``f`` takes a tensor of x's shape and returns a 0-d tensor. Return a tensor of x's shape
    and dtype. Use values of ``f`` only (no autograd), and leave ``x`` unchanged (perturb a
    copy, or restore each entry to its saved value). The error of the central difference is
    O(eps^2) (a forward difference, (f(x + eps e_i) - f(x)) / eps, is only O(eps)); the
    default eps=1e-6 is meant for float64, which is what the checks use.

    Example: f = lambda t: (t ** 2).sum(), x = [1., 2.] gives [2., 4.] (up to rounding).
    The checks compare with an explicit eps (up to 5e-2) to the same formula, and with the
    default eps to the exact gradient.
    """
    raise NotImplementedError("ex02: implement numerical_gradient")


def fit_logistic_regression(x: torch.Tensor, y: torch.Tensor, lr: float = 0.1, steps: int = 100):
    """Train logistic regression by full-batch gradient descent; return ``(w, b, losses)``.

    x (N, D), y (N,) labels 0/1 (same dtype as x). Start from w = 0 (shape (D,)) and b = 0
    (a 0-d tensor), both with ``requires_grad=True``, in x's dtype. Each of the ``steps`` steps:

        z = x @ w + b                                      logits, shape (N,)
        loss = mean_n [ log(1 + exp(z_n)) - y_n * z_n ]    mean binary cross-entropy of logits
        losses.append(loss.item())                         the loss BEFORE this step's update
        gradients of loss w.r.t. w and b, by autograd      (loss.backward() or torch.autograd.grad)
        w <- w - lr * dloss/dw,  b <- b - lr * dloss/db    (under torch.no_grad())

    log(1 + exp(z)) is ``F.softplus(z)`` (stable), or use your SigmoidFunction with
    -[y log s + (1 - y) log(1 - s)]. Beware max(z, 0) + log1p(exp(-|z|)): right values, but
    autograd's slope of max and |.| at exactly 0 gives a wrong gradient there, and every
    logit is 0 at the first step. With ``loss.backward()``, gradients ADD UP in ``w.grad``
    across steps: reset them every step. No ``torch.optim``.

    Returns w (D,) and b (0-d), detached (``w.detach()``), in x's dtype, and ``losses``, a
    list of ``steps`` Python floats. The first loss is always log 2 = 0.6931.
    """
    raise NotImplementedError("ex02: implement fit_logistic_regression")
