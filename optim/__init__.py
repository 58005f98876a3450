"""Exact, batched NumPy implementations of SGD, momentum, Adagrad, RMSProp, Adam and friends.

Public API: ``names()``, ``get(name)``, ``run(...)``, ``run_many(...)``, ``sweep(...)``,
``inspect_step(...)`` (one step taken apart), ``accumulator_history(...)`` / ``trajectory_history(...)``
(an adaptive optimizer's accumulators over a run), ``update_equations(...)`` (LaTeX of a rule) and
``CONVENTIONS`` (the frameworks whose update rules can be reproduced) and ``Schedule`` /
``schedules`` (learning-rate schedules, passed to run/sweep as ``schedule=``).
"""

from . import schedules
from .base import CONVENTIONS, Optimizer, Rule
from .equations import effective_lr_equation, symbol_legend, update_equations
from .history import AccumulatorHistory, accumulator_history, trajectory_history
from .hyperparams import HyperParam
from .inspect import StepDetail, inspect_step
from .registry import get, names
from .runner import MAX_STEPS, SweepResult, Trajectory, run, run_many, sweep
from .schedules import Schedule

__all__ = [
    "CONVENTIONS",
    "MAX_STEPS",
    "AccumulatorHistory",
    "HyperParam",
    "Optimizer",
    "Rule",
    "Schedule",
    "StepDetail",
    "SweepResult",
    "Trajectory",
    "accumulator_history",
    "effective_lr_equation",
    "get",
    "inspect_step",
    "names",
    "run",
    "run_many",
    "schedules",
    "sweep",
    "symbol_legend",
    "trajectory_history",
    "update_equations",
]
