"""Attack (5, resource abuse): flood stdout and stderr -- 256 MB (its own bound) written
straight to file descriptors 1 and 2 in 4 MB blocks -- then return zeros. Expected: the
calls fail for printing too much, the report keeps a bounded excerpt (<= 8000 characters),
0 points, within the time limits."""
import os

import torch


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    block = (b"conv2d debug: " + b"x" * 80 + b"\n") * (4 << 20 >> 7)
    written = 0
    while written < 256 << 20:
        for fd in (1, 2):
            written += os.write(fd, block)
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
