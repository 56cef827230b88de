"""Check templates for nn.Module exercises, instantiated from a ``ModuleSpec``.

The submission's class is built in the worker from plain constructor arguments, cast to
the case's dtype, and loaded with the state dict of the trusted built-in module; its
outputs and gradients (w.r.t. inputs and parameters) are compared with the built-in run
here in float64:

    test_lstm_cell_forward = module_forward_check(LSTM_CELL, SAMPLES, points=10)
    test_lstm_cell_parameters = module_parameters_check(LSTM_CELL, CONFIGS, points=4)
"""
from __future__ import annotations

import functools
from fractions import Fraction

import pytest
import torch

from .compare import assert_close, assert_unchanged, describe_value
from .modulespec import (ModuleSample, ModuleSpec, at_path, flat_tensors, grad_key,
                         gradient_keys, reference_grads)
from .outcomes import CheckFailure, SubmissionCrashed, SubmissionRaised
from .submission import CallResult
from .submission import _describe as describe_error
from .templates import cases, explained


def short_traceback(check):
    """Re-raise a check's failure without its traceback.

    pytest renders the source of every frame of a failure's traceback (an AST walk of the
    frame's file, tens of ms); with a hundred failing cases that was most of a grading
    run. The message, not the traceback, is what a student reads.
    """
    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - read by pytest: this frame is not rendered either
        try:
            return check(*args, **kwargs)
        except (CheckFailure, SubmissionCrashed) as failure:
            raise failure.with_traceback(None) from None
    return wrapper


def run_module(submission, spec: ModuleSpec, sample: ModuleSample, dtype, state, args, kwargs,
               **extra) -> CallResult:
    """Build ``spec.name`` from the sample's init args in the worker, load ``state``, call it."""
    init = {"args": list(sample.init), "kwargs": dict(sample.init_kwargs), "state": state}
    try:
        raw = submission.driver("module_call", target=spec.name, init=init, dtype=dtype,
                                train=sample.train, function=spec.function, args=list(args),
                                kwargs=dict(kwargs), **extra)
    except SubmissionRaised as raised:
        if raised.info.get("phase") != "load_state_dict":
            raise _relabelled(raised, spec, sample, submission.filename) from None
        raise CheckFailure(
            f"the state dict of {spec.reference_name} does not load into your {spec.name}: "
            f"{str(raised.info.get('message'))[:300]}",
            hint="name and shape the parameters exactly as the built-in does (see the "
                 "docstring), and register them as nn.Parameter attributes") from None
    raw = raw if isinstance(raw, dict) else {}
    output, devices = raw.get("output"), list(raw.get("output_devices") or [])
    result = CallResult(output=output, output_device=devices[0] if devices else None,
                        grads=raw.get("grads") or {}, forbidden=list(raw.get("forbidden") or []),
                        inputs_after=raw.get("inputs_after"), state=raw.get("state"),
                        devices={id(t): str(d) for t, d in zip(flat_tensors(output), devices)})
    submission.require_clean(result, spec.what)
    return result


def _relabelled(raised: SubmissionRaised, spec: ModuleSpec, sample: ModuleSample, filename: str):
    """Name what raised as a student knows it (not the driver's name)."""
    phase = raised.info.get("phase")
    where = {"construct": f"{spec.name}({sample.constructor_args()})",
             "backward": f"the backward pass through {spec.what}"}.get(phase, spec.what)
    return SubmissionRaised(f"{where} raised {describe_error(raised.info, filename)}",
                            info=raised.info, hint=raised.hint)


def compare_outputs(spec: ModuleSpec, actual, expected, *, tol, dtype, reveal_expected, path=()):
    """Walk the expected (nested tuple) output and compare every tensor in it."""
    name = spec.name_of(path)
    if expected is None:
        if actual is not None:
            raise CheckFailure(f"{name} should be None, got {describe_value(actual)}")
    elif isinstance(expected, torch.Tensor):
        assert_close(actual, expected, tol=tol, what=name, dtype=dtype, reveal_expected=reveal_expected)
    else:
        if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
            raise CheckFailure(f"{name} should be a tuple of {len(expected)} items, got "
                               f"{describe_value(actual)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            compare_outputs(spec, a, e, tol=tol, dtype=dtype, reveal_expected=reveal_expected,
                            path=(*path, i))


