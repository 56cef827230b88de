"""Drivers: grader-owned code that runs in the worker and drives the submission.

A driver takes the worker state and a request (plain data and tensors) and returns plain
data and tensors. ``call`` covers functions and modules; an exercise that needs a longer
script (an optimizer trajectory, a training run) adds a driver here with ``@driver``.
"""
from __future__ import annotations

DRIVERS: dict = {}


def driver(name: str):
    def register(fn):
        DRIVERS[name] = fn
        return fn
    return register


from . import core  # noqa: E402,F401  (registers the core drivers)
