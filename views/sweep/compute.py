"""The Sweep page's cached computations: the grid chunk by chunk (with a progress bar), and the learning-rate
searches of the fair comparison. Caches are bounded; keys are plain hashable values."""

from __future__ import annotations

import streamlit as st

import optim
from analysis import tuning
from views.common.run_spec import RunSpec, surface_of
from views.sweep import grid as sweep_grid
from views.sweep.settings import SweepJob

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
def tuned(spec: RunSpec, tol: float, criterion: str) -> tuning.Tuned | str:
    """The learning-rate search of ``spec``'s optimizer with its other hyperparameters as in ``spec`` (every
    run follows its schedule and sees the same gradient noise)."""
    try:
        return tuning.tune_lr(
            spec.optimizer,
            spec.surface(),
            spec.start,
            spec.steps,
            tol,
            spec.convention,
            spec.hyperparams(),
            criterion,
            spec.schedule,
            spec.noise,
            spec.seed,
        )
    except ValueError as error:
        return str(error)
