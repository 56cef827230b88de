"""Drivers: grader-owned code that runs in the worker and drives the submission.

A driver takes the worker state and a request (plain data and tensors) and returns plain
data and tensors. ``call`` covers functions and modules; an exercise that needs a longer
script (an optimizer trajectory, a training run) adds a module to this package whose
functions are registered with ``@driver("name")``; every module here is imported.
"""
from __future__ import annotations

import importlib
import pkgutil

DRIVERS: dict = {}


def driver(name: str):
    def register(fn):
        DRIVERS[name] = fn
        return fn
    return register


for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")
