"""ex03 hidden checks: many configurations, gradients, in-place, errors, speed.

Each hyper-parameter has samples where getting it wrong changes the output beyond the
tolerance: stride and dilation differ per axis, padding is asymmetric per axis, 'same'
with even kernels, groups > 1, bias None, unbatched input, batch 1, one channel.
"""
import random

import pytest
import torch
import torch.nn.functional as F
from ex03_spec import CONV2D, MEDIUM

from grader.compare import assert_close
from grader.spec import Sample, T
from grader.templates import (error_check, forward_check, gradient_check, inplace_check,
                              performance_check)


def _random_samples(count: int, seed: int = 2026) -> list[Sample]:
    rng = random.Random(seed)
    samples = []
    while len(samples) < count:
        groups = rng.choice([1, 1, 2, 3])
        cin, cout = groups * rng.randint(1, 2), groups * rng.randint(1, 3)
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        stride = rng.choice([1, 2, (1, 2), (2, 3)])
        dilation = rng.choice([1, 2, (2, 1)])
        padding = rng.choice([0, 1, (2, 1), (0, 2), "valid", "same"])
        if padding == "same" and stride != 1:
            continue
        h, w = rng.randint(5, 11), rng.randint(5, 11)
        batch = rng.choice([1, 2, 3])
        kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
        if rng.random() < 0.7:
            kwargs["bias"] = T(cout)
        sample = Sample(f"random{len(samples):02d}", (T(batch, cin, h, w), T(cout, cin // groups, kh, kw)),
                        kwargs)
        try:  # keep only configurations the built-in accepts
            args, kw = sample.materialize(torch.float64)
            F.conv2d(*args, **kw)
        except RuntimeError:
            continue
        samples.append(sample)
    return samples


EDGE_SAMPLES = [
    Sample("single_channel_1x1", (T(1, 1, 5, 5), T(1, 1, 1, 1)), {}),
    Sample("non_square_kernel", (T(2, 3, 7, 10), T(4, 3, 2, 5)), {"bias": T(4)}),
    Sample("stride_per_axis", (T(1, 2, 11, 9), T(2, 2, 3, 3)), {"stride": (3, 1), "bias": T(2)},
           hint="stride=(sH, sW) applies sH to rows and sW to columns"),
    Sample("padding_per_axis", (T(1, 2, 6, 6), T(2, 2, 3, 3)), {"padding": (2, 0)},
           hint="padding=(pH, pW) pads pH rows above and below, pW columns left and right"),
    Sample("dilation_per_axis", (T(1, 2, 9, 9), T(2, 2, 3, 2)), {"dilation": (1, 3)}),
    Sample("same_even_dilated", (T(1, 2, 8, 7), T(3, 2, 2, 4)), {"padding": "same", "dilation": 2,
                                                                  "bias": T(3)},
           hint="'same' pads dilation*(k-1) in total per axis, the odd zero at the end"),
    Sample("valid", (T(2, 2, 6, 5), T(2, 2, 3, 2)), {"padding": "valid"}),
    Sample("depthwise", (T(2, 4, 7, 7), T(4, 1, 3, 3)), {"groups": 4, "padding": 1},
           hint="groups=C_in is a depthwise convolution: each channel with its own kernel"),
    Sample("groups3_stride2", (T(1, 6, 9, 9), T(9, 2, 3, 3)), {"groups": 3, "stride": 2, "bias": T(9)}),
    Sample("unbatched", (T(3, 7, 7), T(2, 3, 3, 3)), {"bias": T(2), "padding": 1},
           hint="a 3-D input (C, H, W) is one unbatched image: return (C_out, H_out, W_out)"),
    Sample("kernel_equals_input", (T(2, 2, 4, 4), T(3, 2, 4, 4)), {"bias": T(3)}),
    Sample("big_values", (T(1, 3, 6, 6, low=-100, high=100), T(2, 3, 3, 3)), {"bias": T(2)}),
]

HIDDEN_SAMPLES = EDGE_SAMPLES + _random_samples(20)

ERROR_SAMPLES = [
    Sample("channel_mismatch", (T(1, 3, 6, 6), T(2, 2, 3, 3)), {},
           hint="input has 3 channels, the weight expects 2"),
    Sample("groups_do_not_divide", (T(1, 4, 6, 6), T(3, 2, 3, 3)), {"groups": 2},
           hint="3 output channels cannot be split into 2 groups"),
    Sample("same_with_stride", (T(1, 2, 6, 6), T(2, 2, 3, 3)), {"padding": "same", "stride": 2},
           hint="padding='same' is not supported with stride > 1"),
    Sample("unknown_padding_mode", (T(1, 2, 6, 6), T(2, 2, 3, 3)), {"padding": "full"},
           hint="padding must be 'same', 'valid', an int or a pair"),
]

test_conv2d_forward_hidden = forward_check(CONV2D, HIDDEN_SAMPLES, points=40)
test_conv2d_gradients_hidden = gradient_check(CONV2D, HIDDEN_SAMPLES[:16], points=20,
                                              dtypes=("float32", "float64"))
INPLACE_SAMPLES = [s for s in EDGE_SAMPLES if s.id in ("non_square_kernel", "padding_per_axis",
                                                     "depthwise", "unbatched")]
test_conv2d_inputs_unchanged = inplace_check(CONV2D, INPLACE_SAMPLES, points=4)
test_conv2d_errors = error_check(CONV2D, ERROR_SAMPLES, points=8)
test_conv2d_speed = performance_check(CONV2D, MEDIUM, points=10, max_ratio=25,
                                      reference="torch.nn.functional.conv2d",
                                      hint="replace Python loops over output positions by tensor "
                                           "operations (e.g. unfold + matmul)")


# An ordinary pytest check, as an instructor writes one: bias passed positionally, in a
# network-like chain of two convolutions.
@pytest.mark.points(3)
def test_two_layer_chain(submission, reveal_expected):
    """two chained conv2d calls (bias passed positionally) match the built-in"""
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(2, 3, 10, 10, generator=gen)
    w1, b1 = torch.randn(4, 3, 3, 3, generator=gen), torch.randn(4, generator=gen)
    w2 = torch.randn(2, 4, 3, 3, generator=gen)
    hidden = submission.call("conv2d", x, w1, b1, 1, 1)
    out = submission.call("conv2d", hidden.relu(), w2, None, 2)
    expected = F.conv2d(F.conv2d(x, w1, b1, 1, 1).relu(), w2, None, 2)
    assert_close(out, expected, tol=CONV2D.tol(submission.device, torch.float32),
                 reveal_expected=reveal_expected)
