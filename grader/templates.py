"""Generic check templates, instantiated from a ``FunctionSpec`` and a list of samples.

Each template returns an ordinary pytest test function, parametrized over samples and
dtypes (the plugin adds devices), with the group's points shared equally between cases:

    test_conv2d_forward = forward_check(CONV2D, SAMPLES, points=10)

reads in reports as ``conv2d_forward[stride2-float32]`` on ``cpu`` and ``cuda``.
"""
from __future__ import annotations

import contextlib
import statistics
from fractions import Fraction

import pytest
import torch

from .compare import assert_close, assert_unchanged, describe_value
from .outcomes import (CheckFailure, ForbiddenOpUsed, NotImplementedYet, SubmissionCrashed,
                       SubmissionRaised)
from .submission import forbidden_message
from .spec import DTYPES, FunctionSpec, Sample


def cases(samples, dtypes, points):
    """pytest params for samples x dtypes, the group's points shared equally between them."""
    cases = [(s, d) for s in samples for d in dtypes]
    if not cases:
        raise ValueError("a check template needs at least one sample")
    share = Fraction(points) / len(cases)
    return [pytest.param(s, DTYPES[d], id=f"{s.id}-{d}", marks=pytest.mark.points(share))
            for s, d in cases]


@contextlib.contextmanager
def explained(sample: Sample, args, kwargs, dtype, device):
    """Add the failing configuration (and the sample's hint) to any failure inside."""
    config = f"configuration: {sample.describe(args, kwargs)} [{str(dtype).replace('torch.', '')}, {device}]"
    try:
        yield
    except NotImplementedYet:
        raise
    except CheckFailure as f:
        f.message = f"{f.message}\n{config}"
        f.args = (f.message,)
        crashed_in_backward = isinstance(f, SubmissionRaised) and f.info.get("phase") != "call"
        if f.hint is None and sample.hint and f.about_values and not crashed_in_backward:
            f.hint = sample.hint
        raise
    except SubmissionCrashed as c:
        if c.kind not in ("import", "budget"):  # those do not depend on the configuration
            c.message = f"{c.message}\n{config}"
            c.args = (c.message,)
        raise


def forward_check(spec: FunctionSpec, samples, *, points, dtypes=("float32", "float64")):
    """Output values, shape, dtype and device against the oracle."""

    @pytest.mark.parametrize("sample,dtype", cases(samples, dtypes, points))
    def check(submission, sample, dtype, reveal_expected):
        args, kwargs = spec.inputs(sample, dtype)
        expected = spec.expected(args, kwargs)
        with explained(sample, args, kwargs, dtype, submission.device):
            result = submission.run(spec.name, *args, **kwargs)
            submission.require_clean(result, spec.name)
            tol = spec.tol(submission.device, dtype)
            try:
                # Without a tensor input there is no device to follow (PyTorch's default is the CPU).
                device = submission.device if _has_tensor(args, kwargs) else None
                assert_close(result.output, expected, tol=tol, dtype=dtype, device=device,
                             actual_device=result.output_device, reveal_expected=reveal_expected)
            except CheckFailure as failure:
                wrong = spec.matching_misconception(result.output, expected, args, kwargs, tol)
                if wrong is not None:
                    failure.hint = f"{wrong.name}: {wrong.hint}"
                raise

    check.__doc__ = f"{spec.name} matches {spec.reference_name}"
    return check


def _has_tensor(args, kwargs) -> bool:
    return any(isinstance(v, torch.Tensor) for v in [*args, *kwargs.values()])


def _arg_label(spec: FunctionSpec, key) -> str:
    if isinstance(key, int) and key < len(spec.arg_names):
        return spec.arg_names[key]
    return str(key)


def _grad_keys(spec, args, kwargs):
    keys = []
    for key in spec.grad_wrt:
        value = args[key] if isinstance(key, int) and key < len(args) else kwargs.get(key) \
            if isinstance(key, str) else None
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            keys.append(key)
    return keys


def reference_grads(spec, args, kwargs, keys, seed):
    """Gradients of the oracle in float64 for a seeded ``grad_output``."""
    dargs = [a.detach().double().requires_grad_(i in keys) if isinstance(a, torch.Tensor)
             and a.is_floating_point() else a for i, a in enumerate(args)]
    dkwargs = {k: v.detach().double().requires_grad_(k in keys) if isinstance(v, torch.Tensor)
               and v.is_floating_point() else v for k, v in kwargs.items()}
    out = spec.reference(*dargs, **dkwargs)
    gen = torch.Generator().manual_seed(seed)
    grad_out = torch.randn(out.shape, generator=gen, dtype=torch.float64)
    leaves = [dargs[k] if isinstance(k, int) else dkwargs[k] for k in keys]
    grads = torch.autograd.grad(out, leaves, grad_out, allow_unused=True)
    return grad_out, dict(zip(keys, grads))


