"""ex02 public checks: a handful of configurations, shipped with the exercise.

Run them with `course check ex02`. The hidden checks (graded by your instructor) cover more
shapes (1-D and 4-D inputs, bias omitted), gradients in float32, whole Jacobians, a small
network, more functions and step sizes for numerical_gradient, inputs left unchanged, and
more training runs (float32, positional arguments, one step, the returned types).
"""
import pytest
from ex02_checks import (check_logistic_values, check_numerical_gradient, function_forward_check,
                         function_gradient_check, params)
from ex02_spec import LINEAR, LINEAR_PUBLIC, LOGISTIC_PUBLIC, NUMGRAD_PUBLIC, SIGMOID, SIGMOID_PUBLIC


test_linear_function_forward = function_forward_check(LINEAR, LINEAR_PUBLIC, points=4)
test_linear_function_backward = function_gradient_check(LINEAR, LINEAR_PUBLIC, points=4)
test_sigmoid_function_forward = function_forward_check(SIGMOID, SIGMOID_PUBLIC, points=3)
test_sigmoid_function_backward = function_gradient_check(SIGMOID, SIGMOID_PUBLIC, points=3)


@pytest.mark.parametrize("case", params([(c,) for c in NUMGRAD_PUBLIC], 5, [c.id for c in NUMGRAD_PUBLIC]))
def test_numerical_gradient(submission, case, reveal_expected):
    """numerical_gradient matches central differences"""
    check_numerical_gradient(submission, case, reveal_expected)


@pytest.mark.parametrize("case", params([(c,) for c in LOGISTIC_PUBLIC], 6, [c.id for c in LOGISTIC_PUBLIC]))
def test_fit_logistic_regression(submission, case, reveal_expected):
    """fit_logistic_regression follows full-batch gradient descent from zeros"""
    check_logistic_values(submission, case, reveal_expected)
