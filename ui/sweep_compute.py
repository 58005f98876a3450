"""Cached sweeps for the Sweep page: the grid chunk by chunk (with a progress bar), and the
learning-rate searches of the fair comparison. Caches are bounded; keys are plain hashable values."""

from __future__ import annotations

from typing import Any

import streamlit as st

import optim
import presets
import sweep_grid
import tuning
from sweep_settings import SweepJob
from ui.compute import surface_of

#: About 8 full 200 x 200 sweeps (each chunk holds ~0.3 MB).
CHUNK_ENTRIES = 48


@st.cache_data(max_entries=CHUNK_ENTRIES, show_spinner=False)
def sweep_chunk(job: SweepJob, first: int, stop: int) -> optim.SweepResult | str:
    """Cells [first, stop) of ``job``'s grid, or why they cannot be computed."""
    try:
        return sweep_grid.run_chunk(job, surface_of(job.surface_key), first, stop)
    except ValueError as error:
        return str(error)


def sweep(job: SweepJob, show_progress: bool = True) -> sweep_grid.Grid | str:
    """The whole grid (from the cache when it is there), with a progress bar while it computes."""
    parts = sweep_grid.chunks(job)
    slot = st.empty()
    results: list[optim.SweepResult] = []
    for number, (first, stop) in enumerate(parts):
        part = sweep_chunk(job, first, stop)
        if isinstance(part, str):
            slot.empty()
            return part
        results.append(part)
        if show_progress and len(parts) > 1 and number + 1 < len(parts):
            slot.progress((number + 1) / len(parts), text=f"Sweeping {stop:,} of {job.cells:,} runs…")
    slot.empty()
    return sweep_grid.Grid.combine(job, results, surface_of(job.surface_key).min_value)


@st.cache_data(max_entries=256, show_spinner=False)
def tuned(
    key: Any,
    optimizer: str,
    convention: str,
    start: tuple[float, float],
    steps: int,
    tol: float,
    criterion: str,
    schedule: optim.Schedule | None = None,
    noise: float = 0.0,
    seed: int = 0,
) -> tuning.Tuned | str:
    """One optimizer's learning-rate search with its other hyperparameters at the surface's defaults
    (every run follows ``schedule`` and sees the same gradient noise)."""
    try:
        return tuning.tune_lr(
            optimizer,
            surface_of(key),
            start,
            steps,
            tol,
            convention,
            presets.default_hp(key[0], optimizer),
            criterion,
            schedule,
            noise,
            seed,
        )
    except ValueError as error:
        return str(error)
