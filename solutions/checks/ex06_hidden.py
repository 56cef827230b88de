"""ex06 hidden checks: masks of both kinds and polarities, causal with L != S, scales, batch
dims, stability, dropout, MHA options, gradients, errors, the positional encoding's shapes.

Dropout is checked statistically: with constant scores every weight is 1/S, so the output
of all-ones values is (kept keys) / (S (1 - p)): mean 1, std sqrt(p / ((1 - p) S)).
"""
import dataclasses

import pytest
import torch
from ex06_spec import (MHA, MHA_LAYOUTS, MHA_PUBLIC, PE, SDPA, SDPA_PUBLIC, Additive, Forbid,
                       Keep, Padding, qkv)

from grader.modulespec import ModuleSample
from grader.compare import describe_value
from grader.outcomes import CheckFailure
from grader.spec import Sample, T
from grader.templates import error_check, forward_check, gradient_check, inplace_check
from grader.templates_module import (module_error_check, module_forward_check,
                                     module_gradient_check, module_parameters_check, run_module,
                                     short_traceback)

SDPA_HIDDEN = [
    Sample("causal_L3_S6", qkv((2,), 3, 6, 8, 4), {"is_causal": True},
           hint="the causal mask is aligned top-left: query i sees keys 0..i even when L < S"),
    Sample("causal_L6_S3", qkv((2,), 6, 3, 8, 4), {"is_causal": True},
           hint="the causal mask is aligned top-left: queries i >= S see every key"),
    Sample("causal_4d", qkv((2, 2), 5, 5, 4), {"is_causal": True}),
    Sample("mask_per_head", qkv((2, 3), 4, 6, 8, 5), {"attn_mask": Keep(2, 3, 4, 6, high=0.5)}),
    Sample("mask_broadcast_batch", qkv((2, 3), 4, 6, 8), {"attn_mask": Keep(3, 4, 6, high=0.4)}),
    Sample("float_mask_with_inf", qkv((3,), 4, 6, 8), {"attn_mask": Additive(4, 6, low=-1.0, high=1.0)},
           hint="a float mask may hold -inf: add it, the softmax then gives those keys weight 0"),
    Sample("float_mask_full", qkv((2, 2), 3, 5, 4), {"attn_mask": Additive(2, 2, 3, 5, low=-2.0, high=2.0)}),
    Sample("unbatched", qkv((), 4, 6, 8, 3), hint="2-D query (L, E) has no batch dimension"),
    Sample("five_dims", qkv((2, 2, 2), 3, 5, 4), {"attn_mask": Keep(3, 5, high=0.6)},
           hint="any number of leading batch dimensions"),
    Sample("scale_with_mask", qkv((2,), 4, 6, 8), {"attn_mask": Keep(4, 6, high=0.5), "scale": 0.5}),
    Sample("scale_zero", qkv((2,), 3, 5, 4), {"scale": 0.0},
           hint="scale=0.0 is a given scale (uniform weights): test `scale is None`, not `not scale`"),
    Sample("single_key", qkv((2,), 3, 1, 4, 6)),
    Sample("causal_single_query", qkv((2,), 1, 4, 4), {"is_causal": True}),
    Sample("big_logits", qkv((2,), 4, 5, 16, 4, low=5.0, high=10.0), {"attn_mask": Keep(4, 5, high=0.7)},
           hint="scores reach 100-400 and exp overflows float32: subtract each row's max before "
                "exp (torch.softmax does)", grad=False),
]
SDPA_ERRORS = [
    Sample("mask_and_causal", qkv((2,), 3, 3, 4), {"attn_mask": Keep(3, 3), "is_causal": True},
           hint="attn_mask and is_causal=True together are an error"),
    Sample("embed_mismatch", (T(2, 3, 4), T(2, 5, 6), T(2, 5, 6)), hint="query and key differ in E"),
    Sample("source_mismatch", (T(2, 3, 4), T(2, 5, 4), T(2, 4, 4)), hint="key has S = 5 rows, value 4"),
]

