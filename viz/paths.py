"""What a figure needs to know about one optimizer's run, and subsampling for drawing."""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=256)  # asked for every line of every chart on every rerun, with a few counts
def sample_steps(count: int, limit: int) -> np.ndarray:
    """At most ``limit`` step indices in [0, count), evenly spread, always keeping the first and last (read-only:
    shared by every caller).

    Long runs are thinned for drawing only; every number is still computed."""
    idx = np.arange(count) if count <= limit else np.unique(np.rint(np.linspace(0, count - 1, limit)).astype(int))
    idx.flags.writeable = False
    return idx
