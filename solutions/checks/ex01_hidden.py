"""ex01 hidden checks: every branch of the five functions, gradients, errors, speed.

Sensitivity by design: shapes are non-square (a wrong dim or a transpose changes the shape),
ignore_index is both -100 and a valid class (0, 1), spatial inputs have 1-3 extra dims,
softmax inputs include slices at very different scales (a global max underflows) and
spreads of 1e4 (log of softmax gives -inf), broadcast shapes include 0 sizes and huge sizes.
"""
import pytest
import torch
import torch.nn.functional as F
from ex01_broadcast import check_broadcast
from ex01_spec import (CROSS_ENTROPY, CROSS_ENTROPY_LARGE, LOG_SOFTMAX, LOG_SOFTMAX_LARGE,
                       MEAN_HINT, PAIRWISE, PAIRWISE_MEDIUM, SOFTMAX, SOFTMAX_LARGE, cases, targets)

from grader.compare import assert_close
from grader.spec import Sample, T
from grader.templates import (error_check, forward_check, gradient_check, inplace_check,
                              performance_check)

# ----------------------------------------------------------------- broadcast_shapes
BROADCAST = {
    "same_shape": ((2, 3), (2, 3)),
    "one_shape": ((4, 1, 2),),
    "no_shapes": (),
    "scalar_shape": ((), (3, 1)),
    "ones_both_sides": ((1, 4, 1), (3, 1, 5)),
    "longer_second": ((5,), (2, 3, 1)),
    "zero_with_one": ((0,), (1,)),
    "zero_kept": ((2, 0, 3), (1, 1, 1)),
    "lists": ([5, 1], (1, 4)),
    "int_and_int": (1, 7),
    "four_shapes": ((1, 2, 1), (6, 1, 1), (1,), 1),
    "huge_sizes": ((70000, 1, 90000), (80000, 1)),
}
BROADCAST_ERRORS = {
    "last_dim_clash": ((2, 3), (2, 4)),
    "zero_vs_three": ((0,), (3,)),
    "inner_clash": ((2, 3, 4), (5, 1, 4)),
    "third_shape_clashes": ((1, 3), (2, 1), (4, 3)),
}


@pytest.mark.devices("cpu")
@pytest.mark.parametrize("shapes", cases(list(BROADCAST.values()), 8, list(BROADCAST)))
def test_broadcast_shapes_hidden(submission, shapes, reveal_expected):
    """broadcast_shapes matches torch.broadcast_shapes"""
    check_broadcast(submission, shapes, reveal_expected=reveal_expected)


@pytest.mark.devices("cpu")
@pytest.mark.parametrize("shapes", cases(list(BROADCAST_ERRORS.values()), 4, list(BROADCAST_ERRORS)))
def test_broadcast_shapes_errors(submission, shapes, reveal_expected):
    """broadcast_shapes raises ValueError for shapes that do not broadcast"""
    check_broadcast(submission, shapes, reveal_expected=reveal_expected)


# ----------------------------------------------------------------- pairwise_sq_dists
PAIRWISE_HIDDEN = [
    Sample("tall", (T(9, 4, low=-2, high=2), T(3, 4, low=-2, high=2))),
    Sample("wide", (T(2, 6), T(7, 6))),
    Sample("single_rows", (T(1, 5), T(1, 5))),
    Sample("d16_square", (T(6, 16), T(6, 16)), hint="out[i, j] pairs x[i] with y[j]"),
    Sample("normal", (T(5, 8, kind="normal", low=0, high=0.6), T(4, 8, kind="normal", low=0, high=0.6))),
]

test_pairwise_sq_dists_forward_hidden = forward_check(PAIRWISE, PAIRWISE_HIDDEN, points=5)
test_pairwise_sq_dists_gradients = gradient_check(PAIRWISE, PAIRWISE_HIDDEN[:4], points=2)
test_pairwise_sq_dists_gradients_float32 = gradient_check(PAIRWISE, PAIRWISE_HIDDEN[3:4], points=1,
                                                          dtypes=("float32",))
test_pairwise_sq_dists_speed = performance_check(
    PAIRWISE, PAIRWISE_MEDIUM, points=3, max_ratio=100, reference="torch.cdist",
    hint="no Python loops over pairs: broadcast x[:, None, :] - y[None, :, :], "
         "or use |x|^2 + |y|^2 - 2 x @ y.T")


