"""ex05 public checks: a handful of configurations, shipped with the exercise.

Run them with `course check ex05`. The hidden checks (graded by your instructor) cover many
more sizes, float32 gradients, gradients through time, initialisation, errors and inputs
left unmodified.
"""
from ex05_spec import (GRU_CELL, GRU_PUBLIC, LAYOUTS, LSTM_CELL, LSTM_PUBLIC, RUN_LSTM,
                       RUN_LSTM_PUBLIC)

from grader.templates_module import (module_forward_check, module_gradient_check,
                                     module_parameters_check)

test_lstm_cell_parameters = module_parameters_check(LSTM_CELL, LAYOUTS, points=1)
test_gru_cell_parameters = module_parameters_check(GRU_CELL, LAYOUTS, points=1)
test_lstm_cell_forward = module_forward_check(LSTM_CELL, LSTM_PUBLIC, points=5)
test_gru_cell_forward = module_forward_check(GRU_CELL, GRU_PUBLIC, points=5)
test_run_lstm_forward = module_forward_check(RUN_LSTM, RUN_LSTM_PUBLIC, points=4)
test_lstm_cell_gradients = module_gradient_check(LSTM_CELL, LSTM_PUBLIC[:2], points=2)
test_gru_cell_gradients = module_gradient_check(GRU_CELL, GRU_PUBLIC[:2], points=2)
