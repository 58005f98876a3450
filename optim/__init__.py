"""Exact, batched NumPy implementations of SGD, momentum, Adagrad, RMSProp, Adam and friends.

Public API: ``names()``, ``get(name)``, ``run(...)``, ``run_many(...)``, ``sweep(...)`` and
``CONVENTIONS`` (the frameworks whose update rules can be reproduced).
"""

from .base import CONVENTIONS, Optimizer, Rule
from .hyperparams import HyperParam
from .registry import get, names
from .runner import MAX_STEPS, SweepResult, Trajectory, run, run_many, sweep

__all__ = [
    "CONVENTIONS",
    "MAX_STEPS",
    "HyperParam",
    "Optimizer",
    "Rule",
    "SweepResult",
    "Trajectory",
    "get",
    "names",
    "run",
    "run_many",
    "sweep",
]
