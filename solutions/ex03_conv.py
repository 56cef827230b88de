"""ex03 reference: 2-D convolution (cross-correlation) as unfold + batched matmul."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _pair(value, name: str) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")


def _padding(padding, stride, dilation, kernel) -> tuple[int, int, int, int]:
    """(left, right, top, bottom) zero padding, as F.pad takes it."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        total_h = dilation[0] * (kernel[0] - 1)
        total_w = dilation[1] * (kernel[1] - 1)
        # PyTorch puts the odd pixel of an even kernel at the end (right/bottom).
        return total_w // 2, total_w - total_w // 2, total_h // 2, total_h - total_h // 2
    if isinstance(padding, str):
        raise ValueError(f"padding must be 'same', 'valid', an int or a pair, got {padding!r}")
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be non-negative, got {padding!r}")
    return pw, pw, ph, ph


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> torch.Tensor:
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    if x.dim() != 4 or weight.dim() != 4:
        raise ValueError(f"expected a 3-D or 4-D input and a 4-D weight, got {input.dim()}-D "
                         f"and {weight.dim()}-D")
    n, c, h, w = x.shape
    out_channels, c_per_group, kh, kw = weight.shape
    if groups < 1 or c % groups or out_channels % groups or c_per_group * groups != c:
        raise ValueError(f"input has {c} channels, weight expects {c_per_group} per group with "
                         f"groups={groups} and {out_channels} output channels")
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError("stride and dilation must be positive")
    left, right, top, bottom = _padding(padding, stride, dilation, (kh, kw))
    if left or right or top or bottom:
        x = F.pad(x, (left, right, top, bottom))
    oh = (h + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (w + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    if oh < 1 or ow < 1:
        raise ValueError("the (dilated) kernel is larger than the padded input")
    cols = F.unfold(x, (kh, kw), dilation=dilation, stride=stride)       # (N, C*kh*kw, oh*ow)
    cols = cols.view(n, groups, c_per_group * kh * kw, oh * ow)
    w_g = weight.reshape(groups, out_channels // groups, c_per_group * kh * kw)
    out = torch.einsum("gok,ngkl->ngol", w_g, cols).reshape(n, out_channels, oh, ow)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out
