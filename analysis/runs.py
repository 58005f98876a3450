"""Reading one run: its last good iterate, when it first got within a tolerance, where it ended.

Pure, no Streamlit. Works on anything with ``loss`` and ``diverged_at`` (``optim.Trajectory`` of one run,
``viz.paths.PathData``), so the summary table, the questions and the charts read runs by the same rules.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np


class Run(Protocol):
    loss: np.ndarray  # (steps + 1,)
    diverged_at: int | None


def last_index(run: Run) -> int:
    """The last good iterate (the one before the first bad one when the run diverged)."""
    return len(run.loss) - 1 if run.diverged_at is None else int(run.diverged_at) - 1


def steps_to(run: Run, min_value: float | None, tol: float) -> int | None:
    """First step with f − f* < tol, or None (never, or the surface has no known minimum)."""
    if min_value is None:
        return None
    below = run.loss[: last_index(run) + 1] - min_value < tol
    return int(below.argmax()) if below.any() else None


def gap(loss: np.ndarray | float, min_value: float | None) -> np.ndarray | float:
    """f − f* as the app shows it: never negative. A run can end a rounding error below an exact f*, or below
    an estimated f̂* when it found a point deeper than the estimate (a typed formula, e.g. beyond its plotted
    region); either way it is at the minimum as far as anyone can tell, so the gap is 0. f itself where the
    minimum is unknown (None)."""
    if min_value is None:
        return loss
    return np.maximum(np.subtract(loss, min_value), 0.0)


def final_gap(run: Run, min_value: float | None) -> float:
    """f − f* (or f) at the end, never negative (``gap``); +inf for a run that diverged."""
    if run.diverged_at is not None:
        return math.inf
    return float(gap(run.loss[-1], min_value))
