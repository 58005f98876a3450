"""Noise bands: one optimizer run under n noise seeds in one batched call, summarised per step.

The loss band is the median and the 10-90% quantiles over the seeds, taken per iterate of the values
the loss chart shows (f - f*, floored, when f* is known; f otherwise). Quantiles commute with the
monotone log axis, so the median is the honest middle of a log-scale chart (a mean would be pulled up
by the worst seed). Seeds whose run diverged are left out of the band and counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import landscapes
import optim

#: Quantiles drawn: the band's lower edge, the middle line, the upper edge.
QUANTILES = (0.1, 0.5, 0.9)
#: Gaps below this are drawn at it (as the loss chart does).
LOSS_FLOOR = 1e-16
#: Other seeds' paths kept for the contour at most (the band uses every seed; this bounds the payload).
PATHS_DRAWN = 24


@dataclass(frozen=True)
class SeedBand:
    """Summary of one optimizer's runs under ``seeds`` noise seeds (the first is the scenario's own seed)."""

    steps: np.ndarray  # (K,) iterate indices the band is given at (thinned for drawing)
    low: np.ndarray  # (K,) QUANTILES[0] over the surviving seeds (NaN if none survived)
    median: np.ndarray  # (K,)
    high: np.ndarray  # (K,)
    seeds: int  # runs in all
    diverged: int  # runs that diverged (not in the band)
    paths: np.ndarray  # (min(seeds - 1, PATHS_DRAWN), P, 2) float32: other seeds' paths, thinned, NaN after divergence

    @property
    def survivors(self) -> int:
        return self.seeds - self.diverged


def seed_list(seed: int, count: int) -> np.ndarray:
    """The seeds of a band: the scenario's own seed, then the next ``count - 1`` integers."""
    return seed + np.arange(count, dtype=np.int64)


def thin(count: int, limit: int) -> np.ndarray:
    """At most ``limit`` indices in [0, count), evenly spread, keeping the first and last."""
    if count <= limit:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, limit).round().astype(int))


def shown_loss(loss: np.ndarray, min_value: float | None) -> np.ndarray:
    """What the loss chart plots: f - f* floored at LOSS_FLOOR when f* is known, else f."""
    return loss if min_value is None else np.maximum(loss - min_value, LOSS_FLOOR)


def summarise(
    traj: optim.Trajectory, min_value: float | None, band_points: int = 300, path_points: int = 120
) -> SeedBand:
    """The band of a batched Trajectory whose batch axis runs over seeds (row 0: the scenario's seed)."""
    loss = np.asarray(traj.loss)
    xy = np.asarray(traj.xy)
    if loss.ndim == 1:
        loss, xy = loss[:, None], xy[:, None]
    count = loss.shape[1]
    diverged_at = np.broadcast_to(
        np.asarray(-1 if traj.diverged_at is None else traj.diverged_at, dtype=np.int64), (count,)
    )
    kept = diverged_at < 0
    steps = thin(loss.shape[0], band_points)
    values = shown_loss(loss[steps][:, kept], min_value)
    if kept.any():
        low, median, high = np.quantile(values, QUANTILES, axis=1)
    else:
        low = median = high = np.full(len(steps), np.nan)
    drawn = thin(xy.shape[0], path_points)
    others = slice(1, 1 + PATHS_DRAWN)
    paths = xy[drawn][:, others].astype(np.float32).transpose(1, 0, 2)  # (seeds - 1, P, 2), capped
    last_good = np.where(diverged_at >= 0, diverged_at - 1, xy.shape[0] - 1)[others]
    paths[drawn[None, :] > last_good[:, None]] = np.nan
    return SeedBand(steps, low, median, high, count, int((~kept).sum()), paths)


def seed_band(
    optimizer: str,
    landscape: str | landscapes.Surface,
    start: object,
    steps: int,
    convention: str,
    noise: float,
    seed: int,
    count: int,
    hp: Mapping[str, Any],
    schedule: Any = None,
) -> SeedBand:
    """Run ``optimizer`` under ``count`` seeds in one batched ``optim.run`` call and summarise it.

    Raises ValueError as ``optim.run`` does (e.g. an optimizer the framework lacks)."""
    surface = landscapes.get(landscape)
    extra = {} if schedule is None else {"schedule": schedule}
    traj = optim.run(
        optimizer, surface, start, steps, convention=convention, noise=noise, seed=seed_list(seed, count), **extra, **hp
    )
    return summarise(traj, surface.min_value)
