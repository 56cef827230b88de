"""Attack (8, evasion): run F.conv2d inside torch._C._DisableTorchDispatch() and
torch._C.DisableTorchFunction(), which switch the recorders' modes off for the call.
Correct values. Expected: flagged (the names are plain in the source; the gradient's
backward still runs under the recorder): no unflagged points."""
import torch
import torch.nn.functional as F


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    with torch._C._DisableTorchDispatch(), torch._C.DisableTorchFunction():
        return F.conv2d(input, weight, bias, stride, padding, dilation, groups)
