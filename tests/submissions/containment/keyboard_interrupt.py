def conv2d(*args, **kwargs):
    raise KeyboardInterrupt
