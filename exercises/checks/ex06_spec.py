"""ex06 declared as data: oracles, mask makers, public samples, misconceptions.

Tolerances: outputs and weights of a softmax are convex combinations of values in [-2, 2],
so float32 round-off stays near 1e-6; atol = rtol = 1e-4 (the defaults) leaves room for any
order of operations, and float64 is held to 1e-9 / 1e-7. Masks never hide every key from
a query (PyTorch's two built-ins disagree there: zeros vs NaN), so every correct softmax
agrees.
"""
from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn

from grader.modulespec import ModuleSample, ModuleSpec
from grader.spec import FunctionSpec, Misconception, Sample, T


class Keep(T):
    """A boolean mask, True with probability ``high``, with one True at least in every row."""

    def make(self, gen, dtype):
        mask = torch.rand(self.shape, generator=gen, dtype=torch.float64) < self.high
        pick = torch.randint(self.shape[-1], (*self.shape[:-1], 1), generator=gen)
        return mask.scatter(-1, pick, True)


class Additive(T):
    """A float mask: uniform in [low, high), -inf where a ``Keep`` mask is False."""

    def make(self, gen, dtype):
        keep = Keep(*self.shape, high=0.7).make(gen, dtype)
        values = torch.rand(self.shape, generator=gen, dtype=torch.float64)
        values = values * (self.high - self.low) + self.low
        return values.masked_fill(~keep, float("-inf")).to(dtype)


class Padding(T):
    """key_padding_mask (N, S) or (S,), True = padded: each sequence keeps its first 1..S keys."""

    def make(self, gen, dtype):
        n, s = self.shape if len(self.shape) == 2 else (1, self.shape[0])
        lengths = torch.randint(1, s + 1, (n, 1), generator=gen)
        lengths[0] = max(1, s - 2)      # at least one padded sequence
        return (torch.arange(s).expand(n, s) >= lengths).reshape(self.shape)


class Forbid(T):
    """attn_mask (L, S) or (B, L, S) for nn.MultiheadAttention, True = not allowed; key 0 always allowed."""

    def make(self, gen, dtype):
        mask = torch.rand(self.shape, generator=gen, dtype=torch.float64) < self.high
        mask[..., 0] = False
        return mask


def _sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask, dropout_p=dropout_p,
                                          is_causal=is_causal, scale=scale)


def _inverted(q, k, v, attn_mask=None, **kw):
    if attn_mask is None or attn_mask.dtype != torch.bool:
        raise ValueError("applies to boolean masks")
    return _sdpa(q, k, v, ~attn_mask, **kw)


def _bool_added(q, k, v, attn_mask=None, **kw):
    if attn_mask is None or attn_mask.dtype != torch.bool:
        raise ValueError("applies to boolean masks")
    return _sdpa(q, k, v, attn_mask.to(q.dtype), **kw)


def _causal_bottom_right(q, k, v, attn_mask=None, is_causal=False, **kw):
    if not is_causal:
        raise ValueError("applies to causal attention")
    length, source = q.shape[-2], k.shape[-2]
    return _sdpa(q, k, v, torch.ones(length, source, dtype=torch.bool).tril(source - length), **kw)


SDPA = FunctionSpec(
    name="scaled_dot_product_attention", reference=_sdpa, salt="ex06",
    reference_name="torch.nn.functional.scaled_dot_product_attention",
    arg_names=("query", "key", "value"), grad_wrt=(0, 1, 2, "attn_mask"),
    misconceptions=(
        Misconception("boolean mask inverted", _inverted,
                      "in scaled_dot_product_attention a boolean True means 'may attend': "
                      "fill -inf where the mask is False"),
        Misconception("boolean mask added as 0/1", _bool_added,
                      "a boolean mask selects, it is not added: scores.masked_fill(~mask, -inf)"),
        Misconception("no scaling", lambda q, k, v, scale=None, **kw: _sdpa(q, k, v, scale=1.0, **kw),
                      "multiply the scores by scale = 1 / sqrt(E) (E = query.size(-1))"),
        Misconception("scaled by 1 / E",
                      lambda q, k, v, scale=None, **kw: _sdpa(q, k, v, scale=1 / q.shape[-1], **kw),
                      "the default scale is 1 / sqrt(E), not 1 / E"),
        Misconception("scale argument ignored", lambda q, k, v, scale=None, **kw: _sdpa(q, k, v, **kw),
                      "use the given scale instead of 1 / sqrt(E) when scale is not None"),
        Misconception("causal mask aligned bottom-right", _causal_bottom_right,
                      "PyTorch's causal mask is torch.ones(L, S).tril(): query i sees keys 0..i, "
                      "counted from the top-left corner even when L != S"),
        Misconception("is_causal ignored", lambda q, k, v, is_causal=False, **kw: _sdpa(q, k, v, **kw),
                      "is_causal=True masks every key j > i for query i"),
        Misconception("attn_mask ignored", lambda q, k, v, attn_mask=None, **kw: _sdpa(q, k, v, **kw),
                      "apply attn_mask: boolean selects (True = attend), float is added"),
    ))


