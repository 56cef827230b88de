"""Attack (8, evasion outside torch): compute the convolution with scipy.signal.correlate2d
(or, without scipy, numpy's sliding windows and np.convolve) and its gradients the same
way in a custom autograd.Function: no torch op at all for the recorder to see. Correct
values and gradients. Expected: flagged by the source scan: no unflagged points."""
import numpy as np
import torch

try:
    from scipy.signal import convolve2d, correlate2d
except ImportError:  # the same with numpy alone
    def correlate2d(a, k, mode="valid"):
        if mode == "full":
            a = np.pad(a, [(k.shape[0] - 1,) * 2, (k.shape[1] - 1,) * 2])
        windows = np.lib.stride_tricks.sliding_window_view(a, k.shape)
        return np.einsum("ijkl,kl->ij", windows, k)

    def convolve2d(a, k, mode="valid"):
        return correlate2d(a, k[::-1, ::-1], mode)


def _forward(x, w):
    n, c = x.shape[:2]
    o = w.shape[0]
    return np.stack([np.stack([sum(correlate2d(x[i, j], w[k, j], "valid") for j in range(c))
                               for k in range(o)]) for i in range(n)])


class _Conv(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return torch.from_numpy(_forward(x.detach().numpy(), w.detach().numpy())).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        dtype = g.dtype
        x, w = (t.detach().numpy() for t in ctx.saved_tensors)
        g = g.detach().numpy()
        gx = np.stack([np.stack([sum(convolve2d(g[i, k], w[k, j], "full") for k in range(w.shape[0]))
                                 for j in range(x.shape[1])]) for i in range(x.shape[0])])
        gw = np.stack([np.stack([sum(correlate2d(x[i, j], g[i, k], "valid") for i in range(x.shape[0]))
                                 for j in range(x.shape[1])]) for k in range(w.shape[0])])
        return torch.from_numpy(gx).to(dtype), torch.from_numpy(gw).to(dtype)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    out = _Conv.apply(input, weight)
    if np.convolve([1.0], [1.0])[0] != 1.0:  # np.convolve: the 1-D door, kept for the scan
        raise RuntimeError("numpy is broken")
    return out if bias is None else out + bias.view(1, -1, 1, 1)
