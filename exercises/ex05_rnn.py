"""ex05: LSTM and GRU cells, unrolled through time.

Implement ``LSTMCell`` and ``GRUCell`` as ``nn.Module``s that behave exactly like
``torch.nn.LSTMCell`` and ``torch.nn.GRUCell`` (same parameter names and shapes, so the
state dict of one loads into the other), and ``run_lstm``, which unrolls an LSTM cell over
a sequence like a one-layer ``torch.nn.LSTM``. Built-in recurrent cells and layers are
forbidden (``nn.LSTMCell``, ``nn.GRUCell``, ``nn.LSTM``, ``nn.GRU``, ``nn.RNN``,
``torch.lstm_cell``, ``torch._VF.*``...); ``@``, ``torch.sigmoid``, ``torch.tanh``,
``chunk`` and ``nn.init`` are what you need.

Parameters (H = hidden_size, G = 4 gates for the LSTM, 3 for the GRU):

    weight_ih  (G*H, input_size)    weight_hh  (G*H, H)
    bias_ih    (G*H,)               bias_hh    (G*H,)      (absent when bias=False:
                                                            self.register_parameter("bias_ih", None))

all initialised from U(-k, k) with k = 1 / sqrt(hidden_size), as PyTorch does. The G
blocks of H rows are the gates, IN THIS ORDER (PyTorch's; other libraries differ):

    LSTM: rows [0:H] input gate i, [H:2H] forget gate f, [2H:3H] cell candidate g, [3H:4H] output gate o
    GRU:  rows [0:H] reset gate r,  [H:2H] update gate z, [2H:3H] new gate n

LSTM (x: (N, input_size), h and c: (N, H)):

    i = sigmoid(x W_ii^T + b_ii + h W_hi^T + b_hi)     f = sigmoid(... f rows ...)
    g = tanh(x W_ig^T + b_ig + h W_hg^T + b_hg)        o = sigmoid(... o rows ...)
    c' = f * c + i * g
    h' = o * tanh(c')                                  forward returns (h', c')

GRU, PyTorch's variant: the reset gate multiplies the hidden projection AFTER the matmul,
bias b_hn included (the original paper puts r * h inside the matmul: not this one), and
z keeps the OLD state:

    r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
    z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
    n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
    h' = (1 - z) * n + z * h                           forward returns h'

Both biases are added (b_ih AND b_hh), even though for the LSTM their sum is all that
matters. ``hx=None`` means zeros. An unbatched input of shape (input_size,) comes with an
unbatched state of shape (H,) and gives unbatched outputs. An input that is not 1-D or
2-D, or whose last dimension is not input_size, raises an error with a message.

``run_lstm(cell, inputs, hx)`` feeds inputs[0], inputs[1], ... of a (T, N, input_size)
sequence to ``cell``, carrying (h, c) from step to step, and returns (outputs, (h, c)):
outputs (T, N, H) stacks the h of every step; (h, c) is the state after the last step.
That is what ``nn.LSTM(input_size, H)`` computes with weight_ih_l0 = cell.weight_ih etc.

Worked example: with every weight and bias 0, i = f = o = sigmoid(0) = 0.5 and g = 0, so
an LSTM cell maps (h, c) = (0, 1) to c' = 0.5 * 1 = 0.5 and h' = 0.5 * tanh(0.5) = 0.2311;
a GRU cell has r = z = 0.5, n = tanh(0) = 0, so h' = 0.5 * h.

What the checks look at: parameter names, shapes, dtype and initial distribution; outputs
against the built-ins (float32 and float64, batched and unbatched, hx given or None,
bias=False, many sizes); gradients w.r.t. the input, the state and every parameter
(through time for run_lstm); inputs left unmodified; errors for invalid inputs.
"""
from __future__ import annotations

import torch
from torch import nn


class LSTMCell(nn.Module):
    """A long short-term memory cell, like ``torch.nn.LSTMCell``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        """Create weight_ih (4H, input_size), weight_hh (4H, H) and, if ``bias``, bias_ih and
        bias_hh (4H,) as nn.Parameters drawn from U(-1/sqrt(H), 1/sqrt(H))."""
        super().__init__()
        raise NotImplementedError("ex05: implement LSTMCell.__init__")

    def forward(self, input: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """One step. input: (N, input_size) or (input_size,); hx: (h, c) each (N, H) or (H,),
        or None for zeros. Returns (h', c'), shaped like h."""
        raise NotImplementedError("ex05: implement LSTMCell.forward")


class GRUCell(nn.Module):
    """A gated recurrent unit cell, like ``torch.nn.GRUCell``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        """Create weight_ih (3H, input_size), weight_hh (3H, H) and, if ``bias``, bias_ih and
        bias_hh (3H,) as nn.Parameters drawn from U(-1/sqrt(H), 1/sqrt(H))."""
        super().__init__()
        raise NotImplementedError("ex05: implement GRUCell.__init__")

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None) -> torch.Tensor:
        """One step. input: (N, input_size) or (input_size,); hx: (N, H) or (H,), or None for
        zeros. Returns h', shaped like hx."""
        raise NotImplementedError("ex05: implement GRUCell.forward")


def run_lstm(cell: nn.Module, inputs: torch.Tensor,
             hx: tuple[torch.Tensor, torch.Tensor] | None = None
             ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Unroll ``cell`` (an LSTMCell) over ``inputs`` (T, N, input_size) from ``hx`` = (h0, c0)
    (each (N, H); None for zeros). Returns (outputs (T, N, H), (h_T, c_T))."""
    raise NotImplementedError("ex05: implement run_lstm")
