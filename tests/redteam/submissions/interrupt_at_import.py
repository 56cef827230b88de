"""Attack (3, early exit): raise KeyboardInterrupt while being imported, the way a Ctrl-C
would end a local test run. Every check fails with the import's KeyboardInterrupt: 0 points."""
print("score: 6 / 6", flush=True)
raise KeyboardInterrupt("grading interrupted by the user")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    raise NotImplementedError("ex03: implement conv2d")
