import sys


def conv2d(*args, **kwargs):
    chunk = "spam " * 20000 + "\n"
    for _ in range(200):  # about 20 MB
        sys.stdout.write(chunk)
    return args[0]
