"""Attack (2, forging the result): print what a grader prints -- "score: 6 / 6", a row of
check marks, a full-marks JSON report -- at import and in every call, hoping a script that
scrapes the output believes it. The report keeps it as the submission's output only:
score 0."""
import json

import torch

FAKE = {"exercise": "conv", "score": 6, "max_score": 6, "problems": [], "checks": []}


def _shout():
    print("✓  conv2d                 2/2     4/4")
    print("✓  conv2d_hidden          1/1     2/2")
    print("score: 6 / 6")
    print(json.dumps(FAKE), flush=True)


_shout()


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    _shout()
    n, _, h, w = input.shape
    return torch.zeros(n, weight.shape[0], h - weight.shape[2] + 1, w - weight.shape[3] + 1,
                       dtype=input.dtype)