def gradient_check(spec: FunctionSpec, samples, *, points, dtypes=("float64",)):
    """Gradients w.r.t. ``spec.grad_wrt`` against autograd through the oracle."""

    @pytest.mark.parametrize("sample,dtype", cases([s for s in samples if s.grad], dtypes, points))
    def check(submission, sample, dtype, reveal_expected):
        args, kwargs = spec.inputs(sample, dtype)
        keys = _grad_keys(spec, args, kwargs)
        grad_out, expected = reference_grads(spec, args, kwargs, keys, sample.seed("grad"))
        with explained(sample, args, kwargs, dtype, submission.device):
            result = submission.run(spec.name, *args, grad_wrt=keys,
                                    grad_outputs=[grad_out.to(dtype)], **kwargs)
            submission.require_clean(result, spec.name)
            tol = spec.tol(submission.device, dtype)
            for key in keys:
                label = _arg_label(spec, key)
                got = result.grads.get(str(key))
                if got is None:
                    raise CheckFailure(f"no gradient reached `{label}`: is the output computed from "
                                       f"`{label}` with differentiable torch operations?",
                                       about_values=False)
                assert_close(got, expected[key], tol=tol, what=f"gradient w.r.t. `{label}`",
                             dtype=dtype, reveal_expected=reveal_expected)

    check.__doc__ = f"gradients of {spec.name} match autograd through {spec.reference_name}"
    return check


def inplace_check(spec: FunctionSpec, samples, *, points, dtypes=("float32",)):
    """The inputs are unchanged after the call."""

    @pytest.mark.parametrize("sample,dtype", cases(samples, dtypes, points))
    def check(submission, sample, dtype):
        args, kwargs = spec.inputs(sample, dtype)
        with explained(sample, args, kwargs, dtype, submission.device):
            result = submission.run(spec.name, *args, return_inputs=True, **kwargs)
            submission.require_clean(result, spec.name)
            after = result.inputs_after or {}
            for i, before in enumerate(args):
                if isinstance(before, torch.Tensor):
                    assert_unchanged(before, (after.get("args") or [None] * len(args))[i],
                                     _arg_label(spec, i))
            for name, before in kwargs.items():
                if isinstance(before, torch.Tensor):
                    assert_unchanged(before, (after.get("kwargs") or {}).get(name), name)

    check.__doc__ = f"{spec.name} leaves its inputs unchanged"
    return check


def error_check(spec: FunctionSpec, samples, *, points, dtypes=("float32",)):
    """Invalid inputs raise an exception with a message (any class, as the oracle does)."""

    @pytest.mark.parametrize("sample,dtype", cases(samples, dtypes, points))
    def check(submission, sample, dtype):
        args, kwargs = spec.inputs(sample, dtype)
        with explained(sample, args, kwargs, dtype, submission.device):
            try:
                result = submission.run(spec.name, *args, **kwargs)
            except SubmissionRaised as raised:
                hits = raised.info.get("forbidden") or []
                if hits:  # raising through the built-in earns nothing either
                    raise ForbiddenOpUsed(forbidden_message(hits, submission.filename, spec.name),
                                          hits=hits) from None
                if not str(raised.info.get("message") or "").strip():
                    raise CheckFailure(f"{spec.name} raised {raised.info.get('type')} without a "
                                       "message; say what is wrong with the arguments") from None
                return
            raise CheckFailure(f"{spec.name} should raise an error for these arguments "
                               f"({sample.hint or 'they are invalid'}), but returned "
                               f"{describe_value(result.output)}")

    check.__doc__ = f"{spec.name} rejects invalid arguments"
    return check


def performance_check(spec: FunctionSpec, sample: Sample, *, points, max_ratio: float,
                      reference: str, dtype="float32", repeats=7, budget=8.0,
                      hint="replace Python loops over output positions by tensor operations"):
    """Correct on ``sample`` and at most ``max_ratio`` times slower than the built-in there."""

    @pytest.mark.devices("cpu")
    @pytest.mark.points(points)
    def check(submission):
        dt = DTYPES[dtype]
        args, kwargs = spec.inputs(sample, dt)
        with explained(sample, args, kwargs, dt, submission.device):
            result = submission.run(spec.name, *args, **kwargs)
            submission.require_clean(result, spec.name)
            assert_close(result.output, spec.expected(args, kwargs), tol=spec.tol("cpu", dt),
                         dtype=dt, reveal_expected=False)
            times = submission.driver("benchmark", target=spec.name, reference=reference,
                                      args=args, kwargs=kwargs, repeats=repeats, budget=budget,
                                      timeout=budget * 4 + 30)
            mine = statistics.median(times["submission"])
            theirs = statistics.median(times["reference"])
            ratio = mine / max(theirs, 1e-9)
            if ratio > max_ratio:
                raise CheckFailure(
                    f"too slow: {mine * 1e3:.1f} ms per call against {theirs * 1e3:.2f} ms for "
                    f"{reference}, {ratio:.0f}x slower; within {max_ratio:g}x earns these points",
                    hint=hint)

    check.__doc__ = f"{spec.name} runs within {max_ratio:g}x of {reference}"
    return check
