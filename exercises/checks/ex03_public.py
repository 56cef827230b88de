"""ex03 public checks: a handful of configurations, shipped with the exercise.

Run them with `course check ex03`. The hidden checks (graded by your instructor) cover many
more configurations, gradients in float32, errors and speed.
"""
from ex03_spec import CONV2D, PUBLIC_SAMPLES

from grader.templates import forward_check, gradient_check

test_conv2d_forward = forward_check(CONV2D, PUBLIC_SAMPLES, points=10)
test_conv2d_gradients = gradient_check(CONV2D, PUBLIC_SAMPLES, points=5)
