"""Attack (5, resource abuse): a memory bomb spread over processes so that no single one is
over any per-process limit -- six forked children each touch 450 MB (2.7 GB in all, five
times the course's 512 MB) and sleep -- while the call waits, then returns zeros. Expected:
a watchdog that sums the worker's processes stops it ("memory" in the message), 0 points,
no child left."""
import ctypes
import os
import time

import torch


def _child():
    try:
        ctypes.CDLL(None).prctl(15, b"rtmark-membomb", 0, 0, 0)
        hog = b"\x01" * (450 << 20)  # touched, not just reserved
        time.sleep(20)
        del hog
    finally:
        os._exit(0)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    for _ in range(6):
        if os.fork() == 0:
            _child()
    time.sleep(2.2)
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