# ---------------------------------------------------------------- MultiheadAttention
def _mha(embed_dim, num_heads, dropout=0.0, bias=True, batch_first=False):
    return nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout, bias=bias, batch_first=batch_first)


def _with(module, edit):
    module = copy.deepcopy(module)
    with torch.no_grad():
        edit(module)
    return module


def _scale_queries(module):
    module.in_proj_weight[:module.embed_dim] /= math.sqrt(module.num_heads)
    if module.in_proj_bias is not None:
        module.in_proj_bias[:module.embed_dim] /= math.sqrt(module.num_heads)


def _no_out_proj(module):
    module.out_proj.weight.copy_(torch.eye(module.embed_dim))
    if module.out_proj.bias is not None:
        module.out_proj.bias.zero_()


def _interleave_heads(module):
    """Head h takes features h, h + heads, h + 2 heads... (view(..., head_dim, heads))."""
    e, heads = module.embed_dim, module.num_heads
    order = torch.arange(e).view(e // heads, heads).t().reshape(-1)
    module.in_proj_weight.copy_(torch.cat([w[order] for w in module.in_proj_weight.chunk(3)]))
    if module.in_proj_bias is not None:
        module.in_proj_bias.copy_(torch.cat([b[order] for b in module.in_proj_bias.chunk(3)]))
    module.out_proj.weight.copy_(module.out_proj.weight[:, order])


def _mha_inverted(module, q, k, v, key_padding_mask=None, need_weights=True, attn_mask=None, **kw):
    flip = [m is not None and m.dtype == torch.bool for m in (key_padding_mask, attn_mask)]
    if not any(flip):
        raise ValueError("applies to boolean masks")
    return module(q, k, v, ~key_padding_mask if flip[0] else key_padding_mask, need_weights,
                  ~attn_mask if flip[1] else attn_mask, **kw)


def _summed_weights(module, *args, **kwargs):
    out, weights = module(*args, **kwargs)
    return out, None if weights is None else weights * module.num_heads


def _batch_first_ignored(module, *args, **kwargs):
    module = copy.deepcopy(module)
    module.batch_first = not module.batch_first
    return module(*args, **kwargs)


MHA = ModuleSpec(
    name="MultiheadAttention", reference=_mha, reference_name="torch.nn.MultiheadAttention",
    salt="ex06-mha", arg_names=("query", "key", "value"),
    output_names={(): "output (attn_output, attn_weights)", (0,): "attn_output", (1,): "attn_weights"},
    grad_wrt=(0, 1, 2, "param:in_proj_weight", "param:in_proj_bias", "param:out_proj.weight",
              "param:out_proj.bias"),
    misconceptions=(
        Misconception("mask polarity of scaled_dot_product_attention", _mha_inverted,
                      "in nn.MultiheadAttention a boolean True means IGNORE this key (the opposite "
                      "of F.scaled_dot_product_attention): fill -inf where the mask is True"),
        Misconception("scaled by 1 / sqrt(embed_dim)", lambda m, *a, **k: _with(m, _scale_queries)(*a, **k),
                      "each head scales its scores by 1 / sqrt(head_dim), head_dim = embed_dim / num_heads"),
        Misconception("out_proj not applied", lambda m, *a, **k: _with(m, _no_out_proj)(*a, **k),
                      "after concatenating the heads, apply out_proj (weight and bias)"),
        Misconception("heads interleaved", lambda m, *a, **k: _with(m, _interleave_heads)(*a, **k),
                      "head h owns the contiguous features [h * head_dim, (h + 1) * head_dim): "
                      "view(..., num_heads, head_dim), not view(..., head_dim, num_heads)"),
        Misconception("weights summed over heads", _summed_weights,
                      "attn_weights are AVERAGED over the heads (divide the sum by num_heads)"),
        Misconception("key_padding_mask ignored",
                      lambda m, q, k, v, key_padding_mask=None, **kw: m(q, k, v, **kw),
                      "mask the padded keys: key_padding_mask[n, s] = True removes key s of sequence n"),
        Misconception("attn_mask ignored", lambda m, q, k, v, attn_mask=None, **kw: m(q, k, v, **kw),
                      "apply attn_mask to the scores of every sequence and head"),
        Misconception("batch_first ignored", _batch_first_ignored,
                      "batch_first=True means inputs are (N, L, E); otherwise (L, N, E)"),
    ))


# ---------------------------------------------------------------- positional encoding
def positional_encoding(seq_len, d_model, base=10000.0):
    """The oracle, in float64: one frequency per (sin, cos) pair of columns."""
    frequency = base ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    angle = torch.outer(torch.arange(seq_len, dtype=torch.float64), frequency)
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(1)[:, :d_model]


def _swapped(seq_len, d_model, base=10000.0):
    frequency = base ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    angle = torch.outer(torch.arange(seq_len, dtype=torch.float64), frequency)
    return torch.stack([angle.cos(), angle.sin()], dim=-1).flatten(1)[:, :d_model]


def _per_column_exponent(seq_len, d_model, base=10000.0):
    angle = torch.outer(torch.arange(seq_len, dtype=torch.float64),
                        base ** (-torch.arange(d_model, dtype=torch.float64) / d_model))
    return torch.where(torch.arange(d_model) % 2 == 0, angle.sin(), angle.cos())


def _halves(seq_len, d_model, base=10000.0):
    pe = positional_encoding(seq_len, d_model, base)
    return torch.cat([pe[:, 0::2], pe[:, 1::2]], dim=1)


PE = FunctionSpec(
    name="sinusoidal_positional_encoding", reference=positional_encoding, salt="ex06-pe",
    reference_name="the sinusoidal encoding of 'Attention Is All You Need'", grad_wrt=(),
    misconceptions=(
        Misconception("sin and cos swapped", _swapped,
                      "even columns 2i hold sin, odd columns 2i + 1 hold cos"),
        Misconception("exponent from the column index", _per_column_exponent,
                      "columns 2i and 2i + 1 share one frequency, 1 / base^(2i / d_model)"),
        Misconception("sin and cos in two halves", _halves,
                      "interleave the columns: sin, cos, sin, cos..., not all sines then all cosines"),
        Misconception("positions counted from 1",
                      lambda n, d, base=10000.0: positional_encoding(n + 1, d, base)[1:],
                      "the first position is pos = 0 (its row is 0, 1, 0, 1, ...)"),
        Misconception("base ignored", lambda n, d, base=10000.0: positional_encoding(n, d),
                      "use the given base instead of 10000"),
    ))


# ---------------------------------------------------------------- public samples
def qkv(batch: tuple, length: int, source: int, embed: int, value_dim: int | None = None,
        low: float = -1.0, high: float = 1.0) -> tuple:
    """query (*batch, L, E), key (*batch, S, E), value (*batch, S, Ev) placeholders."""
    return (T(*batch, length, embed, low=low, high=high), T(*batch, source, embed, low=low, high=high),
            T(*batch, source, value_dim or embed))


SDPA_PUBLIC = [
    Sample("basic_L4_S6", (T(2, 4, 8), T(2, 6, 8), T(2, 6, 5))),
    Sample("bool_mask", (T(2, 3, 4, 8), T(2, 3, 6, 8), T(2, 3, 6, 8)), {"attn_mask": Keep(4, 6, high=0.5)},
           hint="boolean attn_mask: True = may attend; the (L, S) mask broadcasts over the batch dims"),
    Sample("float_mask", (T(2, 4, 8), T(2, 6, 8), T(2, 6, 8)), {"attn_mask": T(4, 6, low=-2.0, high=2.0)},
           hint="a float attn_mask is added to the scores before the softmax"),
    Sample("causal", (T(2, 5, 8), T(2, 5, 8), T(2, 5, 4)), {"is_causal": True},
           hint="is_causal: query i attends to keys 0..i"),
    Sample("scale", (T(3, 4, 6), T(3, 5, 6), T(3, 5, 6)), {"scale": 0.3},
           hint="a given scale replaces 1 / sqrt(E)"),
]

MHA_PUBLIC = [
    ModuleSample("self_attention", (T(5, 3, 8), T(5, 3, 8), T(5, 3, 8)), init=(8, 2)),
    ModuleSample("cross_L4_S6", (T(4, 2, 8), T(6, 2, 8), T(6, 2, 8)), init=(8, 4),
                 hint="query (L, N, E), key and value (S, N, E): attn_weights (N, L, S)"),
    ModuleSample("batch_first", (T(2, 4, 8), T(2, 6, 8), T(2, 6, 8)), init=(8, 2),
                 init_kwargs={"batch_first": True}, hint="batch_first=True: inputs are (N, L, E)"),
    ModuleSample("key_padding_mask", (T(4, 3, 8), T(5, 3, 8), T(5, 3, 8)),
                 {"key_padding_mask": Padding(3, 5)}, init=(8, 2),
                 hint="key_padding_mask: True marks a padded key to IGNORE"),
    ModuleSample("attn_mask_no_weights", (T(4, 2, 8), T(6, 2, 8), T(6, 2, 8)),
                 {"need_weights": False, "attn_mask": Forbid(4, 6, high=0.4)}, init=(8, 2),
                 hint="boolean attn_mask: True = not allowed; need_weights=False returns (output, None)"),
]
MHA_LAYOUTS = [
    ModuleSample("bias", init=(8, 2)),
    ModuleSample("no_bias", init=(6, 3), init_kwargs={"bias": False}),
]

PE_PUBLIC = [
    Sample("len6_d8", (6, 8)),
    Sample("odd_d7", (5, 7), hint="an odd d_model ends with a sin column"),
    Sample("base100", (10, 6), {"base": 100.0}),
]
