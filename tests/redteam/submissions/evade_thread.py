"""Attack (8, evasion): call F.conv2d from a worker thread -- torch's function and dispatch
modes are per thread, so a recorder installed in the calling thread sees nothing. The pool's
thread is started at import, before any call is recorded, and reused by every call.
Correct values. Expected: the op is recorded in the thread too (or the evasion is
flagged): 0 points."""
from concurrent.futures import ThreadPoolExecutor

import torch.nn.functional as F

POOL = ThreadPoolExecutor(max_workers=1)
POOL.submit(int).result()  # the thread exists before the first call


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return POOL.submit(F.conv2d, input, weight, bias, stride, padding, dilation, groups).result()
