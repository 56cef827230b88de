"""Attack (5, background processes): leave children behind after the call returns -- a
fresh Python process that sleeps 30 s, and a forked copy of the worker that sleeps 30 s --
both in the worker's session. Expected: gone once grading ends, 0 points."""
import ctypes
import os
import subprocess
import sys
import time

import torch


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "rtmark-child"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.fork() == 0:
        try:
            ctypes.CDLL(None).prctl(15, b"rtmark-child", 0, 0, 0)
            time.sleep(30)
        finally:
            os._exit(0)
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
