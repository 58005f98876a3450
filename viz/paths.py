"""What a figure needs to know about one optimizer's run, and subsampling for drawing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.runs import last_index


@dataclass(frozen=True)
class PathData:
    """One optimizer's trajectory as the charts draw it (full resolution; charts subsample)."""

    name: str  # registry name: picks colour, marker and dash
    label: str  # legend text
    xy: np.ndarray  # (steps+1, 2)
    loss: np.ndarray  # (steps+1,)
    effective_lr: np.ndarray  # (steps, 2)
    diverged_at: int | None

    @property
    def last(self) -> int:
        """Index of the last iterate worth drawing (the last good one when the run diverged)."""
        return last_index(self)


def sample_steps(count: int, limit: int) -> np.ndarray:
    """At most ``limit`` step indices in [0, count), evenly spread, always keeping the first and last.

    Long runs are thinned for drawing only; every number is still computed."""
    if count <= limit:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, limit).round().astype(int))
