"""Correct, written differently: attention computed in float64 with an explicit stable
softmax and cast back, MHA with one packed projection and batch-first internals, the
positional encoding the way "The Annotated Transformer" writes it (exp/log in float32)."""
import math

import torch
import torch.nn.functional as F
from torch import nn


def _stable_softmax(scores):
    top = scores.amax(dim=-1, keepdim=True)
    top = torch.where(torch.isinf(top), torch.zeros_like(top), top)
    e = torch.exp(scores - top)
    return e / e.sum(dim=-1, keepdim=True)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None):
    if is_causal and attn_mask is not None:
        raise ValueError("either a mask or is_causal")
    if key.size(-2) != value.size(-2) or query.size(-1) != key.size(-1):
        raise ValueError("shapes of query, key and value do not match")
    s = (1 / math.sqrt(query.size(-1))) if scale is None else scale
    scores = torch.matmul(query.double(), key.double().transpose(-1, -2)) * s
    if is_causal:
        L, S = scores.shape[-2:]
        attn_mask = torch.tril(torch.ones(L, S, dtype=torch.bool, device=query.device))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), -math.inf)
        else:
            scores = scores + attn_mask.double()
    weights = _stable_softmax(scores)
    if dropout_p > 0:
        keep = torch.rand_like(weights) >= dropout_p
        weights = weights * keep / (1 - dropout_p)
    return torch.matmul(weights, value.double()).to(query.dtype)


class MultiheadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, batch_first=False):
        super().__init__()
        if embed_dim % num_heads != 0:
            raise ValueError("embed_dim % num_heads != 0")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.dropout, self.batch_first = dropout, batch_first
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        nn.init.xavier_uniform_(self.in_proj_weight)
        if bias:
            self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def _to_additive(self, mask, like):
        if mask is None:
            return None
        if mask.dtype == torch.bool:
            return torch.zeros_like(mask, dtype=like.dtype).masked_fill(mask, -math.inf)
        return mask.to(like.dtype)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        unbatched = query.dim() == 2
        if unbatched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = query.permute(1, 0, 2), key.permute(1, 0, 2), value.permute(1, 0, 2)
        N, L, E = query.shape
        S, H, d = key.shape[1], self.num_heads, E // self.num_heads
        W = self.in_proj_weight
        b = self.in_proj_bias if self.in_proj_bias is not None else torch.zeros(3 * E, dtype=W.dtype)
        q = F.linear(query, W[:E], b[:E]).reshape(N, L, H, d).permute(0, 2, 1, 3)
        k = F.linear(key, W[E:2 * E], b[E:2 * E]).reshape(N, S, H, d).permute(0, 2, 1, 3)
        v = F.linear(value, W[2 * E:], b[2 * E:]).reshape(N, S, H, d).permute(0, 2, 1, 3)
        scores = q @ k.transpose(-1, -2) * d ** -0.5
        am = self._to_additive(attn_mask, scores)
        if am is not None:
            scores = scores + (am.reshape(N, H, L, S) if am.dim() == 3 else am)
        kpm = self._to_additive(key_padding_mask, scores)
        if kpm is not None:
            scores = scores + kpm.reshape(N, 1, 1, S)
        weights = torch.softmax(scores, dim=-1)
        dropped = F.dropout(weights, self.dropout, training=self.training)
        out = (dropped @ v).permute(0, 2, 1, 3).reshape(N, L, E)
        out = self.out_proj(out)
        if unbatched:
            out, weights = out[0], weights[0]
        elif not self.batch_first:
            out = out.permute(1, 0, 2)
        if not need_weights:
            return out, None
        return out, (weights.mean(dim=-3) if average_attn_weights else weights)


def sinusoidal_positional_encoding(seq_len, d_model, base=10000.0):
    pe = torch.zeros(seq_len, d_model)
    position = torch.arange(0, seq_len).unsqueeze(1).float()
    div_term = torch.exp(torch.arange(0, d_model, 2).float() * -(math.log(base) / d_model))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term[: d_model // 2])
    return pe
