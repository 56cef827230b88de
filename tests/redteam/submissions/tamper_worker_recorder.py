"""Attack (1/8, tampering with the grader's worker side): the worker runs the grader's own
recorder in the submission's process, so patch it -- Recording.hits returns nothing,
_Hits.note and graph_ops do nothing -- then delegate to F.conv2d. Nothing recorded in the
worker can be trusted; expected: the trusted side flags it (source evidence) and it earns
no more than a flagged delegation."""
import torch.nn.functional as F

try:
    from grader.sandbox import oprecorder
    from grader.sandbox.drivers import core

    oprecorder.Recording.hits = lambda self: []
    oprecorder._Hits.note = lambda self, *args, **kwargs: None
    oprecorder.graph_ops = lambda outputs: []
    core.graph_ops = lambda outputs: []
except Exception:
    pass


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return F.conv2d(input, weight, bias, stride, padding, dilation, groups)
