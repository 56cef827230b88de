"""ex05 hidden checks: many sizes, both dtypes, gradients through time, init, errors.

Sizes make every mistake visible: input_size != hidden_size (a transposed weight fails),
batch sizes 1 and > 1, unbatched inputs, bias=False, states in [-2, 2] so the forget and
update gates matter. Two GRU misconceptions that need a cell written out live here, not
in the public spec.
"""
import dataclasses
import math

import torch
from ex05_spec import (GRU_CELL, LAYOUTS, LSTM_CELL, RUN_LSTM, gru_sample, lstm_sample,
                       seq_sample)

from grader.modulespec import ModuleSample
from grader.spec import Misconception, T
from grader.templates_module import (module_error_check, module_forward_check,
                                     module_gradient_check, module_init_check,
                                     module_inplace_check, module_parameters_check)


def _gru_by_hand(cell, x, hx=None, *, reset_inside=False, keep_new=False):
    h = torch.zeros(*x.shape[:-1], cell.hidden_size, dtype=x.dtype) if hx is None else hx
    w_ir, w_iz, w_in = cell.weight_ih.chunk(3)
    w_hr, w_hz, w_hn = cell.weight_hh.chunk(3)
    zero = torch.zeros(3 * cell.hidden_size, dtype=x.dtype)
    b_ir, b_iz, b_in = (cell.bias_ih if cell.bias else zero).chunk(3)
    b_hr, b_hz, b_hn = (cell.bias_hh if cell.bias else zero).chunk(3)
    r = torch.sigmoid(x @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
    z = torch.sigmoid(x @ w_iz.T + b_iz + h @ w_hz.T + b_hz)
    hidden = (r * h) @ w_hn.T + b_hn if reset_inside else r * (h @ w_hn.T + b_hn)
    n = torch.tanh(x @ w_in.T + b_in + hidden)
    return n if keep_new else (1 - z) * n + z * h


GRU_HIDDEN = dataclasses.replace(GRU_CELL, misconceptions=GRU_CELL.misconceptions + (
    Misconception("reset gate applied before the hidden matmul",
                  lambda m, *a, **k: _gru_by_hand(m, *a, **k, reset_inside=True),
                  "that is the original paper's GRU; PyTorch computes "
                  "n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)): r multiplies AFTER the matmul"),
    Misconception("returned n instead of h'", lambda m, *a, **k: _gru_by_hand(m, *a, **k, keep_new=True),
                  "the new state mixes n and the old h: h' = (1 - z) * n + z * h"),
))

LSTM_HIDDEN = [
    lstm_sample("in7_h6_n5", (7, 6), 5),
    lstm_sample("batch1", (3, 4), 1),
    lstm_sample("input1_hidden1", (1, 1), 4),
    lstm_sample("wide_state", (5, 3), 4, low=-2.0, high=2.0,
                hint="c' = f * c + i * g: the forget gate scales the OLD cell state"),
    lstm_sample("unbatched_hx_none", (5, 4), None, hx=False,
                hint="unbatched with hx=None: zeros of shape (H,), outputs of shape (H,)"),
    lstm_sample("no_bias_unbatched", (3, 5), None, bias=False),
    lstm_sample("hidden_bigger", (2, 9), 3, low=-2.0, high=2.0),
]
GRU_SAMPLES = [
    gru_sample("in7_h6_n5", (7, 6), 5),
    gru_sample("batch1", (3, 4), 1),
    gru_sample("input1_hidden1", (1, 1), 4),
    gru_sample("wide_state", (5, 3), 4, low=-2.0, high=2.0,
               hint="h' = (1 - z) * n + z * h: z keeps the OLD state"),
    gru_sample("unbatched_hx_none", (5, 4), None, hx=False),
    gru_sample("no_bias_unbatched", (3, 5), None, bias=False),
    gru_sample("hidden_bigger", (2, 9), 3, low=-2.0, high=2.0),
]
SEQ_SAMPLES = [
    seq_sample("seq6", (3, 4), 6, 2, low=-2.0, high=2.0),
    seq_sample("one_step", (4, 3), 1, 3),
    seq_sample("batch1", (2, 5), 5, 1),
    seq_sample("no_bias", (3, 3), 4, 2, bias=False),
    seq_sample("long_no_hx", (2, 4), 9, 2, hx=False),
]
ERRORS = [
    ModuleSample("input_3d", (T(2, 3, 4),), init=(4, 5), hint="a 3-D input is neither batched nor unbatched"),
    ModuleSample("wrong_input_size", (T(3, 6),), init=(4, 5),
                 hint="the input has 6 features, the cell was built for input_size=4"),
]
INIT = ModuleSample("init_20_32", init=(20, 32))
LAYOUTS_HIDDEN = LAYOUTS + [ModuleSample("hidden1", init=(6, 1)),
                            ModuleSample("positional_bias", init=(2, 7, False))]


def _uniform_bounds(reference):
    return {name: 1 / math.sqrt(reference.hidden_size) for name, _ in reference.named_parameters()}


INIT_HINT = "initialise every parameter with nn.init.uniform_(p, -k, k), k = 1 / sqrt(hidden_size)"

test_lstm_cell_parameters_hidden = module_parameters_check(LSTM_CELL, LAYOUTS_HIDDEN, points=2)
test_gru_cell_parameters_hidden = module_parameters_check(GRU_CELL, LAYOUTS_HIDDEN, points=2)

test_lstm_cell_init = module_init_check(LSTM_CELL, INIT, bounds=_uniform_bounds, points=2, hint=INIT_HINT)
test_gru_cell_init = module_init_check(GRU_CELL, INIT, bounds=_uniform_bounds, points=2, hint=INIT_HINT)

test_lstm_cell_forward_hidden = module_forward_check(LSTM_CELL, LSTM_HIDDEN, points=14)
test_lstm_cell_gradients_hidden = module_gradient_check(LSTM_CELL, LSTM_HIDDEN, points=8,
                                                        dtypes=("float32", "float64"))
test_gru_cell_forward_hidden = module_forward_check(GRU_HIDDEN, GRU_SAMPLES, points=14)
test_gru_cell_gradients_hidden = module_gradient_check(GRU_CELL, GRU_SAMPLES, points=8,
                                                       dtypes=("float32", "float64"))
test_run_lstm_forward_hidden = module_forward_check(RUN_LSTM, SEQ_SAMPLES, points=12)
test_run_lstm_gradients_through_time = module_gradient_check(RUN_LSTM, SEQ_SAMPLES, points=10,
                                                             dtypes=("float32", "float64"))

test_lstm_cell_errors = module_error_check(LSTM_CELL, ERRORS, points=2)
test_gru_cell_errors = module_error_check(GRU_CELL, ERRORS, points=2)
test_lstm_cell_inputs_unchanged = module_inplace_check(LSTM_CELL, LSTM_HIDDEN[:1], points=1)
test_run_lstm_inputs_unchanged = module_inplace_check(RUN_LSTM, SEQ_SAMPLES[:1], points=1)