def module_forward_check(spec: ModuleSpec, samples, *, points, dtypes=("float32", "float64")):
    """Outputs (every tensor of a tuple), shapes, dtypes and devices against the built-in."""

    @pytest.mark.parametrize("sample,dtype", cases(samples, dtypes, points))
    @short_traceback
    def check(submission, sample, dtype, reveal_expected):
        module, state = spec.build_reference(sample, dtype)
        args, kwargs = spec.inputs(sample, dtype)
        with torch.no_grad():
            expected = spec.expected(module, args, kwargs)
        with explained(sample, args, kwargs, dtype, submission.device):
            result = run_module(submission, spec, sample, dtype, state, args, kwargs)
            tol = spec.tol(submission.device, dtype)
            try:
                compare_outputs(spec, result.output, expected, tol=tol, dtype=dtype,
                                reveal_expected=reveal_expected)
            except CheckFailure as failure:
                wrong = spec.matching_misconception(module, result.output, args, kwargs, tol)
                if wrong is not None:
                    failure.hint = f"{wrong.name}: {wrong.hint}"
                raise
            _check_devices(result, submission.device)

    check.__doc__ = f"{spec.what} matches {spec.reference_name}"
    return check


def _check_devices(result: CallResult, device: str):
    wrong = [result.device_of(t) for t in flat_tensors(result.output)
             if result.device_of(t) not in (None, device)]
    if wrong:
        raise CheckFailure(f"an output is on {wrong[0]}, expected {device} (create new tensors on "
                           "the input's device, e.g. torch.zeros(..., device=x.device))")


def module_gradient_check(spec: ModuleSpec, samples, *, points, dtypes=("float64",)):
    """Gradients w.r.t. the inputs and parameters in ``spec.grad_wrt`` against autograd."""

    @pytest.mark.parametrize("sample,dtype", cases([s for s in samples if s.grad], dtypes, points))
    @short_traceback
    def check(submission, sample, dtype, reveal_expected):
        module, state = spec.build_reference(sample, dtype)
        args, kwargs = spec.inputs(sample, dtype)
        keys = gradient_keys(spec, module, args, kwargs)
        grad_outs, expected = reference_grads(spec, module, args, kwargs, keys, sample.seed("grad"))
        with explained(sample, args, kwargs, dtype, submission.device):
            result = run_module(submission, spec, sample, dtype, state, args, kwargs,
                                grad_wrt=[list(k) if isinstance(k, tuple) else k for k in keys],
                                grad_outputs=[g.to(dtype) for g in grad_outs])
            tol = spec.tol(submission.device, dtype)
            for key in keys:
                label = spec.label(key)
                got = result.grads.get(grad_key(key))
                if got is None:
                    raise CheckFailure(f"no gradient reached `{label}`: is the output computed from "
                                       f"`{label}` with differentiable torch operations?")
                assert_close(got, expected[grad_key(key)], tol=tol, what=f"gradient w.r.t. `{label}`",
                             reveal_expected=reveal_expected)

    check.__doc__ = f"gradients of {spec.what} match autograd through {spec.reference_name}"
    return check


def module_parameters_check(spec: ModuleSpec, samples, *, points):
    """Parameter names, shapes and dtype (float32 by default) and state-dict keys of the built-in."""

    @pytest.mark.parametrize("sample", [pytest.param(s, id=s.id, marks=pytest.mark.points(
        _share(points, samples))) for s in samples])
    @short_traceback
    def check(submission, sample):
        reference = spec.reference(*sample.init, **sample.init_kwargs)
        raw = _construct(submission, spec, sample)
        built = f"{spec.name}({sample.constructor_args()})"
        expected = {n: tuple(p.shape) for n, p in reference.named_parameters()}
        got = {str(n): tuple(s) for n, s in (raw.get("parameters") or {}).items()}
        problems = [f"missing parameter `{n}` of shape {s}" for n, s in expected.items() if n not in got]
        problems += [f"unexpected parameter `{n}`" for n in got if n not in expected]
        problems += [f"`{n}` has shape {got[n]}, expected {s}" for n, s in expected.items()
                     if n in got and got[n] != s]
        state = raw.get("state") or {}
        extra = sorted(set(state) - set(reference.state_dict()) - set(got))
        problems += [f"unexpected state-dict entry `{n}` (a buffer?)" for n in extra]
        problems += [f"`{n}` has dtype {v.dtype}, expected float32 (the default dtype)"
                     for n, v in state.items() if isinstance(v, torch.Tensor) and n in expected
                     and v.dtype != torch.float32]
        if problems:
            raise CheckFailure(f"the parameters of {built} do not match {spec.reference_name}'s: "
                               + "; ".join(problems[:6]),
                               hint="register the parameters as nn.Parameter attributes with "
                                    "exactly the built-in's names and shapes")

    check.__doc__ = f"{spec.name} has the parameters of {spec.reference_name}"
    return check


