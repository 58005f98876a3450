"""Computing a sweep's grid in chunks (so a page can report progress), and reading the result.

Pure: no Streamlit. Each chunk is one ``optim.sweep`` call over a slice of the grid's cells; the
runs are independent, so chunking does not change a single number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import optim
from analysis import runs
from analysis.tuning import best_index
from landscapes import Surface
from views.sweep.settings import SweepJob

#: Cells per chunk: large enough to keep NumPy efficient, small enough for a moving progress bar.
CHUNK = 8192
#: Rough throughput (config-steps per second) used to tell the user how long a sweep will take.
RATE = 60e6


def chunks(job: SweepJob) -> list[tuple[int, int]]:
    """[first, stop) cell ranges that together cover the grid."""
    return [(first, min(first + CHUNK, job.cells)) for first in range(0, job.cells, CHUNK)]


def estimated_seconds(job: SweepJob) -> float:
    return job.cells * job.steps / RATE


def run_chunk(job: SweepJob, surface: Surface, first: int, stop: int) -> optim.SweepResult:
    """The sweep of cells [first, stop). Raises ValueError (e.g. the framework lacks the optimizer)."""
    hp = {k: v[first:stop] if isinstance(v, np.ndarray) else v for k, v in job.grid_hp().items()}
    return optim.sweep(
        job.optimizer,
        surface,
        job.start,
        job.steps,
        job.tol,
        job.convention,
        noise=job.noise,
        seed=job.seed,
        schedule=job.schedule,
        **hp,
    )


@dataclass(frozen=True)
class Grid:
    """A whole sweep, each array shaped (rows, columns) = (y values, x values)."""

    final_loss: np.ndarray
    steps_to_tol: np.ndarray  # -1: never
    diverged_at: np.ndarray  # -1: never
    min_value: float | None
    tol: float

    @classmethod
    def combine(cls, job: SweepJob, parts: list[optim.SweepResult], min_value: float | None) -> Grid:
        shape = job.shape

        def joined(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts]).reshape(shape)

        return cls(joined("final_loss"), joined("steps_to_tol"), joined("diverged_at"), min_value, job.tol)

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def reached(self) -> np.ndarray:
        return self.steps_to_tol >= 0

    @property
    def gap(self) -> np.ndarray:
        """f − f* of the last (good) iterate, never negative; f itself when the minimum is unknown."""
        return runs.gap(self.final_loss, self.min_value)

    def best_cell(self, criterion: str) -> tuple[int, int] | None:
        """(column, row) of the best run by ``criterion`` (see ``best_index``); None if all diverged."""
        index = best_index(
            self.gap.ravel(), self.steps_to_tol.ravel(), self.diverged_at.ravel() >= 0, criterion, self.tol
        )
        if index is None:
            return None
        row, col = divmod(index, self.final_loss.shape[1])
        return col, row
