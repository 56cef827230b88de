"""ex01 declared as data: oracles, tolerances, misconceptions, samples, broadcast checking.

Tolerances (besides grader.spec's defaults, float32 atol=rtol=1e-4, float64 1e-9/1e-7):
- pairwise_sq_dists uses coordinates in [-2, 2] and D <= 16, where the expanded form
  |x|^2 + |y|^2 - 2 x.y loses at most ~1e-5 to cancellation in float32 (measured), well
  inside atol 1e-4;
- the *_LARGE specs (inputs of magnitude 1e4) use atol 3e-3 in float32: such an input is
  itself only known to ulp(1e4) = 9.8e-4, and a correct formulation that adds the max back,
  x - (m + log s), rounds there (measured worst 4.9e-4).
"""
from __future__ import annotations

from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F

from grader.compare import Tol
from grader.spec import DEFAULT_TOLERANCES, FunctionSpec, Misconception, Sample, T

SALT = "ex01"


def _large_tolerances() -> dict:
    tol = dict(DEFAULT_TOLERANCES)
    for device in ("cpu", "cuda"):
        tol[(device, "float32")] = Tol(atol=3e-3, rtol=1e-4)
    return tol


def cases(items, points, ids):
    """pytest params sharing ``points`` equally (for checks that are not templates)."""
    share = Fraction(points) / len(items)
    return [pytest.param(item, id=i, marks=pytest.mark.points(share)) for item, i in zip(items, ids)]


# ----------------------------------------------------------------- pairwise_sq_dists
def sq_dists(x, y):
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)


PAIRWISE = FunctionSpec(
    name="pairwise_sq_dists", reference=sq_dists, salt=SALT, arg_names=("x", "y"), grad_wrt=(0, 1),
    reference_name="((x[:, None] - y[None]) ** 2).sum(-1), i.e. torch.cdist(x, y) ** 2",
    misconceptions=(
        Misconception("distance instead of squared distance", lambda x, y: sq_dists(x, y).sqrt(),
                      "return the SQUARED distances: do not take the square root"),
        Misconception("output transposed", lambda x, y: sq_dists(x, y).T,
                      "out[i, j] pairs row i of x with row j of y: the shape is (N, M)"),
        Misconception("differences not squared", lambda x, y: (x[:, None] - y[None]).sum(-1),
                      "square each coordinate difference before summing over D"),
        Misconception("absolute differences", lambda x, y: (x[:, None] - y[None]).abs().sum(-1),
                      "square each coordinate difference instead of taking its absolute value"),
        Misconception("cross term without the factor 2",
                      lambda x, y: (x * x).sum(1)[:, None] + (y * y).sum(1) - x @ y.T,
                      "|x - y|^2 = |x|^2 + |y|^2 - 2 x.y: the cross term is doubled"),
    ),
)

PAIRWISE_MEDIUM = Sample("medium", (T(64, 16), T(48, 16)))
PAIRWISE_PUBLIC = [
    Sample("basic", (T(5, 3), T(4, 3))),
    Sample("d1", (T(6, 1, low=-2, high=2), T(3, 1, low=-2, high=2))),
]

# ----------------------------------------------------------------- softmax / log_softmax
def _wrong_dim(fn, pick):
    def variant(x, dim):
        other = pick(x, dim)
        if other % x.dim() == dim % x.dim():
            raise ValueError("same dimension")
        return fn(x, other)
    return variant