def _share(points, samples):
    return Fraction(points) / len(samples)


def _construct(submission, spec: ModuleSpec, sample: ModuleSample) -> dict:
    init = {"args": list(sample.init), "kwargs": dict(sample.init_kwargs), "state": None}
    raw = submission.driver("module_call", target=spec.name, init=init, construct_only=True)
    raw = raw if isinstance(raw, dict) else {}
    submission.require_clean(CallResult(output=None, output_device=None,
                                        forbidden=list(raw.get("forbidden") or [])), spec.name)
    return raw


def module_init_check(spec: ModuleSpec, sample: ModuleSample, *, bounds, points,
                      hint="initialise the parameters as the docstring says (as PyTorch does)"):
    """Every parameter is drawn uniformly from [-b, b], ``b = bounds(reference)[name]``."""

    @pytest.mark.points(points)
    @short_traceback
    def check(submission):
        reference = spec.reference(*sample.init, **sample.init_kwargs)
        state = _construct(submission, spec, sample).get("state") or {}
        for name, bound in bounds(reference).items():
            value = state.get(name)
            if not isinstance(value, torch.Tensor) or not value.is_floating_point():
                raise CheckFailure(f"{spec.name} has no floating-point parameter `{name}`")
            low, high = float(value.min()), float(value.max())
            std = float(value.double().std())
            uniform_std = bound / 3 ** 0.5
            if low < -bound * 1.0001 or high > bound * 1.0001 or not 0.7 < std / uniform_std < 1.3:
                raise CheckFailure(
                    f"`{name}` of a freshly built {spec.name} is not drawn from U(-{bound:.4g}, "
                    f"{bound:.4g}): its values lie in [{low:.4g}, {high:.4g}] with std {std:.4g} "
                    f"(expected about {uniform_std:.4g})", hint=hint)

    check.__doc__ = f"{spec.name} initialises its parameters like {spec.reference_name}"
    return check


def module_error_check(spec: ModuleSpec, samples, *, points, dtypes=("float32",)):
    """Invalid inputs raise an exception with a message."""

    @pytest.mark.parametrize("sample,dtype", cases(samples, dtypes, points))
    @short_traceback
    def check(submission, sample, dtype):
        try:
            _, state = spec.build_reference(sample, dtype)
        except Exception:  # noqa: BLE001 - the built-in rejects these constructor arguments too
            state = None
        args, kwargs = spec.inputs(sample, dtype)
        with explained(sample, args, kwargs, dtype, submission.device):
            try:
                result = run_module(submission, spec, sample, dtype, state, args, kwargs)
            except SubmissionRaised as raised:
                if not str(raised.info.get("message") or "").strip():
                    raise CheckFailure(f"{spec.what} raised {raised.info.get('type')} without a "
                                       "message; say what is wrong with the arguments") from None
                return
            raise CheckFailure(f"{spec.what} should raise an error for these arguments "
                               f"({sample.hint or 'they are invalid'}), but returned "
                               f"{describe_value(result.output)}")

    check.__doc__ = f"{spec.what} rejects invalid arguments"
    return check


def module_inplace_check(spec: ModuleSpec, samples, *, points, dtypes=("float32",)):
    """The inputs (tensors nested in tuples included) are unchanged after the call."""

    @pytest.mark.parametrize("sample,dtype", cases(samples, dtypes, points))
    @short_traceback
    def check(submission, sample, dtype):
        _, state = spec.build_reference(sample, dtype)
        args, kwargs = spec.inputs(sample, dtype)
        with explained(sample, args, kwargs, dtype, submission.device):
            result = run_module(submission, spec, sample, dtype, state, args, kwargs,
                                return_inputs=True)
            after = result.inputs_after or {}
            for path, before in _tensors_with_paths(args):
                assert_unchanged(before, at_path(after.get("args"), path),
                                 spec.label(path if len(path) > 1 else path[0]))
            for name, before in kwargs.items():
                if isinstance(before, torch.Tensor):
                    assert_unchanged(before, (after.get("kwargs") or {}).get(name), name)

    check.__doc__ = f"{spec.what} leaves its inputs unchanged"
    return check


def _tensors_with_paths(obj, path=()):
    if isinstance(obj, torch.Tensor):
        return [(path, obj)]
    if isinstance(obj, (tuple, list)):
        return [pair for i, v in enumerate(obj) for pair in _tensors_with_paths(v, (*path, i))]
    return []
