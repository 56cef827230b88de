"""Correct, written differently: zero-pad by hand, then loop over the kernel taps."""
import torch


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    squeeze = input.dim() == 3
    x = input[None] if squeeze else input
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    if c != cg * groups or o % groups:
        raise RuntimeError("channels do not match the weight and groups")
    sh, sw = _pair(stride)
    dh, dw = _pair(dilation)
    if padding == "same":
        if (sh, sw) != (1, 1):
            raise ValueError("'same' needs stride 1")
        th, tw = dh * (kh - 1), dw * (kw - 1)
        top, left = th // 2, tw // 2
        bottom, right = th - top, tw - left
    elif padding == "valid":
        top = bottom = left = right = 0
    elif isinstance(padding, str):
        raise ValueError(f"bad padding {padding}")
    else:
        top, left = _pair(padding)
        bottom, right = top, left
    hp, wp = h + top + bottom, w + left + right
    xp = x.new_zeros(n, c, hp, wp)
    xp[:, :, top:top + h, left:left + w] = x
    oh = (hp - dh * (kh - 1) - 1) // sh + 1
    ow = (wp - dw * (kw - 1) - 1) // sw + 1
    og = o // groups
    outs = []
    for g in range(groups):
        xg = xp[:, g * cg:(g + 1) * cg]
        wg = weight[g * og:(g + 1) * og]
        acc = x.new_zeros(n, og, oh, ow)
        for p in range(kh):
            for q in range(kw):
                patch = xg[:, :, p * dh: p * dh + sh * (oh - 1) + 1: sh,
                              q * dw: q * dw + sw * (ow - 1) + 1: sw]
                acc = acc + torch.einsum("nchw,oc->nohw", patch, wg[:, :, p, q])
        outs.append(acc)
    out = torch.cat(outs, 1)
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out[0] if squeeze else out
