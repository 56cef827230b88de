"""Attack (8, evasion by another door): reach the built-in through torch.ops.aten.convolution
and torch._C._VariableFunctions.conv2d instead of F.conv2d (alternating by input shape),
hoping the recorder only knows the public name. Correct values. Expected: recorded as
aten.convolution (or flagged): no unflagged points."""
import torch


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    if input.shape[-1] % 2:
        return torch.ops.aten.convolution.default(input, weight, bias, [stride] * 2, [padding] * 2,
                                                  [dilation] * 2, False, [0, 0], groups)
    return torch._C._VariableFunctions.conv2d(input, weight, bias, stride, padding, dilation, groups)
