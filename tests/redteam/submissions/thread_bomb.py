"""Attack (5, resource abuse): a thread bomb that stops itself at 2000 threads (or 2.5 s),
with small stacks so that the address-space limit does not stop it first; each thread
sleeps 30 s. Reports how many it made ("RT-THREADS made N"). Expected: a limit stops it,
the call ends within its time limit, 0 points."""
import threading
import time


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    threading.stack_size(64 << 10)
    made, end = 0, time.monotonic() + 2.5
    while made < 2000 and time.monotonic() < end:
        try:
            threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        except (RuntimeError, MemoryError, OSError):
            break
        made += 1
    raise RuntimeError(f"RT-THREADS made {made}")
