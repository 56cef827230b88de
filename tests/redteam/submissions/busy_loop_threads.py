"""Attack (5, resource abuse): spin four busy threads and the calling thread forever in
every call (a busy infinite loop that also holds the GIL and every core it can get).
Expected: each call killed at its time limit, the exercise's time budget caps the total,
0 points, nothing left running."""
import ctypes
import threading

try:
    ctypes.CDLL(None).prctl(15, b"rtmark-busy", 0, 0, 0)
except Exception:
    pass


def _spin():
    x = 0
    while True:
        x += 1


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    for _ in range(4):
        threading.Thread(target=_spin, daemon=True).start()
    _spin()
