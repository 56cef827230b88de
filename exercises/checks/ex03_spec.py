"""ex03 declared as data: the oracle, tolerances and known misconceptions of conv2d."""
from __future__ import annotations

import torch.nn.functional as F

from grader.spec import FunctionSpec, Misconception, Sample, T


def _flipped(x, w, bias=None, **kw):
    return F.conv2d(x, w.flip(-2, -1), bias, **kw)


def _no_bias(x, w, bias=None, **kw):
    return F.conv2d(x, w, None, **kw)


def _one_sided(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1, *, end=False):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    pad = (0, 2 * pw, 0, 2 * ph) if end else (2 * pw, 0, 2 * ph, 0)
    return F.conv2d(F.pad(x, pad), w, bias, stride, 0, dilation, groups)


def _same_split_wrong(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    if padding != "same":
        raise ValueError("applies to padding='same' only")
    d = (dilation, dilation) if isinstance(dilation, int) else dilation
    th, tw = d[0] * (w.shape[-2] - 1), d[1] * (w.shape[-1] - 1)
    x = F.pad(x, (tw - tw // 2, tw // 2, th - th // 2, th // 2))
    return F.conv2d(x, w, bias, stride, 0, dilation, groups)


def _no_dilation(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return F.conv2d(x, w, bias, stride, padding, 1, groups)


def _no_stride(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return F.conv2d(x, w, bias, 1, padding, dilation, groups)


CONV2D = FunctionSpec(
    name="conv2d",
    reference=F.conv2d,
    reference_name="torch.nn.functional.conv2d",
    salt="ex03",
    arg_names=("input", "weight"),
    grad_wrt=(0, 1, "bias"),
    misconceptions=(
        Misconception("flipped kernel", _flipped,
                      "you computed a true convolution (kernel flipped); PyTorch's conv2d is a "
                      "cross-correlation: use weight[..., p, q] as is"),
        Misconception("bias ignored", _no_bias, "the bias is never added; add bias[o] to every "
                      "output position of channel o"),
        Misconception("padding on one side", lambda *a, **k: _one_sided(*a, **k, end=False),
                      "all the padding went before the input; pad p zeros on BOTH sides"),
        Misconception("padding on one side", lambda *a, **k: _one_sided(*a, **k, end=True),
                      "all the padding went after the input; pad p zeros on BOTH sides"),
        Misconception("'same' padding split the wrong way", _same_split_wrong,
                      "with an even kernel the odd zero goes at the end (bottom/right): "
                      "before = total // 2, after = total - before"),
        Misconception("dilation ignored", _no_dilation,
                      "kernel taps must be `dilation` pixels apart: read x[i*s + p*d]"),
        Misconception("stride ignored", _no_stride,
                      "output position i reads from input row i * stride"),
    ),
)

# The medium case of the performance check.
MEDIUM = Sample("medium", (T(8, 16, 32, 32), T(32, 16, 3, 3)), {"bias": T(32), "padding": 1})

PUBLIC_SAMPLES = [
    Sample("basic", (T(2, 3, 8, 8), T(4, 3, 3, 3)), {"bias": T(4)}),
    Sample("stride2_pad1", (T(1, 2, 9, 7), T(3, 2, 3, 3)), {"bias": T(3), "stride": 2, "padding": 1},
           hint="output size is floor((H + 2p - d(k-1) - 1) / s) + 1"),
    Sample("same_even_kernel", (T(1, 2, 6, 6), T(2, 2, 4, 4)), {"padding": "same"},
           hint="'same' with an even kernel pads total//2 before and the rest after"),
    Sample("dilation2_nobias", (T(2, 2, 9, 9), T(3, 2, 3, 3)), {"dilation": 2}),
    Sample("groups2", (T(1, 4, 6, 6), T(6, 2, 3, 3)), {"bias": T(6), "groups": 2},
           hint="with groups=g, output channel o reads only input channels of group o // (C_out/g)"),
]
