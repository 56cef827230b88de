import time


def conv2d(*args, **kwargs):
    time.sleep(10**6)
