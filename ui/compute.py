"""Cached computations at the page boundary: surface grids and optimizer runs.

Runs are cached per optimizer, so moving one optimizer's slider recomputes only that optimizer.
Caches are bounded; arguments are plain hashable values (never Surface objects).

The per-optimizer caches that every rerun hits several times (``run_path`` here, ``eps_terms`` in
ui/bands.py) use ``functools.lru_cache`` rather than ``st.cache_data``: st.cache_data hashes each
argument through ``inspect.signature`` and unpickles a copy of the value on every hit, about 1.2 ms a
call, a third of a warm rerun. These are pure functions of small hashable arguments, and their results
are made read-only, so one bounded, thread-safe, process-wide LRU serves every session safely.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import streamlit as st

import landscapes
import optim
from scenario import Scenario
from viz.contour import background_layers
from viz.paths import PathData
from viz.style import Theme

#: (surface name, its sorted parameter items): ``(scenario.surface, scenario.surface_params)``. A custom
#: surface's items hold its formula: (("expr", "x**2+10*y**2"), ("xmax", 2.0), ("xmin", -2.0), ...).
SurfaceKey = tuple[str, tuple[tuple[str, float | str], ...]]


def surface_of(key: SurfaceKey) -> landscapes.Surface:
    """The surface of a key (built-in or custom; custom builds are cached inside ``landscapes``)."""
    name, params = key
    return landscapes.get(name, **dict(params))


@st.cache_data(max_entries=32, show_spinner=False)
def surface_grid(key: SurfaceKey, resolution: int = 121):
    """xs, ys and f on a grid over the plotting domain."""
    return surface_of(key).grid(resolution)


@st.cache_data(max_entries=32, show_spinner=False)
def contour_background(key: SurfaceKey, theme: Theme) -> list[dict]:
    """The contour's surface-only traces (filled levels, click layer), ready to send."""
    return background_layers(surface_of(key), surface_grid(key), theme)


@functools.lru_cache(maxsize=512)
def run_path(
    key: SurfaceKey,
    optimizer: str,
    hp: tuple[tuple[str, Any], ...],
    convention: str,
    start: tuple[float, float],
    steps: int,
    noise: float,
    seed: int,
    schedule: optim.Schedule | None = None,
) -> PathData | str:
    """One optimizer's trajectory, or the reason it cannot run (e.g. the framework lacks it)."""
    try:
        traj = optim.run(
            optimizer, surface_of(key), start, steps, convention, noise, seed, schedule=schedule, **dict(hp)
        )
    except ValueError as error:
        return str(error)
    return PathData(
        optimizer, optim.get(optimizer).label, *read_only(traj.xy, traj.loss, traj.effective_lr), traj.diverged_at
    )


def read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays, marked read-only: a cached result is shared by every session that asks for it."""
    for array in arrays:
        array.flags.writeable = False
    return arrays


@st.cache_data(max_entries=256, show_spinner=False)
def inspect(
    key: SurfaceKey,
    optimizer: str,
    hp: tuple[tuple[str, Any], ...],
    convention: str,
    start: tuple[float, float],
    step: int,
    noise: float,
    seed: int,
    schedule: optim.Schedule | None = None,
) -> optim.StepDetail:
    """Step ``step`` of one optimizer's run taken apart (same numbers as ``run_path``)."""
    return optim.inspect_step(
        optimizer, surface_of(key), start, step, convention, noise, seed, schedule=schedule, **dict(hp)
    )


def run_args(scenario: Scenario, optimizer: str) -> tuple:
    """The leading cache arguments of one optimizer's run in ``scenario``: surface key, optimizer, its
    hyperparameters, convention, start, steps, noise and seed (``run_path``, ``eps_terms`` and
    ``seed_band`` take these first, then the schedule)."""
    key = (scenario.surface, scenario.surface_params)
    hp = tuple(sorted(scenario.hp(optimizer).items()))
    return key, optimizer, hp, scenario.convention, scenario.start, scenario.steps, scenario.noise, scenario.seed


def paths_for(scenario: Scenario) -> tuple[list[PathData], list[str]]:
    """Every shown optimizer's trajectory for ``scenario``, and a note for each that cannot run."""
    paths, notes = [], []
    for name in scenario.optimizers:
        result = run_path(*run_args(scenario, name), scenario.schedule)
        if isinstance(result, str):
            notes.append(f"**{optim.get(name).label}** is not shown: {result}")
        else:
            paths.append(result)
    return paths, notes
