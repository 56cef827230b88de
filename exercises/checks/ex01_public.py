"""ex01 public checks: a handful of configurations, shipped with the exercise.

Run them with `course check ex01`. The hidden checks (graded by your instructor) cover many
more shapes, dims, reductions and ignored targets, inputs of magnitude 1e4, gradients in
float32, coinciding points, errors, inputs left unchanged and speed.
"""
import pytest
from ex01_broadcast import BROADCAST_PUBLIC, BROADCAST_PUBLIC_IDS, check_broadcast
from ex01_spec import (CROSS_ENTROPY, CROSS_ENTROPY_PUBLIC, LARGE_PUBLIC, LOG_SOFTMAX,
                       LOG_SOFTMAX_LARGE, PAIRWISE, PAIRWISE_PUBLIC, SOFTMAX, SOFTMAX_LARGE,
                       SOFTMAX_PUBLIC, cases)

from grader.templates import forward_check, gradient_check


@pytest.mark.devices("cpu")
@pytest.mark.parametrize("shapes", cases(BROADCAST_PUBLIC, 5, BROADCAST_PUBLIC_IDS))
def test_broadcast_shapes(submission, shapes, reveal_expected):
    """broadcast_shapes matches torch.broadcast_shapes (ValueError when incompatible)"""
    check_broadcast(submission, shapes, reveal_expected=reveal_expected)


test_pairwise_sq_dists_forward = forward_check(PAIRWISE, PAIRWISE_PUBLIC, points=3)
test_softmax_forward = forward_check(SOFTMAX, SOFTMAX_PUBLIC, points=2)
test_softmax_large_inputs = forward_check(SOFTMAX_LARGE, LARGE_PUBLIC, points=1)
test_softmax_gradients = gradient_check(SOFTMAX, SOFTMAX_PUBLIC, points=2)
test_log_softmax_forward = forward_check(LOG_SOFTMAX, SOFTMAX_PUBLIC, points=2)
test_log_softmax_large_inputs = forward_check(LOG_SOFTMAX_LARGE, LARGE_PUBLIC, points=1)
test_cross_entropy_forward = forward_check(CROSS_ENTROPY, CROSS_ENTROPY_PUBLIC, points=6)
test_cross_entropy_gradients = gradient_check(CROSS_ENTROPY, CROSS_ENTROPY_PUBLIC, points=3)
