"""ex04 declared as data: the oracles, tolerances and known misconceptions of pooling.

Inputs are continuous random values, so no window holds two equal maxima: any correct
tie-breaking rule passes the value, index and gradient checks of max_pool2d.
"""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from grader.compare import assert_close, describe_value
from grader.outcomes import CheckFailure
from grader.spec import FunctionSpec, Misconception, Sample, T, _as_double
from grader.templates import cases, explained


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _stride_one(fn):
    def variant(x, kernel_size, stride=None, *args, **kwargs):
        if stride is not None:
            raise ValueError("applies when stride is left to its default only")
        return fn(x, kernel_size, 1, *args, **kwargs)
    return variant


def _flip_kwarg(fn, name, default):
    return lambda *a, **k: fn(*a, **{**k, name: not k.get(name, default)})


def _max_zero_padded(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    ph, pw = _pair(padding)
    return F.max_pool2d(F.pad(x, (pw, pw, ph, ph)), kernel_size, stride, 0, dilation, ceil_mode)


def _max_no_dilation(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    return F.max_pool2d(x, kernel_size, stride, padding, 1, ceil_mode)


def _max_ceil_no_drop(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Ceil mode that keeps a last window starting in the right padding."""
    if not ceil_mode:
        raise ValueError("applies to ceil_mode=True only")
    (ph, pw), (sh, sw) = _pair(padding), _pair(stride if stride is not None else kernel_size)
    inf = float("-inf")
    x = F.pad(x, (pw, pw + sw - 1, ph, ph + sh - 1), value=inf)
    return F.max_pool2d(x, kernel_size, stride, 0, dilation, False)


def _avg_full_kernel_divisor(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                             count_include_pad=True, divisor_override=None):
    if divisor_override is not None or not count_include_pad:
        raise ValueError("applies to count_include_pad=True without divisor_override")
    kh, kw = _pair(kernel_size)
    return F.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, True, kh * kw)


def _avg_no_override(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    if divisor_override is None:
        raise ValueError("applies when divisor_override is given")
    return F.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad)


STRIDE_HINT = "stride=None means stride = kernel_size (non-overlapping windows), not 1"
CEIL_HINT = ("ceil_mode=True rounds the output size up, ceil_mode=False down: "
             "out = floor((H + 2p - d(k-1) - 1 + (s-1 if ceil_mode else 0)) / s) + 1")

MAX_POOL2D = FunctionSpec(
    name="max_pool2d",
    reference=F.max_pool2d,
    reference_name="torch.nn.functional.max_pool2d",
    salt="ex04-max",
    arg_names=("input", "kernel_size"),
    grad_wrt=(0,),
    misconceptions=(
        Misconception("stride defaulting to 1", _stride_one(F.max_pool2d), STRIDE_HINT),
        Misconception("floor/ceil mode swapped", _flip_kwarg(F.max_pool2d, "ceil_mode", False),
                      CEIL_HINT),
        Misconception("zero padding in max pooling", _max_zero_padded,
                      "max pooling pads with -inf, not zeros: a padded position never wins "
                      "(use F.pad(..., value=float('-inf')))"),
        Misconception("dilation ignored", _max_no_dilation,
                      "window taps must be `dilation` pixels apart: read x[i*s - p + q*d]"),
        Misconception("ceil mode without the last-window rule", _max_ceil_no_drop,
                      "in ceil mode a last window that would start in the right padding is "
                      "dropped: if (out - 1) * s >= H + p, use out - 1"),
    ),
)

AVG_POOL2D = FunctionSpec(
    name="avg_pool2d",
    reference=F.avg_pool2d,
    reference_name="torch.nn.functional.avg_pool2d",
    salt="ex04-avg",
    arg_names=("input", "kernel_size"),
    grad_wrt=(0,),
    misconceptions=(
        Misconception("stride defaulting to 1", _stride_one(F.avg_pool2d), STRIDE_HINT),
        Misconception("floor/ceil mode swapped", _flip_kwarg(F.avg_pool2d, "ceil_mode", False),
                      CEIL_HINT),
        Misconception("count_include_pad ignored",
                      _flip_kwarg(F.avg_pool2d, "count_include_pad", True),
                      "count_include_pad=True divides by the window's size including padded "
                      "zeros; False divides by the number of real input positions in the window"),
        Misconception("ceil-mode overhang divided by the full kernel", _avg_full_kernel_divisor,
                      "with count_include_pad=True a window is clipped to the padded edge "
                      "before counting: a ceil-mode window that runs past it is divided by "
                      "(min(start + k, H + p) - start) per axis, not by k"),
        Misconception("divisor_override ignored", _avg_no_override,
                      "when divisor_override is given, every window sum is divided by it"),
    ),
)


# ------------------------------------------------------------ return_indices
def _index_variants(x, kwargs):
    """Wrong index conventions a student may use, each from the built-in's own argmax."""
    _, idx = F.max_pool2d(x, **kwargs)
    h, w = x.shape[-2:]
    kw, (ph, pw) = _pair(kwargs["kernel_size"])[1], _pair(kwargs.get("padding", 0))
    sh, sw = _pair(kwargs.get("stride") or kwargs["kernel_size"])
    dh, dw = _pair(kwargs.get("dilation", 1))
    row, col = idx // w, idx % w
    oh = torch.arange(idx.shape[-2]).view(-1, 1) * sh - ph
    ow = torch.arange(idx.shape[-1]).view(1, -1) * sw - pw
    plane = x.shape[-2] * x.shape[-1]
    yield "indices relative to the window", ((row - oh) // dh) * kw + (col - ow) // dw, \
        "return the flat index row * W + col into the input plane, not the position in the window"
    yield "indices into the padded plane", (row + ph) * (w + 2 * pw) + (col + pw), \
        "indices refer to the unpadded input: subtract the padding from row and column"
    channel = torch.arange(idx.shape[-3]).view(-1, 1, 1) * plane
    yield "indices over the whole tensor", idx + channel, \
        "indices are flat within each H*W plane (what max_unpool2d takes), not over C*H*W"


def _index_hint(got, x, kwargs):
    for name, wrong, hint in _index_variants(x, kwargs):
        if got.shape == wrong.shape and torch.equal(got.long(), wrong):
            return f"{name}: {hint}"
    return None


def assert_indices(got, expected, x, kwargs, reveal_expected):
    if not isinstance(got, torch.Tensor):
        raise CheckFailure(f"indices should be a torch.Tensor, got {describe_value(got)}")
    if tuple(got.shape) != tuple(expected.shape):
        raise CheckFailure(f"indices have shape {tuple(got.shape)}, expected {tuple(expected.shape)}")
    if got.dtype != torch.int64:
        raise CheckFailure(f"indices have dtype {str(got.dtype).replace('torch.', '')}, expected "
                           "int64 (torch.long), as max_pool2d returns")
    wrong = got != expected
    if bool(wrong.any()):
        where = tuple(int(i) for i in wrong.nonzero()[0])
        message = (f"{int(wrong.sum())} of {got.numel()} indices are wrong; first at {where}: "
                   f"got {int(got[where])}")
        if reveal_expected:
            message += f", expected {int(expected[where])}"
        raise CheckFailure(message + " (an index is row * W + col in the input's H x W plane)",
                           hint=_index_hint(got, x, kwargs))


def indices_check(samples, *, points, dtypes=("float32", "float64")):
    """max_pool2d(..., return_indices=True) returns (values, int64 indices into each plane)."""

    @pytest.mark.parametrize("sample,dtype", cases(samples, dtypes, points))
    def check(submission, sample, dtype, reveal_expected):
        args, kwargs = MAX_POOL2D.inputs(sample, dtype)
        kwargs = {**kwargs, "return_indices": True}
        values, indices = F.max_pool2d(*_as_double(args), **kwargs)
        with explained(sample, args, kwargs, dtype, submission.device):
            result = submission.run("max_pool2d", *args, **kwargs)
            submission.require_clean(result, "max_pool2d")
            out = result.output
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise CheckFailure("with return_indices=True, max_pool2d should return a pair "
                                   f"(values, indices), got {describe_value(out)}")
            assert_close(out[0], values, tol=MAX_POOL2D.tol(submission.device, dtype), what="values",
                         dtype=dtype, reveal_expected=reveal_expected)
            assert_indices(out[1], indices, args[0].double(), {"kernel_size": args[1], **kwargs},
                           reveal_expected)

    check.__doc__ = "max_pool2d(return_indices=True) matches the built-in's values and indices"
    return check


PUBLIC_MAX_SAMPLES = [
    Sample("k2_default_stride", (T(2, 3, 8, 8), 2), {}, hint=STRIDE_HINT),
    Sample("k3_s2_p1", (T(1, 2, 9, 7), 3), {"stride": 2, "padding": 1},
           hint="max pooling pads with -inf, so padded positions never win"),
    Sample("ceil_mode", (T(1, 2, 8, 8), 3), {"stride": 2, "ceil_mode": True}, hint=CEIL_HINT),
    Sample("dilation2", (T(2, 1, 9, 9), 2), {"stride": 1, "dilation": 2}),
    Sample("unbatched_rect", (T(3, 7, 10), (2, 3)), {"stride": (1, 2)},
           hint="a 3-D input (C, H, W) is one unbatched image: return (C, H_out, W_out)"),
]

PUBLIC_AVG_SAMPLES = [
    Sample("k2_default_stride", (T(2, 3, 8, 8), 2), {}, hint=STRIDE_HINT),
    Sample("pad_include", (T(1, 2, 7, 7), 3), {"stride": 2, "padding": 1},
           hint="count_include_pad=True (the default) counts padded zeros in the divisor"),
    Sample("pad_exclude", (T(1, 2, 7, 7), 3), {"stride": 2, "padding": 1, "count_include_pad": False},
           hint="count_include_pad=False divides by the number of real input positions"),
    Sample("ceil_overhang", (T(1, 2, 6, 6), 3), {"stride": 2, "ceil_mode": True},
           hint="a ceil-mode window past the padded edge is divided by its clipped size"),
    Sample("divisor_override", (T(2, 7, 5), 2), {"padding": 1, "divisor_override": 3},
           hint="divisor_override replaces the divisor of every window"),
]

PUBLIC_INDEX_SAMPLES = [
    Sample("k2", (T(2, 2, 6, 6), 2), {}),
    Sample("k3_s2_p1", (T(1, 2, 7, 9), 3), {"stride": 2, "padding": 1},
           hint="indices refer to the unpadded input plane"),
]
