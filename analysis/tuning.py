"""A fair comparison: tune each optimizer's learning rate on a log grid, then compare the best.

Pure: no Streamlit. Every other hyperparameter stays at its default for the surface. The best
learning rate is the one that did not diverge and is best by the criterion (``best_index``:
"steps" counts only runs still within the tolerance at the end); ties go to the smaller learning rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import optim
from analysis import runs
from analysis.sensitivity import lr_grid
from landscapes import Surface

#: Learning rates tried per optimizer, log-spaced over its lr slider range (8 per decade).
LR_POINTS = 49


@dataclass(frozen=True)
class Tuned:
    """One optimizer's learning-rate search."""

    optimizer: str
    lrs: np.ndarray
    result: optim.SweepResult
    best: int | None  # index into lrs; None when every lr diverged
    hp: tuple[tuple[str, object], ...]  # the hyperparameters of the best run (lr included)

    @property
    def diverged_count(self) -> int:
        return int((self.result.diverged_at >= 0).sum())

    @property
    def at_edge(self) -> bool:
        """The best lr is the smallest or largest tried: the true best may lie outside the grid."""
        return self.best is not None and self.best in (0, len(self.lrs) - 1)


def tune_lr(
    optimizer: str,
    surface: Surface,
    start: tuple[float, float],
    steps: int,
    tol: float,
    convention: str,
    hp: dict[str, object],
    criterion: str,
    schedule: optim.Schedule | None = None,
    noise: float = 0.0,
    seed: int = 0,
) -> Tuned:
    """Search lr for ``optimizer`` with the other hyperparameters ``hp`` (every run follows ``schedule`` and
    sees the same gradient noise). Raises ValueError when the framework lacks the optimizer."""
    lrs = lr_grid(optimizer, LR_POINTS)
    fixed = {k: v for k, v in hp.items() if k != "lr"}
    result = optim.sweep(
        optimizer, surface, start, steps, tol, convention, noise, seed, schedule=schedule, lr=lrs, **fixed
    )
    gap = runs.gap(result.final_loss, surface.min_value)
    best = best_index(gap, result.steps_to_tol, result.diverged_at >= 0, criterion, tol)
    chosen = fixed | ({"lr": float(lrs[best])} if best is not None else {"lr": hp.get("lr")})
    return Tuned(optimizer, lrs, result, best, tuple(sorted(chosen.items())))


def best_index(
    gap: np.ndarray, steps_to_tol: np.ndarray, diverged: np.ndarray, criterion: str, tol: float
) -> int | None:
    """The best of several runs, or None when every one diverged.

    Runs that diverged are out. "steps": fewest steps to the tolerance among the runs that are
    still within it at the end (a run that only passed through does not count), then the lowest
    final gap; "loss": lowest final gap, then fewest steps. Remaining ties go to the first run."""
    keep = ~diverged
    if not keep.any():
        return None
    never = np.iinfo(np.int64).max
    reached = np.where(steps_to_tol >= 0, steps_to_tol, never)
    order_ = np.arange(len(gap))
    if criterion == "steps":
        stayed = np.where(gap < tol, reached, never)
        order = np.lexsort((order_, gap, stayed))
    else:
        order = np.lexsort((order_, reached, gap))
    return int(order[keep[order]][0])
