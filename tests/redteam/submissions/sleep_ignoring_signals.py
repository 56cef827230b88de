"""Attack (5, resource abuse): a sleeping infinite loop at import that ignores every signal
it may (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1/2, SIGALRM, SIGXCPU): only SIGKILL ends
it. Expected: the import times out once (3 s), every check errors, 0 points, the process
gone afterwards."""
import ctypes
import signal
import time

try:
    ctypes.CDLL(None).prctl(15, b"rtmark-sleeper", 0, 0, 0)
except Exception:
    pass
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
             signal.SIGUSR2, signal.SIGALRM, signal.SIGXCPU):
    signal.signal(_sig, signal.SIG_IGN)
while True:
    time.sleep(0.5)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    raise NotImplementedError("ex03: implement conv2d")
