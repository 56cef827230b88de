"""ex03: 2-D convolution.

Implement ``conv2d`` with exactly the semantics of ``torch.nn.functional.conv2d``,
without calling any built-in convolution (``F.conv2d``, ``torch.conv2d``, ``nn.Conv2d``,
``torch.ops.aten.convolution``...). ``F.unfold``, ``F.pad``, ``einsum`` and matmul are allowed.

What PyTorch calls convolution is a *cross-correlation*: the kernel is NOT flipped.

    out[n, o, i, j] = bias[o] + sum_{c in group(o)} sum_{p, q}
        weight[o, c, p, q] * x_padded[n, g(o) * C_g + c, i * sH + p * dH, j * sW + q * dW]

with C_g = C_in / groups input channels per group, and output channel ``o`` reading
only the input channels of its group g(o) = o // (C_out / groups).

Output size, per spatial dimension:

    out = floor((in + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1

Padding:
- an int or a pair (pH, pW): that many zeros on both sides;
- ``'valid'``: no padding;
- ``'same'``: output size = input size (stride must be 1, else raise). The total padding
  is ``dilation * (kernel - 1)``; when it is odd, PyTorch puts the extra zero at the end
  (bottom/right): before = total // 2, after = total - before.

Worked example: x of shape (1, 1, 5, 5), weight (1, 1, 3, 3), stride=2, padding=1
gives an output of shape (1, 1, 3, 3): floor((5 + 2 - 2 - 1) / 2) + 1 = 3.

What the checks look at: values against F.conv2d (float32 and float64, many random
configurations of stride, padding, dilation, groups, bias, non-square shapes, unbatched
(C, H, W) input), gradients w.r.t. input, weight and bias (autograd must flow through your
ops), output dtype/shape/device, inputs left unmodified, an exception for invalid arguments
(mismatched channels, groups that do not divide the channels, padding='same' with
stride > 1), and speed on a medium case against the built-in.
"""
from __future__ import annotations

import torch


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> torch.Tensor:
    """2-D cross-correlation, like ``torch.nn.functional.conv2d``.

    Args:
        input: (N, C_in, H, W) or unbatched (C_in, H, W).
        weight: (C_out, C_in / groups, kH, kW).
        bias: (C_out,) or None.
        stride, dilation: an int or a pair (for H, W).
        padding: an int, a pair, ``'same'`` or ``'valid'``.
        groups: splits input and output channels into ``groups`` independent groups.

    Returns:
        (N, C_out, H_out, W_out), or (C_out, H_out, W_out) for an unbatched input, with the
        dtype and device of ``input``.
    """
    raise NotImplementedError("ex03: implement conv2d")
