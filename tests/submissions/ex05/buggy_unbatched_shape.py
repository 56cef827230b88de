"""Bug: an unbatched input is unsqueezed but the outputs are never squeezed back: (1, H) comes back instead of (H,)."""
from __future__ import annotations

import math

import torch
from torch import nn


class _RNNCellBase(nn.Module):
    """weight_ih (G*H, in), weight_hh (G*H, H), bias_ih / bias_hh (G*H,), U(-1/sqrt(H), 1/sqrt(H))."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        rows = self.gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(rows, input_size))
        self.weight_hh = nn.Parameter(torch.empty(rows, hidden_size))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(rows))
            self.bias_hh = nn.Parameter(torch.empty(rows))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        bound = 1.0 / math.sqrt(hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _batched(self, input: torch.Tensor) -> torch.Tensor:
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: expected input to be 1-D or 2-D, "
                             f"got {input.dim()}-D")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{type(self).__name__}: input has {input.shape[-1]} features, "
                             f"expected input_size={self.input_size}")
        return input if input.dim() == 2 else input.unsqueeze(0)

    def _state(self, hx, x: torch.Tensor, unbatched: bool) -> torch.Tensor:
        if hx is None:
            return x.new_zeros(x.shape[0], self.hidden_size)
        return hx.unsqueeze(0) if unbatched else hx

    def _gates(self, x: torch.Tensor, h: torch.Tensor):
        """The input and hidden projections, gate blocks along the last dimension."""
        gi = x @ self.weight_ih.T
        gh = h @ self.weight_hh.T
        if self.bias:
            gi, gh = gi + self.bias_ih, gh + self.bias_hh
        return gi, gh


class LSTMCell(_RNNCellBase):
    gates = 4

    def forward(self, input: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        unbatched = input.dim() == 1
        x = self._batched(input)
        h = self._state(None if hx is None else hx[0], x, unbatched)
        c = self._state(None if hx is None else hx[1], x, unbatched)
        gi, gh = self._gates(x, h)
        i, f, g, o = (gi + gh).chunk(4, dim=1)
        c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h_next = torch.sigmoid(o) * torch.tanh(c_next)
        if unbatched:
            return h_next, c_next
        return h_next, c_next


class GRUCell(_RNNCellBase):
    gates = 3

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None) -> torch.Tensor:
        unbatched = input.dim() == 1
        x = self._batched(input)
        h = self._state(hx, x, unbatched)
        gi, gh = self._gates(x, h)
        i_r, i_z, i_n = gi.chunk(3, dim=1)
        h_r, h_z, h_n = gh.chunk(3, dim=1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        h_next = (1 - z) * n + z * h
        return h_next


def run_lstm(cell: nn.Module, inputs: torch.Tensor,
             hx: tuple[torch.Tensor, torch.Tensor] | None = None
             ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    if inputs.dim() != 3 or inputs.shape[0] == 0:
        raise ValueError(f"run_lstm: expected inputs of shape (T, N, input_size) with T >= 1, "
                         f"got {tuple(inputs.shape)}")
    state = hx
    outputs = []
    for x_t in inputs.unbind(0):
        state = cell(x_t, state)
        outputs.append(state[0])
    return torch.stack(outputs), state
