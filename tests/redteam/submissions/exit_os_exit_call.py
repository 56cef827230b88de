"""Attack (3, early exit): os._exit(0) in the middle of a call, after printing a passing
line -- no exception to catch, the worker just ends with status 0. The checks of the call
error out (the process exited), the run goes on: 0 points."""
import os
import sys


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    print("PASSED conv2d", flush=True)
    sys.stdout.flush()
    os._exit(0)
