"""Cached computations of the Maps page (bounded caches, hashable plain arguments, per optimizer).

Each optimizer's basin sweep and lr sweep is cached on its own, so changing one optimizer's
hyperparameters recomputes only that optimizer. A run that cannot happen (the framework lacks the
optimizer, the start is undefined, ...) returns the reason as a string.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

import optim
from analysis import basins, sensitivity
from ui.compute import SurfaceKey, surface_of

Items = tuple[tuple[str, Any], ...]


@st.cache_data(max_entries=48, show_spinner=False)
def endpoints(
    key: SurfaceKey,
    optimizer: str,
    hp: Items,
    convention: str,
    resolution: int,
    steps: int,
    noise: float,
    seed: int,
    schedule: optim.Schedule | None = None,
) -> basins.Endpoints | str:
    """Where the run from every start of the resolution x resolution grid ended (one batched sweep)."""
    surface = surface_of(key)
    grid = basins.StartGrid.over(surface, resolution)
    try:
        return basins.run_endpoints(optimizer, surface, grid, steps, convention, noise, seed, schedule, **dict(hp))
    except ValueError as error:
        return str(error)


@st.cache_data(max_entries=128, show_spinner=False)
def lr_curve(
    key: SurfaceKey,
    optimizer: str,
    hp: Items,
    convention: str,
    start: tuple[float, float],
    steps: int,
    tol: float,
    noise: float,
    seed: int,
    count: int,
    schedule: optim.Schedule | None = None,
) -> sensitivity.Curve | str:
    """The optimizer's response over ``count`` log-spaced learning rates (its other settings fixed)."""
    surface = surface_of(key)
    lrs = sensitivity.lr_grid(optimizer, count)
    try:
        return sensitivity.sensitivity(
            optimizer, surface, start, lrs, steps, tol, convention, noise, seed, schedule, **dict(hp)
        )
    except ValueError as error:
        return str(error)
