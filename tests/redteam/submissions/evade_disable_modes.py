"""Attack (8, evasion): pop every active dispatch mode with
torch.utils._python_dispatch._disable_current_modes() and the function mode with
torch.overrides._pop_mode_temporarily(), then call F.conv2d. Correct values. Expected:
flagged: no unflagged points."""
import torch.nn.functional as F
from torch.overrides import _pop_mode_temporarily
from torch.utils._python_dispatch import _disable_current_modes


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    with _disable_current_modes(), _pop_mode_temporarily():
        return F.conv2d(input, weight, bias, stride, padding, dilation, groups)
