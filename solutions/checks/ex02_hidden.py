"""ex02 hidden checks: shapes and branches of both Functions, float32 gradients, whole
Jacobians, a small network, numerical_gradient on several functions and step sizes, and
logistic regression runs that make lr, steps, the bias and the loss's reduction matter.

Every gradient check also requires that the hand-written backward ran and used no autograd.
"""
import pytest
import torch
from ex02_checks import (call_driver, check_logistic_types, check_logistic_uses_autograd,
                         check_logistic_values, check_mlp, check_numerical_gradient,
                         function_forward_check, function_gradient_check, function_jacobian_check,
                         params)
from ex02_spec import LINEAR, SIGMOID, GradCase, LogisticCase

from grader.outcomes import CheckFailure
from grader.spec import Sample, T

LINEAR_HIDDEN = [
    Sample("square_weight", (T(3, 4), T(4, 4), T(4)), hint="weight is (out, in): x @ weight.T"),
    Sample("bias_omitted", (T(4, 2), T(3, 2)),
           hint="apply(x, weight) without a bias: bias defaults to None"),
    Sample("vector_input", (T(4), T(3, 4), T(3)), hint="a 1-D x of shape (in,) gives (out,)"),
    Sample("4d_input", (T(2, 2, 3, 5), T(2, 5), T(2)),
           hint="x (*, in): sum grad_weight and grad_bias over every leading dimension"),
    Sample("single_row", (T(1, 6), T(1, 6), T(1))),
    Sample("wide_bias_none", (T(6, 2, low=-3, high=3), T(7, 2), None)),
    Sample("3d_bias_none", (T(2, 3, 4), T(2, 4), None)),
]
SIGMOID_HIDDEN = [
    Sample("large_magnitude", (T(4, 6, low=-800, high=800),),
           hint="1 / (1 + exp(-x)) is safe (1 / inf = 0); exp(x) / (1 + exp(x)) gives inf / inf"),
    Sample("large_positive", (T(6, low=80, high=120),),
           hint="exp(x) overflows in float32 for x > 88.7: compute 1 / (1 + exp(-x))"),
    Sample("3d", (T(2, 3, 4),)),
    Sample("scalar", (T(),), hint="a 0-d tensor in, a 0-d tensor out"),
    Sample("near_zero", (T(5, low=-1e-3, high=1e-3),)),
    Sample("wide_range", (T(8, low=-20, high=20),)),
]

test_linear_function_forward_hidden = function_forward_check(LINEAR, LINEAR_HIDDEN, points=6)
test_linear_function_backward_hidden = function_gradient_check(LINEAR, LINEAR_HIDDEN, points=10,
                                                               dtypes=("float32", "float64"))
test_linear_function_jacobian = function_jacobian_check(
    LINEAR, [Sample("batch", (T(2, 3), T(2, 3), T(2))), Sample("vector", (T(3), T(2, 3), T(2)))],
    points=4)
test_sigmoid_function_forward_hidden = function_forward_check(SIGMOID, SIGMOID_HIDDEN, points=4)
test_sigmoid_function_backward_hidden = function_gradient_check(SIGMOID, SIGMOID_HIDDEN, points=5,
                                                                dtypes=("float32", "float64"))
test_sigmoid_function_jacobian = function_jacobian_check(
    SIGMOID, [Sample("matrix", (T(2, 3, low=-5, high=5),))], points=2)


@pytest.mark.parametrize("dtype", params([(torch.float32,), (torch.float64,)], 5, ["float32", "float64"]))
def test_two_layer_network(submission, dtype, reveal_expected):
    """Linear(Sigmoid(Linear(x))) built from both Functions: output and all four gradients"""
    check_mlp(submission, dtype, reveal_expected)


