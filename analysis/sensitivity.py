"""Learning-rate sensitivity: one batched sweep over log-spaced learning rates per optimizer.

For each lr: the final loss, the steps to reach the tolerance and whether the run diverged; from
those, the stable window (lrs that neither diverge nor end above the start loss), the converging
window (lrs that reach ``f - f* < tol``) and the divergence edge (the smallest lr that diverges).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import optim
from landscapes import Surface

#: Learning rates per curve: the default and the accepted range.
DEFAULT_COUNT, COUNT_RANGE = 60, (5, 200)


def lr_grid(
    optimizer: str, count: int = DEFAULT_COUNT, low: float | None = None, high: float | None = None
) -> np.ndarray:
    """``count`` log-spaced learning rates over the optimizer's lr slider range (or [low, high])."""
    slider_low, slider_high = optim.get(optimizer).param("lr").slider_range
    return np.geomspace(low or slider_low, high or slider_high, count)


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
    steps_to_tol: np.ndarray  # -1: never
    diverged_at: np.ndarray  # -1: never
    start_loss: float
    min_value: float | None

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def stable(self) -> np.ndarray:
        """Did not diverge and ended no higher than it started."""
        return ~self.diverged & (self.final_loss <= self.start_loss)

    @property
    def converged(self) -> np.ndarray:
        """Reached ``f - f* < tol`` and did not diverge afterwards."""
        return ~self.diverged & (self.steps_to_tol >= 0)

    @property
    def edge(self) -> float | None:
        """The smallest learning rate that diverges, or None."""
        return float(self.lrs[np.argmax(self.diverged)]) if self.diverged.any() else None

    def window(self, mask: np.ndarray) -> tuple[float, float] | None:
        """The widest contiguous lr range where ``mask`` holds, or None."""
        runs = segments(mask)
        if not runs:
            return None
        first, last = max(runs, key=lambda r: r[1] - r[0])
        return float(self.lrs[first]), float(self.lrs[last])

    def best(self, metric: str = "loss") -> int | None:
        """Index of the best lr, judged together with its two neighbours (the worst of the three counts),
        so a lucky lr among chaotic ones does not win: lowest final loss, or fewest steps to the tolerance.
        None when no lr qualifies; ties go to the larger lr."""
        if metric == "steps":
            score = np.where(self.converged, self.steps_to_tol, np.inf).astype(float)
        else:
            gap = self.final_loss - (self.min_value or 0.0) if self.min_value is not None else self.final_loss
            score = np.where(self.diverged, np.inf, gap).astype(float)
        if not np.isfinite(score).any():
            return None
        padded = np.concatenate([[score[0]], score, [score[-1]]])
        robust = np.maximum(np.maximum(padded[:-2], padded[1:-1]), padded[2:])
        robust = np.where(np.isfinite(score), robust, np.inf)
        if not np.isfinite(robust).any():
            robust = score
        return int(len(robust) - 1 - np.argmin(robust[::-1]))


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
        optimizer, lrs, result.final_loss, result.steps_to_tol, result.diverged_at, start_loss, surface.min_value
    )
