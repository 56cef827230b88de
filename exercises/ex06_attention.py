"""ex06: attention, multi-head attention, sinusoidal positional encoding.

Implement three pieces of the Transformer with PyTorch's semantics, without the built-in
attention kernels (``F.scaled_dot_product_attention``, ``torch.ops.aten._scaled_dot_product_*``,
``nn.MultiheadAttention``, ``F.multi_head_attention_forward`` are forbidden). Matmul,
``torch.softmax``, ``masked_fill``, ``F.linear``, ``nn.Linear`` and ``F.dropout`` are allowed.

1. ``scaled_dot_product_attention`` (like ``F.scaled_dot_product_attention``)

    query (..., L, E), key (..., S, E), value (..., S, Ev)  ->  output (..., L, Ev)
    scores  = query @ key^T * scale            (..., L, S), scale = 1 / sqrt(E) unless given
    scores += mask                              (see below)
    weights = softmax(scores, dim=-1)           each query's weights over the S keys sum to 1
    weights = dropout(weights, dropout_p)       only when dropout_p > 0
    output  = weights @ value

  ``...`` is any number of batch dimensions (none, (N,), (N, heads)...); a mask broadcasts
  against (..., L, S). ``attn_mask``:
    - boolean: True means "this query MAY attend to this key"; False positions get -inf;
    - float: added to the scores as is (0 keeps, -inf removes, other values bias).
  ``is_causal=True`` masks as ``torch.ones(L, S, dtype=torch.bool).tril()`` would: query i
  sees keys 0..i, aligned to the TOP-LEFT corner, also when L != S. Passing both a mask and
  ``is_causal=True`` is an error. A softmax over scores that hold -inf must not produce NaN
  while at least one key is allowed (``torch.softmax`` is safe; exp / sum of raw scores
  overflows for large scores). Queries that may attend to no key at all are not checked.

2. ``MultiheadAttention`` (like ``nn.MultiheadAttention`` with kdim = vdim = embed_dim)

  Parameters (E = embed_dim, heads = num_heads, head_dim = E / heads; E % heads != 0 is an
  error):  in_proj_weight (3E, E) = [W_q; W_k; W_v] stacked by rows, in_proj_bias (3E,),
  out_proj = nn.Linear(E, E) (out_proj.weight, out_proj.bias); with bias=False neither
  in_proj_bias nor out_proj.bias exists. PyTorch initialises in_proj_weight with
  nn.init.xavier_uniform_ and both biases with zeros (not checked).

    q = query W_q^T + b_q, k = key W_k^T + b_k, v = value W_v^T + b_v
    split E into heads: (N, L, E) -> (N, heads, L, head_dim), head h = features
        [h * head_dim, (h + 1) * head_dim)
    attention per head with scale 1 / sqrt(head_dim) (NOT 1 / sqrt(E))
    concatenate the heads back to (N, L, E), then out_proj

  Shapes: query (L, N, E), key and value (S, N, E); (N, L, E) and (N, S, E) when
  batch_first=True; unbatched (L, E) and (S, E). Returns (attn_output, attn_weights):
  attn_output shaped like query; attn_weights (N, L, S) averaged over the heads, or
  (N, heads, L, S) with average_attn_weights=False ((L, S) / (heads, L, S) unbatched), or
  None when need_weights=False.
  MASK POLARITY IS THE OPPOSITE OF scaled_dot_product_attention's: here a boolean True
  means "IGNORE this key". ``key_padding_mask`` (N, S) (or (S,) unbatched) marks padded
  keys of each sequence; ``attn_mask`` (L, S), or (N * heads, L, S) for one mask per
  sequence and head (index n * heads + h). Float masks are added to the scores (both masks
  of the same kind when both are given). Dropout (p = ``dropout``) applies to the attention
  weights only in training mode (``self.training``): in eval mode the output is exact.

3. ``sinusoidal_positional_encoding`` ("Attention Is All You Need", section 3.5)

    PE[pos, 2i]     = sin(pos / base^(2i / d_model))
    PE[pos, 2i + 1] = cos(pos / base^(2i / d_model))

  for pos in 0..seq_len-1: columns interleave sin and cos, and the pair (2i, 2i+1) shares
  one frequency. An odd d_model ends with a sin column. Returns (seq_len, d_model) in the
  default dtype (float32).

Worked examples:
- one query, keys k0 = (1, 0) and k1 = (0, 1), query (1, 0), E = 2: scores (1, 0) / sqrt(2)
  = (0.7071, 0), weights = softmax = (0.6698, 0.3302), output = 0.6698 v0 + 0.3302 v1.
  With the boolean attn_mask (True, False) the output is exactly v0.
- PE for d_model = 4 at pos = 1: (sin 1, cos 1, sin 0.01, cos 0.01) = (0.8415, 0.5403,
  0.0100, 0.99995).

What the checks look at: outputs (float32, with atol = rtol = 1e-4 against the built-in
computed in float64, and float64 at 1e-9 / 1e-7) for masks of both kinds and polarities,
causal masks with L < S and L > S, custom scales, extra batch dimensions, unbatched inputs;
dropout statistically (mean kept by the 1 / (1 - p) rescaling, spread of the weights);
gradients w.r.t. query, key, value, a float mask and every MHA parameter; MHA parameter
names and shapes, batch_first, need_weights, average_attn_weights, eval mode; errors for
mismatched shapes, a mask together with is_causal, embed_dim not divisible by num_heads.
"""
from __future__ import annotations

import torch
from torch import nn


def scaled_dot_product_attention(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                                 attn_mask: torch.Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None) -> torch.Tensor:
    """softmax(query @ key^T * scale + mask) @ value, like F.scaled_dot_product_attention.

    Boolean attn_mask: True = may attend. Float attn_mask: added to the scores.
    """
    raise NotImplementedError("ex06: implement scaled_dot_product_attention")


class MultiheadAttention(nn.Module):
    """Multi-head attention with nn.MultiheadAttention's parameters and forward."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 batch_first: bool = False) -> None:
        """Create in_proj_weight (3E, E), in_proj_bias (3E,) and out_proj = nn.Linear(E, E)."""
        super().__init__()
        raise NotImplementedError("ex06: implement MultiheadAttention.__init__")

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                key_padding_mask: torch.Tensor | None = None, need_weights: bool = True,
                attn_mask: torch.Tensor | None = None, average_attn_weights: bool = True
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Returns (attn_output, attn_weights or None). Boolean masks: True = IGNORE."""
        raise NotImplementedError("ex06: implement MultiheadAttention.forward")


def sinusoidal_positional_encoding(seq_len: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """(seq_len, d_model): PE[pos, 2i] = sin(pos / base^(2i/d)), PE[pos, 2i+1] = cos(same)."""
    raise NotImplementedError("ex06: implement sinusoidal_positional_encoding")
