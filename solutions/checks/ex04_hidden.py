"""ex04 hidden checks: many configurations, gradients, indices, in-place, errors.

Each hyper-parameter has samples where getting it wrong changes the output beyond the
tolerance: stride left to None on inputs whose size is not a multiple of the kernel,
padding on all-negative inputs (zero padding would win), ceil_mode both ways and at the
"last window starts in the padding" edge, count_include_pad both ways, ceil-mode windows
past the padded edge, divisor_override, per-axis values, unbatched input. Inputs are
continuous random values: no window holds tied maxima.
"""
import random

import pytest
import torch
import torch.nn.functional as F
from ex04_spec import AVG_POOL2D, CEIL_HINT, MAX_POOL2D, STRIDE_HINT, indices_check

from grader.compare import assert_close
from grader.outcomes import CheckFailure
from grader.spec import Sample, T
from grader.templates import error_check, forward_check, gradient_check, inplace_check

ZERO_PAD_HINT = "max pooling pads with -inf: on all-negative inputs a zero would win"
DROP_HINT = "in ceil mode a last window starting in the right padding is dropped"


def _accepted(spec, sample) -> bool:
    """The built-in accepts it, and every max window sees at least one input position."""
    try:
        args, kwargs = sample.materialize(torch.float64, spec.salt)
        out = spec.reference(*args, **kwargs)
    except RuntimeError:
        return False
    return not bool(torch.isinf(out).any())