@pytest.mark.parametrize("dtype", cases([torch.float32, torch.float64], 2, ["float32", "float64"]))
def test_pairwise_sq_dists_same_points(submission, dtype, reveal_expected):
    """pairwise_sq_dists is (close to) 0 between coinciding points"""
    gen = torch.Generator().manual_seed(11)
    x = (torch.rand(6, 12, generator=gen, dtype=torch.float64) * 4 - 2).to(dtype)
    y = torch.cat([x[[4, 1, 0]], x[[2]] + 0.5])
    out = submission.call("pairwise_sq_dists", x, y)
    assert_close(out, PAIRWISE.expected([x, y], {}), tol=PAIRWISE.tol(submission.device, dtype),
                 dtype=dtype, reveal_expected=reveal_expected)


# ----------------------------------------------------------------- softmax / log_softmax
SOFTMAX_HIDDEN = [
    Sample("middle_dim", (T(3, 4, 5),), {"dim": 1}),
    Sample("negative_dim", (T(2, 5, 4, low=-4, high=4),), {"dim": -2},
           hint="dim=-2 is the second-to-last dimension"),
    Sample("dim0_3d", (T(4, 2, 3),), {"dim": 0}),
    Sample("size1_dim", (T(3, 1),), {"dim": 1}),
    Sample("vector", (T(7, low=-3, high=3),), {"dim": 0}),
    Sample("4d", (T(2, 3, 2, 4),), {"dim": 2}),
    Sample("positional_dim", (T(3, 6), 1)),
]
LARGE_HIDDEN = [
    Sample("offset_plus_1e4", (T(3, 8, low=1e4 - 4, high=1e4 + 4),), {"dim": 1},
           hint="exp(1e4) overflows: subtract the max along dim first"),
    Sample("offset_minus_1e4", (T(4, 5, low=-1e4 - 4, high=-1e4 + 4),), {"dim": -1},
           hint="exp(-1e4) underflows to 0 (0 / 0): subtract the max along dim first"),
    Sample("spread_1e4", (T(5, 6, low=-1e4, high=1e4),), {"dim": 1},
           hint="slices at different scales: subtract each slice's own max"),
    Sample("spread_dim0", (T(6, 3, low=-2e3, high=2e3),), {"dim": 0}),
]

test_softmax_forward_hidden = forward_check(SOFTMAX, SOFTMAX_HIDDEN, points=3)
test_softmax_large_inputs_hidden = forward_check(SOFTMAX_LARGE, LARGE_HIDDEN, points=4)
test_softmax_gradients_hidden = gradient_check(SOFTMAX, SOFTMAX_HIDDEN[:4] + SOFTMAX_HIDDEN[6:],
                                               points=2)
test_softmax_gradients_float32 = gradient_check(SOFTMAX, SOFTMAX_HIDDEN[:1], points=1,
                                                dtypes=("float32",))
test_softmax_large_gradients = gradient_check(SOFTMAX_LARGE, LARGE_HIDDEN[:2], points=1)

test_log_softmax_forward_hidden = forward_check(LOG_SOFTMAX, SOFTMAX_HIDDEN, points=3)
test_log_softmax_large_inputs_hidden = forward_check(LOG_SOFTMAX_LARGE, LARGE_HIDDEN, points=4)
test_log_softmax_gradients_hidden = gradient_check(LOG_SOFTMAX, SOFTMAX_HIDDEN[:4] + SOFTMAX_HIDDEN[6:],
                                                   points=2)
test_log_softmax_gradients_float32 = gradient_check(LOG_SOFTMAX, SOFTMAX_HIDDEN[:1], points=1,
                                                    dtypes=("float32",))
test_log_softmax_large_gradients = gradient_check(LOG_SOFTMAX_LARGE, LARGE_HIDDEN[:3], points=1)


def _masked_input(dtype):
    gen = torch.Generator().manual_seed(5)
    x = (torch.rand(4, 6, generator=gen, dtype=torch.float64) * 6 - 3).to(dtype)
    x[torch.tensor([[i % 2 == 0 and j > i for j in range(6)] for i in range(4)])] = float("-inf")
    return x


@pytest.mark.parametrize("name", cases(["softmax", "log_softmax"], 2, ["softmax", "log_softmax"]))
def test_masked_entries(submission, name, reveal_expected):
    """entries equal to -inf get probability 0 (log-probability -inf)"""
    x = _masked_input(torch.float32)
    out = submission.call(name, x, dim=1)
    reference = {"softmax": F.softmax, "log_softmax": F.log_softmax}[name]
    assert_close(out, reference(x.double(), dim=1), tol=SOFTMAX.tol(submission.device, x.dtype),
                 dtype=x.dtype, what=f"{name} with -inf entries", reveal_expected=reveal_expected)


