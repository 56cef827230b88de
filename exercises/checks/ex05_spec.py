"""ex05 declared as data: the built-in cells as oracles, public samples, misconceptions.

Wrong variants are built from the built-ins with rearranged parameters (a wrong gate order
is the built-in with its gate blocks permuted), so they show what goes wrong, not how to
write a cell.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from grader.modulespec import ModuleSample, ModuleSpec
from grader.spec import Misconception, T

PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _permuted(cell, order):
    """A copy of ``cell`` whose gate blocks are taken in ``order`` (block indices)."""
    cell = copy.deepcopy(cell)
    with torch.no_grad():
        for name in PARAMS:
            p = getattr(cell, name)
            if p is not None:
                p.copy_(torch.cat([p.chunk(len(order))[k] for k in order]))
    return cell


def _edited(cell, edit):
    cell = copy.deepcopy(cell)
    with torch.no_grad():
        edit(cell, cell.hidden_size)
    return cell


def _zero(name):
    return lambda cell, hidden: getattr(cell, name).zero_()


def _negate_z(cell, h):
    for name in PARAMS:
        if getattr(cell, name) is not None:
            getattr(cell, name)[h:2 * h].neg_()


def _b_hn_outside_reset(cell, h):
    cell.bias_ih[2 * h:] += cell.bias_hh[2 * h:]
    cell.bias_hh[2 * h:] = 0


def lstm_layer(cell, inputs, hx=None):
    """The oracle of run_lstm: a one-layer nn.LSTM that shares the cell's parameters."""
    lstm = nn.LSTM(cell.input_size, cell.hidden_size, bias=cell.bias).to(cell.weight_ih.dtype)
    for name in PARAMS if cell.bias else PARAMS[:2]:
        setattr(lstm, f"{name}_l0", getattr(cell, name))
    h0 = None if hx is None else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
    outputs, (h, c) = lstm(inputs, h0)
    return outputs, (h.squeeze(0), c.squeeze(0))


def _c_restarted(cell, inputs, hx=None):
    """run_lstm that carries h but restarts c from zeros at every step."""
    steps, state = [], hx
    for x_t in inputs.unbind(0):
        h, c = cell(x_t, state)
        steps.append(h)
        state = (h, torch.zeros_like(c))
    return torch.stack(steps), (h, c)


def _outputs_of_c(cell, inputs, hx=None):
    """run_lstm that stacks the cell states instead of the hidden states."""
    _, (h, c) = lstm_layer(cell, inputs, hx)
    cs, state = [], hx
    for x_t in inputs.unbind(0):
        state = cell(x_t, state)
        cs.append(state[1])
    return torch.stack(cs), (h, c)


LSTM_MISCONCEPTIONS = (
    Misconception("gate order i, f, o, g", lambda m, *a, **k: _permuted(m, (0, 1, 3, 2))(*a, **k),
                  "PyTorch's rows are [i; f; g; o]: the third block is the cell candidate g "
                  "(tanh), the fourth the output gate o"),
    Misconception("gate order i, g, f, o", lambda m, *a, **k: _permuted(m, (0, 2, 1, 3))(*a, **k),
                  "PyTorch's rows are [i; f; g; o]: the second block is the forget gate"),
    Misconception("gate order f, i, g, o", lambda m, *a, **k: _permuted(m, (1, 0, 2, 3))(*a, **k),
                  "PyTorch's rows are [i; f; g; o]: the input gate comes first"),
    Misconception("bias_hh ignored", lambda m, *a, **k: _edited(m, _zero("bias_hh"))(*a, **k),
                  "add both biases: x W_ih^T + b_ih + h W_hh^T + b_hh"),
    Misconception("bias_ih ignored", lambda m, *a, **k: _edited(m, _zero("bias_ih"))(*a, **k),
                  "add both biases: x W_ih^T + b_ih + h W_hh^T + b_hh"),
    Misconception("hx ignored", lambda m, x, hx=None: m(x),
                  "use the given state (h, c); only hx=None means zeros"),
    Misconception("hx read as (c, h)", lambda m, x, hx=None: m(x, (hx[1], hx[0])),
                  "hx is the tuple (h, c): hidden state first, cell state second"),
    Misconception("returned (c', h')", lambda m, *a, **k: tuple(reversed(m(*a, **k))),
                  "return (h', c'): the hidden state first"),
)

GRU_MISCONCEPTIONS = (
    Misconception("gate order z, r, n", lambda m, *a, **k: _permuted(m, (1, 0, 2))(*a, **k),
                  "PyTorch's rows are [r; z; n]: the reset gate comes first"),
    Misconception("z and 1 - z swapped", lambda m, *a, **k: _edited(m, _negate_z)(*a, **k),
                  "h' = (1 - z) * n + z * h: z keeps the OLD state"),
    Misconception("bias_hh ignored", lambda m, *a, **k: _edited(m, _zero("bias_hh"))(*a, **k),
                  "add both biases; b_hn sits inside the reset gate: r * (h W_hn^T + b_hn)"),
    Misconception("b_hn outside the reset gate",
                  lambda m, *a, **k: _edited(m, _b_hn_outside_reset)(*a, **k),
                  "PyTorch multiplies the whole hidden projection by r, bias included: "
                  "n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))"),
    Misconception("hx ignored", lambda m, x, hx=None: m(x),
                  "use the given state; only hx=None means zeros"),
)

