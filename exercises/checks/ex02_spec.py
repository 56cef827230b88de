"""ex02 declared as data: oracles, tolerances, samples and misconceptions.

Tolerances: grader.spec's defaults (float32 atol=rtol=1e-4, float64 atol=1e-9 rtol=1e-7) for
the two Functions and for logistic regression (a float32 run of 100 steps stays within 1e-6
of the float64 oracle, measured over several formulations of the loss; the logits of every
run stay below 13 in magnitude, where F.softplus's linear branch (z > 20) and the textbook
-[y log s + (1 - y) log(1 - s)] are exact to rounding). numerical_gradient
runs on float64 inputs:
- with an explicit eps the oracle is the same central difference in float64, which any
  correct implementation reproduces to rounding (~1e-13), so atol=1e-9, rtol=1e-7 tells it
  apart from a forward difference (off by ~eps f''/2) or the exact gradient (off by
  ~eps^2 f'''/6, 1.7e-5 f''' at eps=1e-2);
- with the default eps=1e-6 the estimate is compared with the exact gradient with
  atol=rtol=1e-6 (rounding costs ~1e-10 |f|, truncation ~1e-13).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from grader.compare import Tol
from grader.sandbox.drivers.ex02 import RECIPES
from grader.spec import FunctionSpec, Misconception, Sample, T

SALT = "ex02"
EXACT_EPS_TOL = Tol(atol=1e-9, rtol=1e-7)
DEFAULT_EPS_TOL = Tol(atol=1e-6, rtol=1e-6)


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{SALT}/{text}".encode()).digest()[:6], "big")


def _with_bias(x, w, b=None):
    if b is None:
        raise ValueError("applies with a bias")
    return F.linear(x, w)


LINEAR = FunctionSpec(
    name="LinearFunction", reference=F.linear, reference_name="torch.nn.functional.linear",
    salt=SALT, grad_wrt=(0, 1, 2), arg_names=("x", "weight", "bias"),
    misconceptions=(
        Misconception("weight not transposed", lambda x, w, b=None: x @ w + (0 if b is None else b),
                      "F.linear computes x @ weight.T + bias; weight has shape (out, in)"),
        Misconception("bias ignored", _with_bias, "add the bias to every row: x @ weight.T + bias"),
    ),
)
SIGMOID = FunctionSpec(
    name="SigmoidFunction", reference=torch.sigmoid, reference_name="torch.sigmoid", salt=SALT,
    grad_wrt=(0,), arg_names=("x",),
    misconceptions=(
        Misconception("sign of the exponent flipped", lambda x: 1 / (1 + torch.exp(x)),
                      "sigmoid(x) = 1 / (1 + exp(-x)): minus x in the exponent"),
    ),
)


def _rows(t):
    return t.reshape(-1, t.shape[-1])


# Wrong backward formulas: (arg position, name, grads(args, grad_out), hint).
GRAD_MISCONCEPTIONS = {
    "LinearFunction": (
        ("1", "grad_weight transposed", lambda a, g: _rows(a[0]).T @ _rows(g),
         "grad_weight = grad_out^T @ x has weight's shape (out, in)"),
        ("0", "grad_x used weight.T", lambda a, g: g @ a[1].T,
         "grad_x = grad_out @ weight (out -> in), no transpose"),
        ("2", "grad_bias summed over the first dimension only", lambda a, g: g.sum(0),
         "sum grad_out over every leading (batch) dimension: grad_out.reshape(-1, out).sum(0)"),
        ("0", "grad_out ignored", lambda a, g: torch.ones_like(g) @ a[1],
         "backward gets grad_out = dL/d(output): grad_x = grad_out @ weight"),
    ),
    "SigmoidFunction": (
        ("0", "derivative computed from the input", lambda a, g: g * a[0] * (1 - a[0]),
         "sigmoid'(x) = s (1 - s) with s = sigmoid(x): save the OUTPUT s in forward, not x"),
        ("0", "grad_out ignored", lambda a, g: torch.sigmoid(a[0]) * (1 - torch.sigmoid(a[0])),
         "return grad_out * s * (1 - s): multiply by the incoming gradient"),
    ),
}

LINEAR_PUBLIC = [
    Sample("batch", (T(4, 3), T(2, 3), T(2))),
    Sample("bias_none", (T(5, 4), T(3, 4), None),
           hint="with bias=None, backward returns None in the bias position"),
    Sample("3d_input", (T(2, 3, 4), T(5, 4), T(5)),
           hint="x (*, in): every leading dimension of x is a batch dimension"),
]
SIGMOID_PUBLIC = [
    Sample("matrix", (T(3, 5, low=-4, high=4),)),
    Sample("vector", (T(6, low=-8, high=8),)),
]


# ----------------------------------------------------------------- numerical_gradient
def _params(recipe: str, shape: tuple, gen) -> dict:
    uniform = lambda *s: torch.rand(*s, generator=gen, dtype=torch.float64) * 3 - 1.5  # noqa: E731
    n = int(torch.Size(shape).numel())
    if recipe == "quadratic_form":
        return {"A": uniform(n, n)}
    if recipe == "softplus_mean":
        return {"A": uniform(shape[-1], 3)}
    if recipe == "distance":
        return {"c": uniform(*shape) + 3}
    return {"c": uniform(*shape)}


@dataclass(frozen=True)
class GradCase:
    """numerical_gradient(f, x[, eps]) with f = RECIPES[recipe] on a float64 x of ``shape``."""

    id: str
    recipe: str
    shape: tuple
    eps: float | None = None          # None: rely on the default eps
    positional: bool = False
    hint: str | None = None

    def inputs(self):
        gen = torch.Generator().manual_seed(_seed(self.id))
        x = torch.rand(self.shape, generator=gen, dtype=torch.float64) * 2 - 1
        return x, _params(self.recipe, self.shape, gen)

    def request(self) -> dict:
        x, params = self.inputs()
        req = {"recipe": self.recipe, "x": x, "params": params}
        if self.eps is not None:
            req.update(eps=self.eps, eps_positional=self.positional)
        return req

    def describe(self) -> str:
        eps = "" if self.eps is None else f", eps={self.eps:g}"
        return f"numerical_gradient(f={self.recipe}, x of shape {self.shape}{eps}) [float64]"


def central_differences(recipe: str, x, params, eps: float):
    """The oracle: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every i, in float64."""
    f, flat = RECIPES[recipe], x.reshape(-1)
    grad = torch.empty_like(flat)
    for i in range(flat.numel()):
        plus, minus = flat.clone(), flat.clone()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus.view_as(x), params) - f(minus.view_as(x), params)) / (2 * eps)
    return grad.view_as(x)


def exact_gradient(recipe: str, x, params):
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(RECIPES[recipe](x, params), x)
    return grad


def forward_differences(recipe: str, x, params, eps: float):
    f, flat = RECIPES[recipe], x.reshape(-1)
    base, grad = f(x, params), torch.empty_like(flat)
    for i in range(flat.numel()):
        plus = flat.clone()
        plus[i] += eps
        grad[i] = (f(plus.view_as(x), params) - base) / eps
    return grad.view_as(x)


NUMGRAD_MISCONCEPTIONS = (
    ("forward difference", lambda r, x, p, e: forward_differences(r, x, p, e),
     "use the CENTRAL difference (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)"),
    ("missing factor 2", lambda r, x, p, e: 2 * central_differences(r, x, p, e),
     "the two evaluations are 2 eps apart: divide by 2 * eps"),
    ("exact gradient (autograd)", lambda r, x, p, e: exact_gradient(r, x, p),
     "estimate the gradient from values of f only (no autograd): that is the point of a "
     "numerical check"),
)

NUMGRAD_PUBLIC = [
    GradCase("sin_vector", "sin_weighted", (5,), eps=1e-2),
    GradCase("cubic_matrix_default_eps", "cubic_plus_product", (2, 3)),
]


# ----------------------------------------------------------------- logistic regression
@dataclass(frozen=True)
class LogisticCase:
    """Labels from a noisy linear teacher, so the data are not separable."""

    id: str
    n: int
    d: int
    kwargs: dict = field(default_factory=dict)
    args: tuple = ()
    dtype: str = "float64"
    offset: float = 0.3

    def inputs(self):
        gen = torch.Generator().manual_seed(_seed(self.id))
        x = torch.randn(self.n, self.d, generator=gen, dtype=torch.float64)
        teacher = torch.randn(self.d, generator=gen, dtype=torch.float64) * 2
        noise = 0.8 * torch.randn(self.n, generator=gen, dtype=torch.float64)
        y = ((x @ teacher + self.offset + noise) > 0).double()
        dtype = getattr(torch, self.dtype)
        return x.to(dtype), y.to(dtype)

    def hyper(self) -> tuple[float, int]:
        names = dict(zip(("lr", "steps"), self.args))
        names.update(self.kwargs)
        return names.get("lr", 0.1), names.get("steps", 100)

    def describe(self) -> str:
        lr, steps = self.hyper()
        return f"x ({self.n}, {self.d}) [{self.dtype}], lr={lr:g}, steps={steps}"


def _bce(z, y, reduction, kink):
    """Mean (or summed) BCE of logits. logaddexp(0, z) = log(1 + e^z) exactly; it is also
    ~50x faster here than F.binary_cross_entropy_with_logits on these small tensors."""
    softplus = z.clamp(min=0) + torch.log1p(torch.exp(-z.abs())) if kink \
        else torch.logaddexp(torch.zeros_like(z), z)
    per_sample = softplus - y * z
    return per_sample.sum() if reduction == "sum" else per_sample.mean()


def fit_logistic(x, y, lr=0.1, steps=100, *, after=False, reduction="mean", accumulate=False,
                 train_bias=True, sign=1.0, kink=False):
    """The oracle (defaults) and known wrong variants (flags), in float64."""
    x, y = x.double(), y.double()
    w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    losses, gw, gb = [], 0.0, 0.0
    for _ in range(steps):
        loss = _bce(x @ w + b, y, reduction, kink)
        if not after:
            losses.append(loss.item())
        dw, db = torch.autograd.grad(loss, (w, b))
        gw, gb = (gw + dw, gb + db) if accumulate else (dw, db)
        with torch.no_grad():
            w -= sign * lr * gw
            if train_bias:
                b -= sign * lr * gb
        if after:
            losses.append(_bce(x @ w + b, y, reduction, kink).item())
    return w.detach(), b.detach(), torch.tensor(losses, dtype=torch.float64)


LOGISTIC_MISCONCEPTIONS = (
    ("loss recorded after the update", {"after": True},
     "append each step's loss BEFORE the update (the first loss is log 2 = 0.6931)"),
    ("summed loss", {"reduction": "sum"}, "the loss is the MEAN binary cross-entropy over samples"),
    ("gradients accumulated", {"accumulate": True},
     "gradients add up in .grad across backward() calls: zero them (w.grad = None or "
     "w.grad.zero_()) every step, or use torch.autograd.grad"),
    ("bias not trained", {"train_bias": False}, "update b with its gradient too"),
    ("gradient ascent", {"sign": -1.0}, "gradient DEScent: w <- w - lr * grad"),
    ("wrong slope at z = 0", {"kink": True},
     "max(z, 0) + log1p(exp(-|z|)) has the right values, but autograd's slope of clamp/abs at "
     "exactly 0 is not softplus'(0) = 0.5, and all logits are 0 at the first step: use "
     "F.softplus(z) or torch.logaddexp(0, z)"),
)

LOGISTIC_PUBLIC = [LogisticCase("small", 40, 3, {"lr": 0.5, "steps": 20})]
