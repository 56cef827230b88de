"""Correct, written differently: einsum and torch.where for attention, a Python loop over
the heads of MultiheadAttention, math.sin/math.cos loops for the positional encoding."""
import math

import torch
import torch.nn.functional as F
from torch import nn


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None):
    if attn_mask is not None and is_causal:
        raise RuntimeError("attn_mask and is_causal cannot both be set")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError("query and key must have the same embedding size")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError("key and value must have the same length")
    if scale is None:
        scale = query.shape[-1] ** -0.5
    scores = torch.einsum("...le,...se->...ls", query, key) * scale
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        i = torch.arange(L, device=query.device).unsqueeze(1)
        j = torch.arange(S, device=query.device).unsqueeze(0)
        attn_mask = j <= i
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = torch.where(attn_mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype))
        else:
            scores = scores + attn_mask
    weights = scores.softmax(-1)
    if dropout_p:
        weights = F.dropout(weights, p=dropout_p, training=True)
    return torch.einsum("...ls,...sv->...lv", weights, value)


class MultiheadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, batch_first=False):
        super().__init__()
        assert embed_dim % num_heads == 0, "embed_dim must be divisible by num_heads"
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.batch_first = batch_first
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim)) if bias else None
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        batched = query.dim() == 3
        if not batched:
            query, key, value = query[:, None], key[:, None], value[:, None]
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask[None]
        elif self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        L, N, E = query.shape
        S = key.shape[0]
        W = self.in_proj_weight.chunk(3)
        b = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        q, k, v = (F.linear(t, w, bb) for t, w, bb in zip((query, key, value), W, b))  # (T, N, E)
        d = E // self.num_heads
        extra = torch.zeros(N, self.num_heads, L, S, dtype=query.dtype, device=query.device)
        if attn_mask is not None:
            m = attn_mask.view(N, self.num_heads, L, S) if attn_mask.dim() == 3 else attn_mask
            extra = extra.masked_fill(m, float("-inf")) if m.dtype == torch.bool else extra + m
        if key_padding_mask is not None:
            m = key_padding_mask[:, None, None, :]
            extra = extra.masked_fill(m, float("-inf")) if m.dtype == torch.bool else extra + m
        heads, weights = [], []
        for h in range(self.num_heads):
            qh, kh, vh = (t[..., h * d:(h + 1) * d].permute(1, 0, 2) for t in (q, k, v))  # (N, T, d)
            s = qh @ kh.transpose(1, 2) / math.sqrt(d) + extra[:, h]
            w = torch.softmax(s, dim=-1)
            if self.training and self.dropout > 0:
                w = F.dropout(w, self.dropout)
            heads.append(w @ vh)
            weights.append(w)
        out = self.out_proj(torch.cat(heads, dim=-1).permute(1, 0, 2))    # (L, N, E)
        weights = torch.stack(weights, dim=1)                             # (N, heads, L, S)
        if not batched:
            out, weights = out[:, 0], weights[0]
        elif self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.sum(dim=-3) / self.num_heads
        return out, weights


def sinusoidal_positional_encoding(seq_len, d_model, base=10000.0):
    pe = torch.zeros(seq_len, d_model)
    for pos in range(seq_len):
        for i in range(0, d_model, 2):
            angle = pos / base ** (i / d_model)
            pe[pos, i] = math.sin(angle)
            if i + 1 < d_model:
                pe[pos, i + 1] = math.cos(angle)
    return pe