def _random_samples(spec, count: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    samples = []
    while len(samples) < count:
        kernel = rng.choice([1, 2, 3, 3, (2, 3), (3, 2), 4])
        kwargs = {"stride": rng.choice([None, None, 1, 2, (1, 2), (2, 3), 3]),
                  "padding": rng.choice([0, 1, 1, (1, 0), (0, 1), 2]),
                  "ceil_mode": rng.random() < 0.5}
        if spec is MAX_POOL2D:
            kwargs["dilation"] = rng.choice([1, 1, 2, (2, 1)])
        else:
            kwargs["count_include_pad"] = rng.random() < 0.5
            kwargs["divisor_override"] = rng.choice([None, None, None, 5])
        lead = rng.choice([(2, 3), (1, 2), (3,)])
        shape = lead + (rng.randint(4, 11), rng.randint(4, 11))
        sample = Sample(f"random{len(samples):02d}", (T(*shape), kernel), kwargs)
        if _accepted(spec, sample):
            samples.append(sample)
    return samples


MAX_EDGE = [
    Sample("default_stride_odd_size", (T(2, 2, 7, 9), 2), {}, hint=STRIDE_HINT),
    Sample("default_stride_k3_unbatched", (T(3, 10, 8), 3), {}, hint=STRIDE_HINT),
    Sample("overlapping_k3_s1_p1", (T(1, 2, 6, 6), 3), {"stride": 1, "padding": 1}),
    Sample("negative_values_padded", (T(2, 2, 7, 7, low=-3, high=-1), 3), {"stride": 2, "padding": 1},
           hint=ZERO_PAD_HINT),
    Sample("negative_values_padded_per_axis", (T(1, 3, 6, 8, low=-2, high=-0.5), (2, 3)),
           {"stride": 2, "padding": (1, 1)}, hint=ZERO_PAD_HINT),
    Sample("ceil_extra_window", (T(1, 2, 8, 8), 3), {"stride": 2, "ceil_mode": True}, hint=CEIL_HINT),
    Sample("floor_drops_last", (T(1, 2, 8, 8), 3), {"stride": 2, "ceil_mode": False}, hint=CEIL_HINT),
    Sample("ceil_last_window_rule", (T(1, 2, 5, 5, low=-2, high=-1), 3),
           {"stride": 3, "padding": 1, "ceil_mode": True}, hint=DROP_HINT),
    Sample("ceil_padded_dilated", (T(2, 1, 9, 8), 3),
           {"stride": 2, "padding": 1, "dilation": 2, "ceil_mode": True}),
    Sample("dilation_per_axis", (T(1, 2, 9, 9), (2, 3)), {"stride": 1, "dilation": (2, 1)}),
    Sample("stride_per_axis", (T(1, 2, 11, 9), 3), {"stride": (3, 1)},
           hint="stride=(sH, sW) applies sH to rows and sW to columns"),
    Sample("padding_per_axis", (T(1, 2, 6, 6, low=-2, high=-1), 3), {"stride": 1, "padding": (1, 0)},
           hint=ZERO_PAD_HINT),
    Sample("kernel1_stride2", (T(2, 2, 7, 6), 1), {"stride": 2}),
    Sample("kernel_equals_input", (T(2, 3, 5, 6), (5, 6)), {}),
    Sample("big_values", (T(1, 3, 8, 8, low=-100, high=100), 2), {"stride": 1}),
]

AVG_EDGE = [
    Sample("default_stride_odd_size", (T(2, 2, 7, 9), 2), {}, hint=STRIDE_HINT),
    Sample("default_stride_k3_unbatched", (T(3, 10, 8), 3), {}, hint=STRIDE_HINT),
    Sample("pad_include_s1", (T(1, 2, 6, 6), 3), {"stride": 1, "padding": 1}),
    Sample("pad_exclude_s1", (T(1, 2, 6, 6), 3), {"stride": 1, "padding": 1, "count_include_pad": False},
           hint="count_include_pad=False divides by the number of real input positions"),
    Sample("ceil_overhang_include", (T(1, 2, 6, 6), 3), {"stride": 2, "ceil_mode": True},
           hint="a ceil-mode window past the padded edge is divided by its clipped size"),
    Sample("ceil_overhang_padded_include", (T(2, 2, 6, 7), 3), {"stride": 2, "padding": 1, "ceil_mode": True},
           hint="count_include_pad clips a window to the padded edge: (min(start + k, H + p) - start)"),
    Sample("ceil_overhang_padded_exclude", (T(2, 2, 6, 7), 3),
           {"stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}),
    Sample("floor_drops_last", (T(1, 2, 8, 8), 3), {"stride": 2}, hint=CEIL_HINT),
    Sample("ceil_last_window_rule", (T(1, 2, 5, 5), 3), {"stride": 3, "padding": 1, "ceil_mode": True},
           hint=DROP_HINT),
    Sample("divisor_override_padded_ceil", (T(1, 2, 7, 6), 3),
           {"stride": 2, "padding": 1, "ceil_mode": True, "divisor_override": 4}),
    Sample("divisor_override_beats_exclude", (T(2, 2, 6, 6), 2),
           {"padding": 1, "count_include_pad": False, "divisor_override": 7},
           hint="divisor_override replaces every divisor, whatever count_include_pad says"),
    Sample("rect_kernel_per_axis", (T(1, 3, 7, 9), (2, 3)), {"stride": (1, 2), "padding": (1, 1)}),
    Sample("kernel1_stride2", (T(2, 2, 7, 6), 1), {"stride": 2}),
    Sample("kernel_equals_input", (T(2, 3, 5, 6), (5, 6)), {}),
    Sample("big_values", (T(1, 3, 8, 8, low=-100, high=100), 3), {"padding": 1}),
]

MAX_SAMPLES = MAX_EDGE + _random_samples(MAX_POOL2D, 10, seed=404)
AVG_SAMPLES = AVG_EDGE + _random_samples(AVG_POOL2D, 10, seed=405)

INDEX_SAMPLES = [MAX_EDGE[i] for i in (0, 1, 3, 5, 8, 9, 10, 11)] + MAX_SAMPLES[-4:]

MAX_ERRORS = [
    Sample("padding_over_half_kernel", (T(1, 2, 7, 7), 3), {"padding": 2},
           hint="padding must be at most kernel_size // 2"),
    Sample("kernel_larger_than_input", (T(1, 2, 4, 4), 5), {}, hint="the output size would be 0"),
    Sample("stride_zero", (T(1, 2, 6, 6), 2), {"stride": 0}, hint="stride must be positive"),
    Sample("negative_padding", (T(1, 2, 6, 6), 3), {"padding": -1}, hint="padding must be >= 0"),
    Sample("input_2d", (T(6, 6), 2), {}, hint="the input must be 3-D (C, H, W) or 4-D (N, C, H, W)"),
]

AVG_ERRORS = [
    Sample("padding_over_half_kernel", (T(1, 2, 7, 7), (3, 4)), {"padding": (2, 1)},
           hint="padding must be at most kernel_size // 2"),
    Sample("kernel_larger_than_input", (T(1, 2, 4, 4), 5), {}, hint="the output size would be 0"),
    Sample("stride_zero", (T(1, 2, 6, 6), 2), {"stride": 0}, hint="stride must be positive"),
    Sample("divisor_override_zero", (T(1, 2, 6, 6), 2), {"divisor_override": 0},
           hint="divisor_override must not be zero"),
    Sample("input_2d", (T(6, 6), 2), {}, hint="the input must be 3-D (C, H, W) or 4-D (N, C, H, W)"),
]

test_max_pool2d_forward_hidden = forward_check(MAX_POOL2D, MAX_SAMPLES, points=18)
test_avg_pool2d_forward_hidden = forward_check(AVG_POOL2D, AVG_SAMPLES, points=18)
test_max_pool2d_indices_hidden = indices_check(INDEX_SAMPLES, points=12)
test_max_pool2d_gradients_hidden = gradient_check(MAX_POOL2D, MAX_SAMPLES[:14], points=10,
                                                  dtypes=("float32", "float64"))
test_avg_pool2d_gradients_hidden = gradient_check(AVG_POOL2D, AVG_SAMPLES[:14], points=10,
                                                  dtypes=("float32", "float64"))
test_max_pool2d_errors = error_check(MAX_POOL2D, MAX_ERRORS, points=5)
test_avg_pool2d_errors = error_check(AVG_POOL2D, AVG_ERRORS, points=5)
test_max_pool2d_inputs_unchanged = inplace_check(MAX_POOL2D, MAX_SAMPLES[2:4], points=1)
test_avg_pool2d_inputs_unchanged = inplace_check(AVG_POOL2D, AVG_SAMPLES[2:4], points=1)


def _grad_inputs(seed, shape, out_shape):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=gen, dtype=torch.float64)
    return x, torch.randn(*out_shape, generator=gen, dtype=torch.float64)


@pytest.mark.points(3)
def test_max_pool2d_return_indices_gradient(submission, reveal_expected):
    """gradients still flow through the values when return_indices=True"""
    kwargs = {"kernel_size": 3, "stride": 2, "padding": 1, "return_indices": True}
    x, grad_out = _grad_inputs(41, (2, 2, 7, 6), (2, 2, 4, 3))
    leaf = x.clone().requires_grad_(True)
    expected = torch.autograd.grad(F.max_pool2d(leaf, **kwargs)[0], leaf, grad_out)[0]
    no_grad = torch.zeros(grad_out.shape, dtype=torch.int64)  # indices carry no gradient
    result = submission.run("max_pool2d", x, grad_wrt=[0], grad_outputs=[grad_out, no_grad], **kwargs)
    submission.require_clean(result, "max_pool2d")
    got = result.grads.get("0")
    if got is None:
        raise CheckFailure("no gradient reached `input` with return_indices=True")
    assert_close(got, expected, tol=MAX_POOL2D.tol(submission.device, torch.float64),
                 what="gradient w.r.t. `input` (return_indices=True)", reveal_expected=reveal_expected)


@pytest.mark.points(2)
def test_pooling_chain_positional(submission, reveal_expected):
    """max_pool2d then avg_pool2d, all arguments positional, match the built-ins"""
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(2, 3, 13, 11, generator=gen)
    hidden = submission.call("max_pool2d", x, 3, 2, 1, 1, True)
    out = submission.call("avg_pool2d", hidden, 2, None, 1, True, False)
    expected = F.avg_pool2d(F.max_pool2d(x.double(), 3, 2, 1, 1, True), 2, None, 1, True, False)
    assert_close(out, expected, tol=AVG_POOL2D.tol(submission.device, torch.float32),
                 reveal_expected=reveal_expected)
