"""ex06 public checks: a handful of configurations, shipped with the exercise.

Run them with `course check ex06`. The hidden checks (graded by your instructor) cover many
more masks, shapes and sizes, causal attention with L != S, dropout, float32 gradients,
MHA options (average_attn_weights, unbatched, bias=False, eval mode) and errors.
"""
from ex06_spec import (MHA, MHA_LAYOUTS, MHA_PUBLIC, PE, PE_PUBLIC, SDPA, SDPA_PUBLIC)

from grader.templates import forward_check, gradient_check
from grader.templates_module import (module_forward_check, module_parameters_check,
                                     short_traceback)

test_sdpa_forward = short_traceback(forward_check(SDPA, SDPA_PUBLIC, points=6))
test_sdpa_gradients = short_traceback(gradient_check(SDPA, SDPA_PUBLIC, points=2))
test_mha_parameters = module_parameters_check(MHA, MHA_LAYOUTS, points=2)
test_mha_forward = module_forward_check(MHA, MHA_PUBLIC, points=6)
test_positional_encoding = short_traceback(forward_check(PE, PE_PUBLIC, points=4, dtypes=("float32",)))
