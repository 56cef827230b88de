"""ex04 public checks: a handful of configurations, shipped with the exercise.

Run them with `course check ex04`. The hidden checks (graded by your instructor) cover many
more configurations, gradients in float32, indices, errors and unmodified inputs.
"""
from ex04_spec import (AVG_POOL2D, MAX_POOL2D, PUBLIC_AVG_SAMPLES, PUBLIC_INDEX_SAMPLES,
                       PUBLIC_MAX_SAMPLES, indices_check)

from grader.templates import forward_check, gradient_check

test_max_pool2d_forward = forward_check(MAX_POOL2D, PUBLIC_MAX_SAMPLES, points=4)
test_avg_pool2d_forward = forward_check(AVG_POOL2D, PUBLIC_AVG_SAMPLES, points=4)
test_max_pool2d_indices = indices_check(PUBLIC_INDEX_SAMPLES, points=3)
test_max_pool2d_gradients = gradient_check(MAX_POOL2D, PUBLIC_MAX_SAMPLES, points=2)
test_avg_pool2d_gradients = gradient_check(AVG_POOL2D, PUBLIC_AVG_SAMPLES, points=2)