def _softmax_misconceptions(fn, log: bool):
    tag = "log_softmax" if log else "softmax"
    return (
        Misconception("normalised along the wrong dimension", _wrong_dim(fn, lambda x, d: 0),
                      f"{tag} normalises along `dim` only; you normalised along dimension 0"),
        Misconception("normalised along the wrong dimension", _wrong_dim(fn, lambda x, d: -1),
                      f"{tag} normalises along `dim` only; you normalised along the last dimension"),
        Misconception("normalised over the whole tensor",
                      lambda x, dim: fn(x.reshape(-1), 0).reshape(x.shape),
                      "the sum runs along `dim` only (sum(dim=dim, keepdim=True)), not over all "
                      "elements"),
        Misconception("no max subtracted (overflow)",
                      (lambda x, dim: x - x.exp().sum(dim, keepdim=True).log()) if log else
                      (lambda x, dim: x.exp() / x.exp().sum(dim, keepdim=True)),
                      "exp overflows (or underflows) for large inputs: subtract "
                      "x.amax(dim=dim, keepdim=True) before exp"),
        Misconception("max of the whole tensor subtracted",
                      (lambda x, dim: _global_shift(x, dim, log)),
                      "subtract the max along `dim` (amax(dim=dim, keepdim=True)), not x.max(): "
                      "slices far below the global max underflow to 0 / 0"),
    )


def _global_shift(x, dim, log):
    s = x - x.max()
    return s - s.exp().sum(dim, keepdim=True).log() if log else s.exp() / s.exp().sum(dim, keepdim=True)


_LOG_MISCONCEPTIONS = (
    Misconception("log of softmax (underflow)", lambda x, dim: F.softmax(x, dim).log(),
                  "log(softmax(x)) is -inf where softmax underflows to 0; compute "
                  "(x - m) - log(sum(exp(x - m))) directly"),
    Misconception("log of softmax (underflow)", lambda x, dim: F.softmax(x.float(), dim).log().double(),
                  "log(softmax(x)) is -inf where softmax underflows to 0; compute "
                  "(x - m) - log(sum(exp(x - m))) directly"),
    Misconception("log-sum-exp term missing", lambda x, dim: x - x.amax(dim, keepdim=True),
                  "after subtracting the max m, also subtract log(sum(exp(x - m)))"),
)

SOFTMAX = FunctionSpec(name="softmax", reference=F.softmax, reference_name="torch.softmax",
                       salt=SALT, arg_names=("x", "dim"),
                       misconceptions=_softmax_misconceptions(F.softmax, log=False))
LOG_SOFTMAX = FunctionSpec(name="log_softmax", reference=F.log_softmax,
                           reference_name="torch.log_softmax", salt=SALT, arg_names=("x", "dim"),
                           misconceptions=_LOG_MISCONCEPTIONS
                           + _softmax_misconceptions(F.log_softmax, log=True))
SOFTMAX_LARGE = FunctionSpec(name="softmax", reference=F.softmax, reference_name="torch.softmax",
                             salt=SALT, arg_names=("x", "dim"), tolerances=_large_tolerances(),
                             misconceptions=SOFTMAX.misconceptions)
LOG_SOFTMAX_LARGE = FunctionSpec(name="log_softmax", reference=F.log_softmax,
                                 reference_name="torch.log_softmax", salt=SALT,
                                 arg_names=("x", "dim"), tolerances=_large_tolerances(),
                                 misconceptions=LOG_SOFTMAX.misconceptions)

SOFTMAX_PUBLIC = [
    Sample("rows", (T(4, 7),), {"dim": 1}),
    Sample("columns", (T(5, 3),), {"dim": 0}, hint="dim=0 normalises each column"),
    Sample("3d_last", (T(2, 3, 5, low=-3, high=3),), {"dim": -1}),
]
LARGE_PUBLIC = [
    Sample("offset_1e4", (T(3, 6, low=1e4 - 5, high=1e4 + 5),), {"dim": 1},
           hint="exp(1e4) overflows: subtract the max along dim first"),
]

# ----------------------------------------------------------------- cross_entropy
def targets(shape, classes, *, seed, ignore=-100, every=3) -> torch.Tensor:
    """Class indices with every ``every``-th position set to ``ignore``."""
    gen = torch.Generator().manual_seed(seed)
    t = torch.randint(0, classes, shape, generator=gen)
    if every:
        t.view(-1)[::every] = ignore
    return t


def _mean_over_all(logits, target, reduction="mean", ignore_index=-100):
    if reduction != "mean":
        raise ValueError("applies to 'mean'")
    return F.cross_entropy(logits, target, reduction="sum", ignore_index=ignore_index) / target.numel()