# ----------------------------------------------------------------- numerical_gradient
EXACT_EPS = [
    GradCase("sin_matrix", "sin_weighted", (3, 4), eps=1e-2),
    GradCase("cubic_product_3d", "cubic_plus_product", (2, 2, 2), eps=1e-2),
    GradCase("log_sum_exp", "log_sum_exp", (6,), eps=1e-2),
    GradCase("distance", "distance", (3, 3), eps=1e-2),
    GradCase("softplus_matrix", "softplus_mean", (4, 3), eps=5e-2),
    GradCase("quadratic_positional_eps", "quadratic_form", (5,), eps=1e-3, positional=True,
             hint="eps is the third positional parameter"),
    GradCase("sin_small_eps", "sin_weighted", (2, 3), eps=1e-4),
]
DEFAULT_EPS = [
    GradCase("default_log_sum_exp", "log_sum_exp", (2, 3)),
    GradCase("default_distance", "distance", (4,)),
    GradCase("default_softplus", "softplus_mean", (3, 2)),
]


@pytest.mark.parametrize("case", params([(c,) for c in EXACT_EPS], 8, [c.id for c in EXACT_EPS]))
def test_numerical_gradient_hidden(submission, case, reveal_expected):
    """numerical_gradient is the central difference with the given eps"""
    check_numerical_gradient(submission, case, reveal_expected)


@pytest.mark.parametrize("case", params([(c,) for c in DEFAULT_EPS], 5, [c.id for c in DEFAULT_EPS]))
def test_numerical_gradient_default_eps(submission, case, reveal_expected):
    """with the default eps, numerical_gradient is close to the exact gradient"""
    check_numerical_gradient(submission, case, reveal_expected)


@pytest.mark.parametrize("case", params([(c,) for c in EXACT_EPS[:2]], 3, [c.id for c in EXACT_EPS[:2]]))
def test_numerical_gradient_leaves_x_unchanged(submission, case):
    """numerical_gradient leaves x as it found it"""
    reply = call_driver(submission, "ex02_numerical_gradient", "numerical_gradient", **case.request())
    before, after = case.inputs()[0], reply.get("x_after")
    if not isinstance(after, torch.Tensor) or not torch.allclose(after, before, rtol=1e-12, atol=1e-15):
        raise CheckFailure("numerical_gradient changed its input x: perturb a copy (x.clone()), or "
                           "put every perturbed entry back to its saved value")


# ----------------------------------------------------------------- logistic regression
FLOAT64_RUNS = [
    LogisticCase("defaults", 60, 5),
    LogisticCase("one_feature_lr1", 25, 1, {"lr": 1.0, "steps": 15}),
    LogisticCase("single_step", 16, 4, {"lr": 0.3, "steps": 1}),
    LogisticCase("positional_args", 30, 2, args=(2.0, 10)),
    LogisticCase("biased_labels", 50, 3, {"lr": 0.5, "steps": 40}, offset=2.0),
    LogisticCase("large_lr", 40, 4, {"lr": 3.0, "steps": 25}),
]
FLOAT32_RUNS = [
    LogisticCase("float32", 50, 4, {"lr": 0.8, "steps": 40}, dtype="float32"),
    LogisticCase("float32_defaults", 30, 2, dtype="float32"),
]


@pytest.mark.parametrize("case", params([(c,) for c in FLOAT64_RUNS], 14, [c.id for c in FLOAT64_RUNS]))
def test_fit_logistic_regression_hidden(submission, case, reveal_expected):
    """fit_logistic_regression follows full-batch gradient descent from zeros"""
    check_logistic_values(submission, case, reveal_expected)


@pytest.mark.parametrize("case", params([(c,) for c in FLOAT32_RUNS], 3, [c.id for c in FLOAT32_RUNS]))
def test_fit_logistic_regression_float32(submission, case, reveal_expected):
    """fit_logistic_regression on float32 data"""
    check_logistic_values(submission, case, reveal_expected)


@pytest.mark.parametrize("case", params([(c,) for c in FLOAT32_RUNS[:1] + FLOAT64_RUNS[1:2]], 3,
                                        ["float32", "float64"]))
def test_fit_logistic_regression_returns(submission, case):
    """fit_logistic_regression returns w (D,), a 0-d b (detached, x's dtype) and a list of floats"""
    check_logistic_types(submission, case)


@pytest.mark.points(3)
def test_fit_logistic_regression_uses_autograd(submission):
    """fit_logistic_regression gets its gradients from autograd"""
    check_logistic_uses_autograd(submission, FLOAT64_RUNS[1])