N, H, L, S = 2, 2, 4, 6
MHA_HIDDEN = [
    ModuleSample("weights_per_head", (T(L, N, 8), T(S, N, 8), T(S, N, 8)), {"average_attn_weights": False},
                 init=(8, 2), hint="average_attn_weights=False: weights (N, num_heads, L, S)"),
    ModuleSample("unbatched", (T(L, 8), T(S, 8), T(S, 8)), {"key_padding_mask": Padding(S)}, init=(8, 2),
                 hint="unbatched: query (L, E), key_padding_mask (S,), weights (L, S)"),
    ModuleSample("unbatched_per_head", (T(L, 8), T(S, 8), T(S, 8)), {"average_attn_weights": False},
                 init=(8, 4), init_kwargs={"batch_first": True}),
    ModuleSample("float_masks", (T(L, N, 8), T(S, N, 8), T(S, N, 8)),
                 {"key_padding_mask": T(N, S, low=-3.0, high=0.0), "attn_mask": T(L, S, low=-1.0, high=1.0)},
                 init=(8, 2), hint="float masks are added to the scores"),
    ModuleSample("attn_mask_per_head", (T(L, N, 8), T(S, N, 8), T(S, N, 8)),
                 {"attn_mask": Forbid(N * H, L, S, high=0.5), "average_attn_weights": False}, init=(8, H),
                 hint="a 3-D attn_mask is (N * num_heads, L, S): entry n * num_heads + h"),
    ModuleSample("float_mask_per_head", (T(L, N, 8), T(S, N, 8), T(S, N, 8)),
                 {"attn_mask": T(N * H, L, S, low=-2.0, high=2.0)}, init=(8, H)),
    ModuleSample("both_bool_masks", (T(L, 3, 8), T(S, 3, 8), T(S, 3, 8)),
                 {"key_padding_mask": Padding(3, S), "attn_mask": Forbid(L, S, high=0.4)}, init=(8, 2)),
    ModuleSample("batch_first_masks", (T(3, L, 8), T(3, S, 8), T(3, S, 8)),
                 {"key_padding_mask": Padding(3, S), "attn_mask": Forbid(L, S, high=0.3),
                  "average_attn_weights": False}, init=(8, 2), init_kwargs={"batch_first": True}),
    ModuleSample("no_bias", (T(L, N, 8), T(S, N, 8), T(S, N, 8)), init=(8, 2), init_kwargs={"bias": False}),
    ModuleSample("positional_no_bias", (T(L, N, 6), T(S, N, 6), T(S, N, 6)), init=(6, 3, 0.0, False)),
    ModuleSample("one_head", (T(L, N, 6), T(S, N, 6), T(S, N, 6)), init=(6, 1)),
    ModuleSample("head_dim_1", (T(L, N, 4), T(S, N, 4), T(S, N, 4)), init=(4, 4)),
    ModuleSample("eval_dropout", (T(L, N, 8), T(S, N, 8), T(S, N, 8)), init=(8, 2),
                 init_kwargs={"dropout": 0.5}, train=False,
                 hint="in eval mode (module.eval()) dropout does nothing"),
    ModuleSample("big_inputs", (T(5, 2, 16, low=-3.0, high=3.0), T(7, 2, 16, low=-3.0, high=3.0),
                                T(7, 2, 16, low=-3.0, high=3.0)), init=(16, 4)),
    ModuleSample("batch1_no_weights", (T(L, 1, 8), T(S, 1, 8), T(S, 1, 8)), {"need_weights": False},
                 init=(8, 2)),
]
MHA_ERRORS = [
    ModuleSample("embed_not_divisible", (T(4, 2, 10), T(4, 2, 10), T(4, 2, 10)), init=(10, 3),
                 hint="embed_dim=10 cannot be split into 3 heads"),
]
PE_HIDDEN = [
    Sample("one_position", (1, 4), hint="position 0 is (0, 1, 0, 1, ...)"),
    Sample("len50_d16", (50, 16)),
    Sample("len128_d64", (128, 64)),
    Sample("odd_d5", (9, 5)),
    Sample("d_model_1", (7, 1), hint="d_model = 1: one sin column"),
    Sample("d_model_2", (3, 2)),
    Sample("base500", (20, 10), {"base": 500.0}),
]

test_sdpa_forward_hidden = short_traceback(forward_check(SDPA, SDPA_HIDDEN, points=16))
test_sdpa_gradients_hidden = short_traceback(gradient_check(
    SDPA, SDPA_PUBLIC[1:3] + SDPA_HIDDEN[:10], points=8, dtypes=("float32", "float64")))
test_sdpa_errors = short_traceback(error_check(SDPA, SDPA_ERRORS, points=3))
test_sdpa_inputs_unchanged = short_traceback(inplace_check(SDPA, SDPA_PUBLIC[1:3] + SDPA_HIDDEN[:1],
                                                           points=2))

