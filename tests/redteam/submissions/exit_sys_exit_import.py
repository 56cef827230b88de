"""Attack (3, early exit): announce success and sys.exit(0) while being imported, hoping a
grader reads "exited 0" as "all good". Every check fails with the import's SystemExit."""
import sys

print("All checks passed! score: 6 / 6", flush=True)
sys.exit(0)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    raise NotImplementedError("ex03: implement conv2d")
