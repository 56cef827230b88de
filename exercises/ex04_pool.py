"""ex04: max and average pooling.

Implement ``max_pool2d`` and ``avg_pool2d`` with exactly the semantics of
``torch.nn.functional.max_pool2d`` and ``avg_pool2d``, without calling any built-in pooling
(``F.max_pool2d``, ``F.avg_pool2d``, ``nn.MaxPool2d``, ``F.adaptive_avg_pool2d``,
``torch.ops.aten.max_pool2d_with_indices``...). ``F.unfold``, ``F.pad``, ``max``, ``sum``,
``einsum`` and indexing are allowed.

Each output position (i, j) of each channel looks at one window of the (padded) input:

    rows i*sH - pH + p*dH for p in range(kH),  columns j*sW - pW + q*dW for q in range(kW)

max_pool2d takes the largest value of the window, avg_pool2d its mean.

Arguments (an int means the same value for H and W; a pair is (H, W)):
- ``stride=None`` means stride = kernel_size (non-overlapping windows), NOT 1.
- ``padding`` p pads p positions on both sides. max_pool2d pads with -inf (a padded position
  never wins), avg_pool2d with zeros. p must be at most half the kernel: p <= k // 2.
- ``dilation`` (max_pool2d only): the distance between window taps.

Output size, per axis:

    out = floor((H + 2p - d*(k - 1) - 1 + (s - 1 if ceil_mode else 0)) / s) + 1
    if ceil_mode and (out - 1) * s >= H + p:   out = out - 1

i.e. ``ceil_mode=True`` rounds up, so the last window may run past the padded input, but
the last window must START inside the input or the left padding.

``return_indices=True`` (max_pool2d): also return an int64 tensor of the output's shape
with, for each maximum, its flat index ``row * W + col`` in its channel's unpadded H x W
input plane (not the position inside the window, not an index over C*H*W).

Divisor of avg_pool2d (per window; start = i*s - p along each axis):
- ``divisor_override`` given: divide every window sum by it (it must not be 0);
- ``count_include_pad=True`` (default): the window clipped to the PADDED input,
  (min(start + k, H + p) - start) per axis, multiplied over the two axes. Padded zeros
  count; positions of a ceil-mode window beyond the padded edge do not;
- ``count_include_pad=False``: only real input positions,
  (min(start + k, H) - max(start, 0)) per axis.

Worked example: x of shape (1, 1, 5, 5), kernel_size=3, stride=2, padding=1 gives
(1, 1, 3, 3): floor((5 + 2 - 2 - 1) / 2) + 1 = 3. The corner window of avg_pool2d covers
rows -1..1 and columns -1..1: its sum has 4 real values and is divided by 9
(count_include_pad=True) or by 4 (False).

Errors: raise an exception with a message (any class) where PyTorch does: padding larger
than half the kernel, a non-positive kernel size, stride or dilation, an output size below
1, an input that is not 3-D or 4-D, ``divisor_override=0``.

What the checks look at: values against the built-ins (float32 and float64, many
configurations of kernel, stride, padding, dilation, ceil_mode, count_include_pad and
divisor_override, non-square shapes, unbatched (C, H, W) input), the indices of
``return_indices=True``, gradients w.r.t. the input (autograd must flow through your
ops), output dtype/shape/device, inputs left unmodified, and the errors above. Inputs are
continuous random values, so a window never holds two equal maxima; which one of tied
maxima you pick does not matter. Windows that see no input position at all (possible with
dilation) are never checked.
"""
from __future__ import annotations

import torch


def max_pool2d(
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """2-D max pooling, like ``torch.nn.functional.max_pool2d``.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        kernel_size, stride, padding, dilation: an int or a pair (for H, W);
            stride=None means kernel_size.
        ceil_mode: round the output size up instead of down.
        return_indices: also return the int64 flat index (row * W + col) of each maximum.

    Returns:
        (N, C, H_out, W_out) (or (C, H_out, W_out)) with the dtype and device of ``input``;
        with return_indices, the pair (values, indices) of that shape.
    """
    raise NotImplementedError("ex04: implement max_pool2d")


def avg_pool2d(
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> torch.Tensor:
    """2-D average pooling, like ``torch.nn.functional.avg_pool2d``.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        kernel_size, stride, padding: an int or a pair (for H, W); stride=None means kernel_size.
        ceil_mode: round the output size up instead of down.
        count_include_pad: count padded zeros in the divisor.
        divisor_override: if given, divide every window sum by this instead.

    Returns:
        (N, C, H_out, W_out) (or (C, H_out, W_out)) with the dtype and device of ``input``.
    """
    raise NotImplementedError("ex04: implement avg_pool2d")
