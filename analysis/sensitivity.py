"""Learning-rate sensitivity: one batched sweep over log-spaced learning rates per optimizer.

For each lr: the final loss, the steps to reach the tolerance and whether the run diverged. Everything said
about an lr describes where its run *ended*, which is what the sensitivity curve plots: the stable windows
(lrs that neither diverge nor end above the start loss), the windows that end within the tolerance
(``f - f* < tol`` after the last step; a run that passed below the tolerance on its way and climbed out again
does not count), the divergence edge (the smallest lr that diverges) and the best lr (the lowest point of the
curve). Every window is reported, not only the widest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import optim
from analysis.decimals import short_grid
from analysis.runs import gap
from landscapes import Surface

#: Learning rates per curve: the default and the accepted range.
DEFAULT_COUNT, COUNT_RANGE = 60, (5, 200)
#: Gaps to the minimum below this count as this floor: the loss charts' floor (viz.curves.LOSS_FLOOR; a test keeps
#: them equal). Below it a gap is round-off on most surfaces, and the chart cannot tell such lrs apart.
GAP_FLOOR = 1e-16
#: Final gaps within this factor of the lowest are one point on the curve's log axis (which spans ~20 decades):
#: they tie for "best", and the tie goes to the middle of the longest run of such lrs (the most margin).
TIE_FACTOR = 2.0


def lr_grid(
    optimizer: str, count: int = DEFAULT_COUNT, low: float | None = None, high: float | None = None
) -> np.ndarray:
    """``count`` log-spaced learning rates over the optimizer's lr slider range (or [low, high]), each a short
    decimal (``short_grid``), so a picked lr makes a short link."""
    slider_low, slider_high = optim.get(optimizer).param("lr").slider_range
    return short_grid(np.geomspace(low or slider_low, high or slider_high, count))


def segments(mask: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True in a 1-D mask, as inclusive index pairs (first, last)."""
    padded = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


@dataclass(frozen=True)
class Curve:
    """One optimizer's response to its learning rate (other hyperparameters fixed)."""

    optimizer: str
    lrs: np.ndarray
    final_loss: np.ndarray
    steps_to_tol: np.ndarray  # first step below the tolerance; -1: never
    diverged_at: np.ndarray  # -1: never
    start_loss: float
    min_value: float | None
    tol: float = 1e-6

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def final_gap(self) -> np.ndarray:
        """f - f* after the last step, never negative (``analysis.runs.gap``); f itself where f* is unknown."""
        return gap(self.final_loss, self.min_value)

    @property
    def stable(self) -> np.ndarray:
        """Did not diverge and ended no higher than it started."""
        return ~self.diverged & (self.final_loss <= self.start_loss)

    @property
    def ends_within_tol(self) -> np.ndarray:
        """Did not diverge and ended with ``f - f* < tol`` (never where f* is unknown)."""
        if self.min_value is None:
            return np.zeros(len(self.lrs), bool)
        return ~self.diverged & (self.final_gap < self.tol)

    @property
    def passed_tol(self) -> np.ndarray:
        """Went below the tolerance at some step but ended above it (or diverged): no convergence."""
        return (self.steps_to_tol >= 0) & ~self.ends_within_tol

    @property
    def edge(self) -> float | None:
        """The smallest learning rate that diverges, or None."""
        return float(self.lrs[np.argmax(self.diverged)]) if self.diverged.any() else None

    def windows(self, mask: np.ndarray) -> list[tuple[float, float]]:
        """Every contiguous lr range where ``mask`` holds, from the smallest lrs up."""
        return [(float(self.lrs[first]), float(self.lrs[last])) for first, last in segments(mask)]

    def shown(self, metric: str = "loss") -> np.ndarray:
        """What the sensitivity curve plots per lr; NaN where it plots nothing. "loss": the final f - f*
        (floored at ``GAP_FLOOR``; f itself where f* is unknown); "steps": the steps to the tolerance of the
        runs that end within it. Diverged runs: NaN."""
        if metric == "steps":
            values = np.where(self.ends_within_tol, self.steps_to_tol, np.nan).astype(float)
        elif self.min_value is None:
            values = self.final_loss.astype(float)
        else:
            values = np.maximum(self.final_gap, GAP_FLOOR)
        return np.where(self.diverged, np.nan, values)

    def best(self, metric: str = "loss") -> int | None:
        """Index of the best lr: the lowest point of the curve ``shown(metric)``, None if it plots nothing.

        Values that the chart cannot tell apart tie (final gaps within ``TIE_FACTOR`` of the lowest, which
        includes every gap at the floor; equal step counts), and the tie goes to the middle of the longest
        contiguous run of tied lrs, the choice with the most margin on both sides. So the best lr always lies at
        the bottom of the curve and inside a stable window (and inside a window that ends within the
        tolerance whenever any lr does)."""
        values = self.shown(metric)
        if not np.isfinite(values).any():
            return None
        low = float(np.nanmin(values))
        log_axis = metric == "loss" and self.min_value is not None
        tied = np.isfinite(values) & (values <= (low * TIE_FACTOR if log_axis else low))
        for window in (self.stable, self.ends_within_tol):  # the lowest point lies in these when any lr does
            if (tied & window).any():
                tied &= window
        runs = segments(tied)
        first, last = max(runs, key=lambda r: (r[1] - r[0], -float(np.nanmean(values[r[0] : r[1] + 1]))))
        return (first + last) // 2


def sensitivity(
    optimizer: str,
    surface: Surface,
    start: tuple[float, float],
    lrs: np.ndarray,
    steps: int,
    tol: float = 1e-6,
    convention: str = "pytorch",
    noise: float = 0.0,
    seed: int = 0,
    schedule: optim.Schedule | None = None,
    **hp: Any,
) -> Curve:
    """One sweep of ``optimizer`` over ``lrs`` from ``start``, every run following ``schedule`` (a base lr
    scaled by the schedule's factors). Raises ValueError like ``optim.sweep``."""
    hp = {k: v for k, v in hp.items() if k != "lr"}
    lrs = np.asarray(lrs, dtype=float)
    result = optim.sweep(
        optimizer, surface, start=start, steps=steps, tol=tol, convention=convention, noise=noise, seed=seed,
        schedule=schedule, lr=lrs, **hp,
    )  # fmt: skip
    with np.errstate(all="ignore"):
        start_loss = float(surface.value(np.asarray(start, float)))
    return Curve(
        optimizer, lrs, result.final_loss, result.steps_to_tol, result.diverged_at, start_loss, surface.min_value, tol
    )
