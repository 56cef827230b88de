"""Correct, written differently: one fused matmul on [x, h] computed in float64 and cast
back, nn.init for the parameters, run_lstm with a hoisted input projection."""
import math

import torch
from torch import nn


class _Cell(nn.Module):
    GATES = 1

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        n = self.GATES * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(n, input_size))
        self.weight_hh = nn.Parameter(torch.empty(n, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(n)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(n)) if bias else None
        for p in self.parameters():
            nn.init.uniform_(p, -1 / math.sqrt(hidden_size), 1 / math.sqrt(hidden_size))

    def projections(self, x, h):
        if x.dim() > 2 or x.dim() == 0:
            raise ValueError("input must be 1-D or 2-D")
        if x.shape[-1] != self.input_size:
            raise ValueError("input size does not match")
        gi = torch.matmul(x.double(), self.weight_ih.double().t())
        gh = torch.matmul(h.double(), self.weight_hh.double().t())
        if self.bias_ih is not None:
            gi = gi + self.bias_ih.double()
            gh = gh + self.bias_hh.double()
        return gi, gh

    def zeros(self, x):
        return x.new_zeros(x.shape[:-1] + (self.hidden_size,))


class LSTMCell(_Cell):
    GATES = 4

    def forward(self, input, hx=None):
        h, c = (self.zeros(input), self.zeros(input)) if hx is None else hx
        gi, gh = self.projections(input, h)
        return self.step(gi + gh, c.double(), input.dtype)

    def step(self, gates, c, dtype):
        H = self.hidden_size
        i = torch.sigmoid(gates[..., :H])
        f = torch.sigmoid(gates[..., H:2 * H])
        g = torch.tanh(gates[..., 2 * H:3 * H])
        o = torch.sigmoid(gates[..., 3 * H:])
        c_next = f * c + i * g
        h_next = o * torch.tanh(c_next)
        return h_next.to(dtype), c_next.to(dtype)


class GRUCell(_Cell):
    GATES = 3

    def forward(self, input, hx=None):
        h = self.zeros(input) if hx is None else hx
        gi, gh = self.projections(input, h)
        H = self.hidden_size
        r = torch.sigmoid(gi[..., :H] + gh[..., :H])
        z = torch.sigmoid(gi[..., H:2 * H] + gh[..., H:2 * H])
        n = torch.tanh(gi[..., 2 * H:] + r * gh[..., 2 * H:])
        return ((1 - z) * n + z * h.double()).to(input.dtype)


def run_lstm(cell, inputs, hx=None):
    steps, batch, _ = inputs.shape
    h, c = (inputs.new_zeros(batch, cell.hidden_size),) * 2 if hx is None else hx
    gi = torch.matmul(inputs, cell.weight_ih.t())          # all steps at once: (T, N, 4H)
    if cell.bias_ih is not None:
        gi = gi + cell.bias_ih
    outputs = []
    for t in range(steps):
        gh = h @ cell.weight_hh.t()
        if cell.bias_hh is not None:
            gh = gh + cell.bias_hh
        h, c = cell.step(gi[t] + gh, c, inputs.dtype)
        outputs.append(h)
    return torch.stack(outputs), (h, c)
