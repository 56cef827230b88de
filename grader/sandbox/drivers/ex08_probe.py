"""ex08 instruments: a grader-owned model, loader, loss and optimizer hooks that record
what a training loop does to them, as plain data.

A ``Probe`` keeps one record per pass over a loader and, inside it, one per batch:

    {"loader": "train" | "val", "epoch": train passes started so far,
     "batches": [{"n": 32, "moved": [x_moved, y_moved],
                  "forwards": [{"mode": "train" | "eval" | "mixed", "grad": bool, "device": "cpu"}],
                  "losses": [float], "backwards": [grads were zero before it: bool],
                  "steps": [some gradient was non-zero at the step: bool],
                  "pred": argmax of the last forward's output (val passes only)}]}

The model class is also used by the trusted side, which evaluates returned weights itself.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils.data import DataLoader, TensorDataset

MOVES = {"to", "cuda", "as_tensor"}  # calls that move a batch tensor to the device


class DigitsMLP(nn.Module):
    """64 pixels -> hidden -> classes, with batch norm and dropout so that train/eval matter."""

    def __init__(self, hidden: int = 64, classes: int = 10, batchnorm: bool = True,
                 dropout: float = 0.3):
        super().__init__()
        self.fc1 = nn.Linear(64, hidden)
        self.norm = nn.BatchNorm1d(hidden) if batchnorm else nn.Identity()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        return self.fc2(self.drop(torch.relu(self.norm(self.fc1(x)))))


def make_model(arch: dict, seed: int) -> DigitsMLP:
    """The same weights on both sides for the same (arch, seed); the global RNG is untouched."""
    with torch.random.fork_rng(devices=[]):
        model = DigitsMLP(**arch)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in (model.fc1, model.fc2):
            bound = 1 / math.sqrt(layer.in_features)
            for p in (layer.weight, layer.bias):
                p.copy_(torch.rand(p.shape, generator=gen, dtype=torch.float64) * 2 * bound - bound)
    return model


def plain(obj, depth: int = 0):
    """A copy the wire can carry: CPU tensors, str keys (a state dict's int keys included)."""
    if depth > 24:
        raise ValueError("nested too deeply")
    if isinstance(obj, torch.Tensor):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, dict):
        return {k if type(k) is str else str(k) if type(k) is int else f"<{type(k).__name__}>":
                plain(v, depth + 1) for k, v in dict.items(obj)}
    if isinstance(obj, (list, tuple)):
        items = [plain(v, depth + 1) for v in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    return obj if obj is None or type(obj) in (bool, int, float, str) else f"<{type(obj).__name__}>"


class Probe(TorchFunctionMode):
    """Hooks on a model, loss and optimizer; as a torch function mode it sees batches move."""

    def __init__(self, model: nn.Module, optimizer=None, *, snapshots: bool = False):
        super().__init__()
        self.model, self.optimizer, self.snapshots = model, optimizer, snapshots
        self.passes: list[dict] = []
        self.states: dict[int, dict] = {}   # train passes so far -> weights and optimizer state
        self.train_passes = 0
        self._batch, self._tensors = None, ()
        model.register_forward_pre_hook(self._before_forward)
        model.register_forward_hook(self._after_forward)
        if optimizer is not None:
            optimizer.register_step_pre_hook(self._before_step)

    # ------------------------------------------------------------ loaders
    def start_pass(self, loader: str) -> int:
        if loader == "train":
            self.train_passes += 1
        self.passes.append({"loader": loader, "epoch": self.train_passes, "batches": []})
        self._batch = None
        return self.train_passes

    def end_pass(self, loader: str) -> None:
        """After a whole validation pass: the state a checkpoint of this epoch would hold."""
        self._batch = None
        if loader == "val" and self.snapshots:
            self.states[self.train_passes] = {
                "model": plain(self.model.state_dict()),
                "optimizer": plain(self.optimizer.state_dict()) if self.optimizer else None}

    def start_batch(self, x, y) -> None:
        self._batch = {"n": int(y.shape[0]), "moved": [False, False], "forwards": [],
                       "losses": [], "backwards": [], "steps": []}
        self._tensors = (x, y)
        self.passes[-1]["batches"].append(self._batch)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if self._batch is not None and args and getattr(func, "__name__", "") in MOVES:
            for i, t in enumerate(self._tensors):
                if args[0] is t:
                    self._batch["moved"][i] = True
        return func(*args, **(kwargs or {}))

    # ------------------------------------------------------------ hooks
    def _before_forward(self, module, args):
        if self._batch is None:  # a call outside the loop over a loader: not judged
            return
        modes = {m.training for m in module.modules()}
        x = args[0] if args and isinstance(args[0], torch.Tensor) else None
        self._batch["forwards"].append({
            "mode": "mixed" if len(modes) > 1 else "train" if True in modes else "eval",
            "grad": torch.is_grad_enabled(),
            "device": x.device.type if x is not None else "none"})

    def _after_forward(self, module, args, output):
        if self._batch is not None and self.passes[-1]["loader"] == "val" \
                and isinstance(output, torch.Tensor) and output.dim() == 2:
            self._batch["pred"] = output.detach().argmax(dim=1).cpu()

    def on_loss(self, loss: torch.Tensor) -> None:
        if self._batch is None:
            return
        self._batch["losses"].append(float(loss.detach()))
        if loss.requires_grad:
            loss.register_hook(self._at_backward)

    def _at_backward(self, grad):
        # Runs before any parameter's gradient is accumulated by this backward.
        if self._batch is not None:
            self._batch["backwards"].append(not self._any_grad())
        return grad

    def _before_step(self, optimizer, args, kwargs):
        if self._batch is not None:
            self._batch["steps"].append(self._any_grad())

    def _any_grad(self) -> bool:
        return any(p.grad is not None and bool(p.grad.detach().ne(0).any())
                   for p in self.model.parameters())


class ProbedLoss(nn.Module):
    """Cross-entropy (mean over the batch) that reports each value to the probe."""

    def __init__(self, probe: Probe):
        super().__init__()
        self._probe = probe

    def forward(self, logits, target):
        loss = nn.functional.cross_entropy(logits, target)
        self._probe.on_loss(loss)
        return loss


class ProbedLoader(DataLoader):
    """A DataLoader over CPU tensors that tells the probe where each pass and batch starts.

    ``on_pass(k)`` runs when train pass ``k`` starts and returns a label shift for it (the
    hook behind the grader's learning-rate and label schedules)."""

    def __init__(self, probe: Probe, name: str, x, y, *, batch_size: int, seed: int | None,
                 on_pass=None):
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        super().__init__(TensorDataset(x, y), batch_size=batch_size, shuffle=seed is not None,
                         generator=gen)
        self.probe, self.name, self.on_pass = probe, name, on_pass

    def __iter__(self):
        k = self.probe.start_pass(self.name)
        shift = self.on_pass(k) if self.on_pass is not None else 0
        for x, y in super().__iter__():
            if shift:
                y = (y + shift) % 10
            self.probe.start_batch(x, y)
            yield [x, y]
        self.probe.end_pass(self.name)
