def conv2d(*args, **kwargs):
    while True:
        pass