def _not_ignored(logits, target, reduction="mean", ignore_index=-100):
    if not 0 <= ignore_index < logits.shape[1]:
        raise ValueError("applies to a valid class as ignore_index")
    return F.cross_entropy(logits, target, reduction=reduction)


def _nll_of(transform):
    def variant(logits, target, reduction="mean", ignore_index=-100):
        return F.nll_loss(transform(logits), target, reduction=reduction, ignore_index=ignore_index)
    return variant


def _classes_last(logits, target, reduction="mean", ignore_index=-100):
    if logits.dim() < 3:
        raise ValueError("applies to spatial inputs")
    flat = F.cross_entropy(logits.reshape(-1, logits.shape[1]), target.reshape(-1),
                           reduction=reduction, ignore_index=ignore_index)
    return flat.reshape(target.shape) if reduction == "none" else flat


def cross_entropy_oracle(logits, target, reduction="mean", ignore_index=-100):
    """F.cross_entropy with the exercise's signature (F's third positional is ``weight``)."""
    return F.cross_entropy(logits, target, reduction=reduction, ignore_index=ignore_index)


CROSS_ENTROPY_MISCONCEPTIONS = (
    Misconception("mean over all targets", _mean_over_all,
                  "'mean' divides by the number of targets that are NOT ignored"),
    Misconception("ignore_index not applied", _not_ignored,
                  "targets equal to ignore_index must get loss 0 and not count in the mean"),
    Misconception("log-softmax missing", _nll_of(lambda z: z),
                  "the loss is -log_softmax(logits)[target], not -logits[target]"),
    Misconception("probability instead of log-probability", _nll_of(lambda z: F.softmax(z, 1)),
                  "take the LOG of the softmax probability: -log p[target]"),
    Misconception("sign flipped", _nll_of(lambda z: -F.log_softmax(z, 1)),
                  "cross-entropy is MINUS the log-probability of the target"),
    Misconception("classes taken from the wrong dimension", _classes_last,
                  "the classes are dimension 1 of (N, C, d1, ...); reshape(-1, C) mixes "
                  "classes and positions: move dim 1 last (movedim) first, or gather along dim 1"),
    Misconception("log-softmax along the last dimension",
                  _nll_of(lambda z: F.log_softmax(z, -1)),
                  "normalise over the classes, dimension 1, not the last dimension"),
)

CROSS_ENTROPY = FunctionSpec(
    name="cross_entropy", reference=cross_entropy_oracle,
    reference_name="torch.nn.functional.cross_entropy", salt=SALT,
    arg_names=("logits", "target", "reduction", "ignore_index"), grad_wrt=(0,),
    misconceptions=CROSS_ENTROPY_MISCONCEPTIONS)
CROSS_ENTROPY_LARGE = FunctionSpec(
    name="cross_entropy", reference=cross_entropy_oracle,
    reference_name="torch.nn.functional.cross_entropy", salt=SALT,
    arg_names=("logits", "target", "reduction", "ignore_index"), grad_wrt=(0,),
    tolerances=_large_tolerances(),
    misconceptions=CROSS_ENTROPY_MISCONCEPTIONS)

MEAN_HINT = "'mean' divides by the number of targets that are not ignored"
CROSS_ENTROPY_PUBLIC = [
    Sample("mean", (T(6, 4), T(6, kind="int", low=0, high=4))),
    Sample("sum", (T(5, 3), T(5, kind="int", low=0, high=3)), {"reduction": "sum"}),
    Sample("none", (T(5, 6), T(5, kind="int", low=0, high=6)), {"reduction": "none"}),
    Sample("ignored_default", (T(8, 5), targets((8,), 5, seed=1)), {}, hint=MEAN_HINT),
    Sample("spatial", (T(2, 3, 4), T(2, 4, kind="int", low=0, high=3)), {},
           hint="logits (N, C, d): the classes are dimension 1"),
]