RUN_LSTM_MISCONCEPTIONS = (
    Misconception("state not carried",
                  lambda m, x, hx=None: (torch.stack([m(x_t, hx)[0] for x_t in x]), m(x[-1], hx)),
                  "feed each step the state (h, c) returned by the previous step"),
    Misconception("cell state not carried", _c_restarted,
                  "carry c as well as h from step to step"),
    Misconception("outputs are the cell states", _outputs_of_c,
                  "outputs[t] is the hidden state h of step t, not the cell state c"),
    Misconception("hx ignored", lambda m, x, hx=None: lstm_layer(m, x),
                  "start from the given (h0, c0); only hx=None means zeros"),
)


def _cell_spec(name, reference, misconceptions, outputs, hx_paths):
    return ModuleSpec(
        name=name, reference=reference, reference_name=f"torch.nn.{name}", salt="ex05",
        misconceptions=misconceptions, arg_names=("input", "hx"), output_names=outputs,
        grad_wrt=(0, *hx_paths, *(f"param:{p}" for p in PARAMS)), param_range=(-0.6, 0.6))


LSTM_CELL = _cell_spec("LSTMCell", nn.LSTMCell, LSTM_MISCONCEPTIONS,
                       {(): "output (h', c')", (0,): "h'", (1,): "c'"}, ((1, 0), (1, 1)))
GRU_CELL = _cell_spec("GRUCell", nn.GRUCell, GRU_MISCONCEPTIONS, {(): "h'"}, (1,))
RUN_LSTM = ModuleSpec(
    name="LSTMCell", function="run_lstm", reference=nn.LSTMCell, salt="ex05-run",
    reference_name="a one-layer torch.nn.LSTM with the cell's weights", oracle=lstm_layer,
    misconceptions=RUN_LSTM_MISCONCEPTIONS, arg_names=("inputs", "hx"), param_range=(-0.6, 0.6),
    output_names={(): "run_lstm output (outputs, (h, c))", (0,): "outputs",
                  (1,): "final state (h, c)", (1, 0): "final h", (1, 1): "final c"},
    grad_wrt=(0, (1, 0), (1, 1), *(f"param:{p}" for p in PARAMS)))


def _cell_sample(states, name, init, n, *, hx=True, low=-1.0, high=1.0, hint=None, **init_kwargs):
    """A cell sample: init (input_size, H), batch n (None: unbatched), ``states`` tensors in hx."""
    size, hidden = init
    shape = () if n is None else (n,)
    state = tuple(T(*shape, hidden, low=low, high=high) for _ in range(states))
    args = (T(*shape, size, low=low, high=high),) + ((state if states > 1 else state[0],) if hx else ())
    return ModuleSample(name, args, init=init, init_kwargs=init_kwargs, hint=hint)


def lstm_sample(*args, **kwargs):
    return _cell_sample(2, *args, **kwargs)


def gru_sample(*args, **kwargs):
    return _cell_sample(1, *args, **kwargs)


def seq_sample(name, init, steps, n, *, hx=True, low=-1.0, high=1.0, hint=None, **init_kwargs):
    """A run_lstm sample: inputs (steps, n, input_size), hx = (h0, c0) or None."""
    size, hidden = init
    args = (T(steps, n, size, low=low, high=high),)
    if hx:
        args += ((T(n, hidden, low=low, high=high), T(n, hidden, low=low, high=high)),)
    return ModuleSample(name, args, init=init, init_kwargs=init_kwargs, hint=hint)


def _zeros_hint(state):
    return f"hx=None means {state} = zeros of shape (N, H), with the input's dtype and device"


def _unbatched_hint(state):
    return (f"if only unbatched cases fail: an input of shape (input_size,) comes with {state} of "
            "shape (H,), and the outputs are (H,) too")


NO_BIAS_HINT = "with bias=False there are no bias terms"

LSTM_PUBLIC = [
    lstm_sample("batched", (4, 5), 3),
    lstm_sample("hx_none", (3, 4), 2, hx=False, hint=_zeros_hint("h = c")),
    lstm_sample("unbatched", (4, 3), None, hint=_unbatched_hint("h and c")),
    lstm_sample("no_bias", (4, 5), 3, bias=False, hint=NO_BIAS_HINT),
]
GRU_PUBLIC = [
    gru_sample("batched", (4, 5), 3),
    gru_sample("hx_none", (3, 4), 2, hx=False, hint=_zeros_hint("h")),
    gru_sample("unbatched", (4, 3), None, hint=_unbatched_hint("h")),
    gru_sample("no_bias", (4, 5), 3, bias=False, hint=NO_BIAS_HINT),
]
RUN_LSTM_PUBLIC = [
    seq_sample("seq5", (3, 4), 5, 2),
    seq_sample("seq4_no_hx", (2, 3), 4, 3, hx=False, hint="hx=None starts from h0 = c0 = zeros (N, H)"),
]
LAYOUTS = [
    ModuleSample("bias", init=(4, 5)),
    ModuleSample("no_bias", init=(3, 2), init_kwargs={"bias": False}),
]
