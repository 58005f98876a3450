"""The Maps page's cached computations (bounded caches, one RunSpec per optimizer).

Each optimizer's basin sweep and lr sweep is cached on its own, so changing one optimizer's
hyperparameters recomputes only that optimizer. A run that cannot happen (the framework lacks the
optimizer, the start is undefined, ...) returns the reason as a string.
"""

from __future__ import annotations

import streamlit as st

from analysis import basins, sensitivity
from views.common.run_spec import RunSpec


@st.cache_data(max_entries=48, show_spinner=False)
def endpoints(spec: RunSpec, resolution: int) -> basins.Endpoints | str:
    """Where the run from every start of the resolution x resolution grid ended (one batched sweep); the
    spec's start is not used (pass ``start=None`` so that moving it does not recompute the map)."""
    surface = spec.surface()
    grid = basins.StartGrid.over(surface, resolution)
    try:
        return basins.run_endpoints(
            spec.optimizer,
            surface,
            grid,
            spec.steps,
            spec.convention,
            spec.noise,
            spec.seed,
            spec.schedule,
            **spec.hyperparams(),
        )
    except ValueError as error:
        return str(error)


@st.cache_data(max_entries=128, show_spinner=False)
def lr_curve(spec: RunSpec, tol: float, count: int) -> sensitivity.Curve | str:
    """The optimizer's response over ``count`` log-spaced learning rates (its other settings as in ``spec``)."""
    lrs = sensitivity.lr_grid(spec.optimizer, count)
    try:
        return sensitivity.sensitivity(
            spec.optimizer,
            spec.surface(),
            spec.start,
            lrs,
            spec.steps,
            tol,
            spec.convention,
            spec.noise,
            spec.seed,
            spec.schedule,
            **spec.hyperparams(),
        )
    except ValueError as error:
        return str(error)
