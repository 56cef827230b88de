"""Attack (5, resource abuse): fill the disk -- ignore SIGXFSZ, write 64 MB blocks into
files in the working folder, moving to a new file whenever the per-file size limit says
EFBIG, up to 2 GB (its own bound) or 2.5 s. Reports what it wrote ("RT-DISK wrote N").
Expected: a size-capped private /tmp stops it far below 1 GB, 0 points, nothing outside
scratch."""
import errno
import os
import signal
import time

BLOCK = b"\0" * (64 << 20)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    written, index, end = 0, 0, time.monotonic() + 2.5
    fd = os.open(f"fill-{index}.bin", os.O_WRONLY | os.O_CREAT, 0o600)
    while written < 2 << 30 and time.monotonic() < end:
        try:
            written += os.write(fd, BLOCK)
        except OSError as e:
            if e.errno != errno.EFBIG:
                break
            os.close(fd)
            index += 1
            fd = os.open(f"fill-{index}.bin", os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    raise RuntimeError(f"RT-DISK wrote {written}")