# ----------------------------------------------------------------- cross_entropy
def _int(*shape, high):
    return T(*shape, kind="int", low=0, high=high)


CROSS_ENTROPY_HIDDEN = [
    Sample("spatial2d_none", (T(2, 4, 3, 5), _int(2, 3, 5, high=4)), {"reduction": "none"}),
    Sample("spatial2d_mean_ignored", (T(2, 4, 3, 3), targets((2, 3, 3), 4, seed=2, ignore=-1)),
           {"ignore_index": -1}, hint=MEAN_HINT),
    Sample("spatial3d_sum", (T(2, 3, 2, 2, 3), _int(2, 2, 2, 3, high=3)), {"reduction": "sum"}),
    Sample("ignore_valid_class", (T(10, 3), targets((10,), 3, seed=3, ignore=1, every=4)),
           {"ignore_index": 1}, hint="ignore_index may be a valid class: those targets count 0"),
    Sample("ignore_class0_sum", (T(9, 4), targets((9,), 4, seed=4, ignore=0)),
           {"reduction": "sum", "ignore_index": 0}),
    Sample("ignored_none", (T(7, 5), targets((7,), 5, seed=5)), {"reduction": "none"},
           hint="an ignored position has loss 0 in reduction='none'"),
    Sample("ignored_spatial_none", (T(2, 3, 4), targets((2, 4), 3, seed=6)), {"reduction": "none"}),
    Sample("all_ignored_mean", (T(4, 3), targets((4,), 3, seed=7, every=1)), {},
           hint="with every target ignored, 'mean' is 0 / 0 = nan", grad=False),
    Sample("all_ignored_sum", (T(4, 3), targets((4,), 3, seed=8, every=1)), {"reduction": "sum"},
           grad=False),
    Sample("single_sample", (T(1, 7, low=-3, high=3), _int(1, high=7))),
    Sample("one_class", (T(5, 1), _int(5, high=1)), {"reduction": "none"}),
    Sample("positional_args", (T(6, 4), targets((6,), 4, seed=9, ignore=2), "mean", 2)),
    Sample("wide_logits", (T(6, 5, low=-30, high=30), _int(6, high=5))),
]
CROSS_ENTROPY_LARGE_HIDDEN = [
    Sample("offset_1e4", (T(5, 4, low=1e4 - 3, high=1e4 + 3), _int(5, high=4))),
    Sample("spread_1e4_none", (T(6, 5, low=-1e4, high=1e4), _int(6, high=5)), {"reduction": "none"}),
    Sample("spatial_offset_minus", (T(2, 3, 4, low=-1e4 - 3, high=-1e4 + 3), _int(2, 4, high=3)),
           {"reduction": "sum"}),
]
CROSS_ENTROPY_ERRORS = [
    Sample("reduction_avg", (T(3, 4), _int(3, high=4)), {"reduction": "avg"},
           hint="reduction must be 'none', 'mean' or 'sum'"),
    Sample("reduction_batchmean", (T(3, 4), _int(3, high=4)), {"reduction": "batchmean"},
           hint="reduction must be 'none', 'mean' or 'sum'"),
]

test_cross_entropy_forward_hidden = forward_check(CROSS_ENTROPY, CROSS_ENTROPY_HIDDEN, points=11)
test_cross_entropy_large_logits = forward_check(CROSS_ENTROPY_LARGE, CROSS_ENTROPY_LARGE_HIDDEN,
                                                points=3)
test_cross_entropy_gradients_hidden = gradient_check(CROSS_ENTROPY, CROSS_ENTROPY_HIDDEN, points=5)
test_cross_entropy_gradients_float32 = gradient_check(CROSS_ENTROPY, CROSS_ENTROPY_HIDDEN[:3], points=1,
                                                      dtypes=("float32",))
test_cross_entropy_errors = error_check(CROSS_ENTROPY, CROSS_ENTROPY_ERRORS, points=2)

# ----------------------------------------------------------------- inputs left alone
test_pairwise_sq_dists_inputs_unchanged = inplace_check(PAIRWISE, PAIRWISE_HIDDEN[:1], points=1)
test_softmax_inputs_unchanged = inplace_check(SOFTMAX, SOFTMAX_HIDDEN[:1], points=1)
test_log_softmax_inputs_unchanged = inplace_check(LOG_SOFTMAX, SOFTMAX_HIDDEN[:1], points=1)
test_cross_entropy_inputs_unchanged = inplace_check(CROSS_ENTROPY, CROSS_ENTROPY_HIDDEN[1:2], points=1)
