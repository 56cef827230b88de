"""ex01: tensors, broadcasting, stable softmax and cross-entropy.

Five small functions with the semantics of their PyTorch counterparts, written with basic
tensor operations. Off-limits (the grader records the ops your code runs, and a check
earns no points while one of them is called): ``softmax``/``log_softmax`` in any form
(``F.softmax``, ``torch.softmax``, ``Tensor.softmax``, ``softmin``...), ``logsumexp``,
``nll_loss``, ``cross_entropy`` (``nn.CrossEntropyLoss``), ``cdist``/``pdist``; and, inside
``broadcast_shapes``, ``torch.broadcast_shapes``, ``numpy.broadcast_shapes`` and letting
tensors do the broadcasting (``broadcast_tensors``, ``broadcast_to``, ``expand``, or
arithmetic between tensors of the given shapes).
Everything else is allowed: ``exp``, ``log``, ``amax``, ``sum``, ``gather``, matmul, ``where``...

What the checks look at: values against the PyTorch built-ins (computed in float64) for
float32 and float64 inputs, output shape and dtype (the output keeps the input's dtype),
gradients (autograd must flow through your operations: no ``.detach()``, ``.item()`` or
``.numpy()`` on the way), inputs left unmodified, exceptions where stated.
"""
from __future__ import annotations

import torch


def broadcast_shapes(*shapes) -> tuple:
    """The shape that tensors of ``shapes`` broadcast to, like ``torch.broadcast_shapes``.

    Each shape is an int (``3`` means ``(3,)``) or a tuple/list of ints. Broadcasting rules:
    align the shapes on their LAST dimension (pad shorter shapes with 1s on the left); in
    each position the sizes must be equal or 1, and the result takes the size that is not 1.
    A size 0 is an ordinary size: it broadcasts with 1 (giving 0) but not with 3.

        broadcast_shapes((2, 1, 3), (4, 1))  -> (2, 4, 3)
        broadcast_shapes(3, (2, 1))          -> (2, 3)
        broadcast_shapes((0,), (1,))         -> (0,)
        broadcast_shapes()                   -> ()
        broadcast_shapes((2, 3), (3, 2))     -> raises ValueError (3 vs 2 in the last position)

    Pure Python on ints: no tensors are needed. Returns a tuple of ints; raises
    ``ValueError`` (with a message saying which sizes clash) when the shapes are incompatible.
    The checks run your function with many shapes, including huge sizes (never allocate
    tensors of these shapes), and record calls to the built-ins listed above.
    """
    raise NotImplementedError("ex01: implement broadcast_shapes")


def pairwise_sq_dists(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances between the rows of ``x`` (N, D) and of ``y`` (M, D).

        out[i, j] = sum_d (x[i, d] - y[j, d]) ** 2          shape (N, M)

    Two vectorised ways (no Python loops over i or j):
    - broadcasting: ``x[:, None, :] - y[None, :, :]`` has shape (N, M, D);
    - expansion: ``|x_i|^2 + |y_j|^2 - 2 x_i . y_j``, i.e. row norms plus a matmul. It uses
      O(N*M) memory instead of O(N*M*D) but suffers from cancellation in float32: for
      coordinates of magnitude c it is only accurate to about 1e-7 * D * c^2.
    Both get full marks: the checks use coordinates of magnitude <= 2 and D <= 16, where
    either is accurate well within the float32 tolerance (atol 1e-4, rtol 1e-4).

    Example: x = [[0, 0], [1, 1]], y = [[1, 0]] gives [[1], [1]].
    The checks also look at gradients w.r.t. x and y, at coinciding points (distance 0)
    and at speed on a (64, 16) x (48, 16) case against ``torch.cdist`` (a loop over all
    pairs is too slow).
    """
    raise NotImplementedError("ex01: implement pairwise_sq_dists")


def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """``softmax(x)_i = exp(x_i) / sum_j exp(x_j)`` along ``dim``, like ``torch.softmax(x, dim)``.

    Stability: ``exp(10000)`` overflows to inf (inf / inf = nan) and ``exp(-10000)``
    underflows to 0 (0 / 0 = nan). Softmax does not change when a constant is subtracted
    from every entry along ``dim``, so subtract the maximum along ``dim`` first (keep the
    dimension: ``x.amax(dim=dim, keepdim=True)``); the largest exponent is then exp(0) = 1.
    Subtract the max of each slice, not the max of the whole tensor: slices may live at
    very different scales. Entries equal to -inf (masked positions) get probability 0.

    ``dim`` may be negative (-1 is the last dimension). Example: softmax([1, 2, 3], 0) =
    [0.0900, 0.2447, 0.6652]. The checks include inputs of magnitude 1e4.
    """
    raise NotImplementedError("ex01: implement softmax")


def log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """``log(softmax(x, dim))`` computed stably, like ``torch.log_softmax(x, dim)``.

        log_softmax(x)_i = (x_i - m) - log(sum_j exp(x_j - m)),   m = max_j x_j along dim

    Do not take ``log(softmax(x))``: softmax underflows to 0 for entries far below the max
    (say x_i - m = -200) and log(0) = -inf, while the true value (-200 - ...) is finite.
    Masked entries (-inf) stay -inf. The checks include inputs of magnitude 1e4 (in float32
    they are compared with atol 3e-3: such inputs are themselves only known to about 1e-3).
    """
    raise NotImplementedError("ex01: implement log_softmax")


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, reduction: str = "mean",
                  ignore_index: int = -100) -> torch.Tensor:
    """Cross-entropy with class-index targets, like ``F.cross_entropy(logits, target, ...)``.

    Shapes: ``logits`` (N, C) or (N, C, d1, ..., dk) -- the classes are ALWAYS dimension 1;
    ``target`` (N,) or (N, d1, ..., dk) of int64 class indices in [0, C).

        loss[n, ...] = -log_softmax(logits, dim=1)[n, target[n, ...], ...]

    (``torch.gather`` along dim 1 picks the target's log-probability.) Positions whose target
    equals ``ignore_index`` are ignored: their loss is 0 and they do not count. Note that
    ``ignore_index`` may be a valid class (e.g. 0) or a value like -100 that cannot be used
    as an index: mask before you gather.

    ``reduction``:
    - ``'none'``: the per-position losses, shape (N,) or (N, d1, ..., dk), 0 where ignored;
    - ``'sum'``: their sum;
    - ``'mean'``: their sum divided by the number of NOT ignored targets (nan when all are
      ignored, 0 / 0, exactly as PyTorch);
    - anything else raises ValueError.

    Example: logits = [[2., 0.], [0., 0.]], target = [0, 1]: per-sample losses
    [log(1 + e^-2), log 2] = [0.1269, 0.6931], mean 0.4100. With ignore_index=1 the mean is
    0.1269 (one target counts). The checks cover every reduction, ignored targets (default
    -100 and a valid class), spatial inputs, logits of magnitude 1e4 and gradients w.r.t.
    logits.
    """
    raise NotImplementedError("ex01: implement cross_entropy")