MHA_LAYOUTS_HIDDEN = MHA_LAYOUTS + [
    ModuleSample("one_head", init=(4, 1)),
    ModuleSample("batch_first", init=(6, 2), init_kwargs={"batch_first": True}),
]

test_mha_parameters_hidden = module_parameters_check(MHA, MHA_LAYOUTS_HIDDEN, points=3)
test_mha_forward_hidden = module_forward_check(MHA, MHA_HIDDEN, points=20)
test_mha_gradients_hidden = module_gradient_check(MHA, MHA_PUBLIC[:2] + MHA_HIDDEN[:8], points=10,
                                                  dtypes=("float32", "float64"))
test_mha_errors = module_error_check(MHA, MHA_ERRORS, points=2)

test_positional_encoding_hidden = short_traceback(forward_check(PE, PE_HIDDEN, points=9, dtypes=("float32",)))


@pytest.mark.points(4)
@short_traceback
def test_sdpa_dropout(submission):
    """scaled_dot_product_attention drops attention weights with probability p and rescales"""
    p, keys = 0.5, 20
    query, key = torch.zeros(4, 500, 8), torch.zeros(4, keys, 8)
    value = torch.ones(4, keys, 1)
    out = submission.call("scaled_dot_product_attention", query, key, value, dropout_p=p)
    if not isinstance(out, torch.Tensor) or out.shape != (4, 500, 1):
        raise CheckFailure(f"with dropout_p={p} the output should have shape (4, 500, 1)")
    mean, std = float(out.double().mean()), float(out.double().std())
    expected_std = (p / ((1 - p) * keys)) ** 0.5
    if std < 1e-6:
        raise CheckFailure(f"dropout_p={p} changed nothing: drop each attention weight with "
                           "probability p (F.dropout(weights, p))")
    if abs(mean - 1) > 0.05:
        raise CheckFailure(f"with all-ones values the mean output should stay 1, got {mean:.3f}",
                           hint="dropout must rescale the kept weights by 1 / (1 - p)")
    if not 0.6 * expected_std < std < 1.5 * expected_std:
        raise CheckFailure(f"the output's spread ({std:.3f}) does not fit dropout of the attention "
                           f"weights (about {expected_std:.3f})",
                           hint="apply dropout to the weights after the softmax, not to the scores "
                                "or the output")


@pytest.mark.points(3)
@short_traceback
def test_mha_dropout_in_training(submission):
    """MultiheadAttention applies dropout to the attention weights in training mode only"""
    training = ModuleSample("dropout_train", init=(8, 2), init_kwargs={"dropout": 0.5})
    _, state = MHA.build_reference(training, torch.float64)
    gen = torch.Generator().manual_seed(6)
    x = torch.rand(3, 1, 8, generator=gen, dtype=torch.float64) * 4 - 2
    y = torch.rand(5, 1, 8, generator=gen, dtype=torch.float64) * 4 - 2
    copies = 2000   # the same sequence in every slot, each with its own dropout draw
    args = [x.expand(3, copies, 8).contiguous()] + [y.expand(5, copies, 8).contiguous()] * 2
    outputs = []
    for sample in (training, dataclasses.replace(training, train=False)):
        result = run_module(submission, MHA, sample, torch.float64, state, args, {"need_weights": False})
        out = result.output[0] if isinstance(result.output, (tuple, list)) else result.output
        if not isinstance(out, torch.Tensor) or out.shape != (3, copies, 8):
            raise CheckFailure(f"attn_output should have shape (3, {copies}, 8), got {describe_value(out)}")
        outputs.append(out)
    trained, evaluated = outputs
    if float(evaluated.std(dim=1).max()) > 1e-9:
        raise CheckFailure("in eval mode equal sequences gave different outputs: dropout must be off "
                           "when self.training is False")
    if float(trained.std(dim=1).max()) < 1e-9:
        raise CheckFailure("dropout=0.5 changed nothing in training mode: drop attention weights "
                           "with F.dropout(weights, self.dropout, training=self.training)")
    # 8 standard errors of a mean over 2000 draws
    error = float((trained.mean(dim=1) - evaluated[:, 0]).abs().max())
    if error > 0.2:
        raise CheckFailure(f"averaged over {copies} dropout draws the training-mode output should "
                           f"match the eval-mode output; it is off by {error:.3f}",
                           hint="dropout rescales kept weights by 1 / (1 - p)")
