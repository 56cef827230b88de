"""Attack (5, resource abuse): a memory bomb that avoids torch and numpy -- anonymous mmap
chunks of 256 MB, every page touched, up to 3 GB (its own bound). Expected: the address-space
limit or the watchdog stops it ("memory" in the message), 0 points."""
import ctypes
import mmap

import torch

CHUNK = 256 << 20


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    held = []
    for _ in range(12):
        block = mmap.mmap(-1, CHUNK)
        ctypes.memset(ctypes.addressof(ctypes.c_char.from_buffer(block)), 1, CHUNK)  # touch every page
        held.append(block)
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
