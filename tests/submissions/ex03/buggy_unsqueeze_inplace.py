"""Bug: makes an unbatched input batched with unsqueeze_, changing the caller's tensor."""
import torch
import torch.nn.functional as F


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    squeeze = input.dim() == 3
    if squeeze:
        input.unsqueeze_(0)
    x = input
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    if c != cg * groups or o % groups:
        raise RuntimeError("channels do not match the weight and groups")
    s, d = _pair(stride), _pair(dilation)
    if padding == "same":
        if s != (1, 1):
            raise ValueError("padding='same' needs stride 1")
        th, tw = d[0] * (kh - 1), d[1] * (kw - 1)
        pad = (tw // 2, tw - tw // 2, th // 2, th - th // 2)
    elif padding == "valid":
        pad = (0, 0, 0, 0)
    elif isinstance(padding, str):
        raise ValueError(f"unknown padding {padding!r}")
    else:
        ph, pw = _pair(padding)
        pad = (pw, pw, ph, ph)
    x = F.pad(x, pad)
    oh = (x.shape[2] - d[0] * (kh - 1) - 1) // s[0] + 1
    ow = (x.shape[3] - d[1] * (kw - 1) - 1) // s[1] + 1
    cols = F.unfold(x, (kh, kw), dilation=d, stride=s).view(n, groups, cg * kh * kw, oh * ow)
    wg = weight.reshape(groups, o // groups, cg * kh * kw)
    out = torch.einsum("gok,ngkl->ngol", wg, cols).reshape(n, o, oh, ow)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out[0] if squeeze else out
