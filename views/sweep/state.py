"""The Sweep page's session state: its widget keys, and its settings kept in step with them and the URL.

Per session, never global. Each run: ``load`` picks the settings (from the URL when it was changed from
outside, else seeded from the Playground's view when that changed since the Sweep last looked, else the ones
stored in the session, else defaults) and puts them in the widget keys; the widgets draw from those keys;
``from_widgets`` rebuilds (and validates) the settings; ``save`` stores them and writes them to the URL.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st

import landscapes
import optim
from views.common import presets, url_sync
from views.common.links import playground_scenario
from views.common.run_settings import RunKeys, typed
from views.common.scenario import Scenario
from views.sweep.settings import Axis, SweepJob, SweepSettings, default_axes, fit_axis, numeric_hyperparams
from viz.heatmap import to_plot

KEYS = RunKeys("sw", single=True)
SURFACE, OPTIMIZER, CONVENTION = KEYS.surface, KEYS.optimizers, KEYS.convention
STEPS, TOL, START_X, START_Y = KEYS.steps, KEYS.tol, KEYS.start_x, KEYS.start_y
NOISE, SEED = KEYS.noise, KEYS.seed
SEEDED = "sw.seeded_from"
METRIC, COMPARE, BEST, CELL = "sw.metric", "sw.compare", "sw.best", "sw.cell"
CELL_X, CELL_Y, MAP = "sw.cell.x", "sw.cell.y", "sw.map"
NO_AXIS = "none"
param_key, hp_key = KEYS.param, KEYS.hp


def axis_key(letter: str, part: str = "") -> str:
    return f"sw.{letter}{'.' + part if part else ''}"


def widget_values(settings: SweepSettings) -> dict[str, Any]:
    job = settings.job
    values: dict[str, Any] = KEYS.values(job.scenario(dict(job.fixed))) | {
        METRIC: settings.metric,
        COMPARE: list(settings.compare),
        BEST: settings.best,
        CELL: settings.cell,
    }
    for letter, axis in (("x", job.x), ("y", job.y)):
        values[axis_key(letter)] = NO_AXIS if axis is None else axis.name
        if axis is not None:
            values |= {
                axis_key(letter, "low"): axis.low,
                axis_key(letter, "high"): axis.high,
                axis_key(letter, "n"): axis.count,
                axis_key(letter, "scale"): axis.scale,
            }
    return values


SYNC = url_sync.Synced("sw", SweepSettings.from_query, widget_values)
STORED, WARNINGS = SYNC.stored_key, SYNC.warnings_key
push, commit = SYNC.push, SYNC.commit


def _follow_playground() -> SweepSettings | None:
    """Settings seeded from the Playground's view, when it changed since the Sweep last looked."""
    playground = playground_scenario()
    if playground is None or st.session_state.get(SEEDED) == playground:
        return None
    st.session_state[SEEDED] = playground
    return SweepSettings.from_scenario(playground)


def load() -> tuple[SweepSettings, list[str]]:
    """The settings to show this run, and any warnings about the URL they came from."""
    settings, warnings, _ = SYNC.load(fallback=_follow_playground)
    return settings, warnings


def _axis(letter: str, optimizer: str, warnings: list[str]) -> Axis | None:
    ss = st.session_state
    name = ss.get(axis_key(letter))
    numeric = {p.name: p for p in numeric_hyperparams(optimizer)}
    if name not in numeric:
        return None
    axis, problems = fit_axis(
        numeric[name],
        ss.get(axis_key(letter, "low")),
        ss.get(axis_key(letter, "high")),
        ss.get(axis_key(letter, "n")),
        ss.get(axis_key(letter, "scale")),
        f"{letter} axis ({name})",
    )
    warnings += problems
    return axis


def from_widgets(stored: SweepSettings) -> tuple[SweepSettings, list[str]]:
    """Rebuild the settings from the widget values; typed ranges are validated (with warnings)."""
    ss = st.session_state
    warnings: list[str] = []
    optimizer = ss[OPTIMIZER]
    surface = ss[SURFACE]
    carried = dict(stored.job.surface_params) if stored.job.surface == surface else {}
    for p in landscapes.spec(surface).params:  # built-in surfaces have sliders; a custom one is carried over
        if surface in landscapes.names() and param_key(p.name) in ss:
            carried[p.name] = float(ss[param_key(p.name)])
        else:
            carried.setdefault(p.name, p.default)
    params = tuple(sorted(carried.items()))
    x = _axis("x", optimizer, warnings) or stored.job.x
    y = _axis("y", optimizer, warnings)
    axes = {x.name} | ({y.name} if y else set())
    preset = presets.default_hp(surface, optimizer)
    fixed = tuple(
        sorted(
            (p.name, typed(p, ss.get(hp_key(optimizer, p.name), preset[p.name])))
            for p in optim.get(optimizer).hyperparams
            if p.name not in axes
        )
    )
    job = SweepJob(
        surface=surface,
        surface_params=params,
        optimizer=optimizer,
        x=x,
        y=y,
        fixed=fixed,
        schedule=stored.job.schedule,  # set in the Playground (or the link); no widget here
        **KEYS.read(ss),
    )
    cell = ss.get(CELL) if job == stored.job else None
    compare = tuple(n for n in optim.names() if n in (ss.get(COMPARE) or []))
    settings = replace(stored, job=job, metric=ss[METRIC], cell=cell, compare=compare, best=ss[BEST])
    return settings, warnings


def save(settings: SweepSettings) -> None:
    """Remember the settings for this session and mirror them in the URL (keeping embed options)."""
    SYNC.save(settings)
    st.session_state[CELL] = settings.cell


# ---------------------------------------------------------------- callbacks (run before the script)


def _current() -> SweepSettings:
    return st.session_state[STORED]


def on_surface_change() -> None:
    """A new surface: its parameters, start, steps and the optimizer's preset values; axes kept."""
    old = _current()
    fresh = SweepSettings.from_scenario(Scenario.default(st.session_state[SURFACE]), old.job.optimizer)
    axes = {old.job.x.name} | ({old.job.y.name} if old.job.y else set())
    hp = presets.default_hp(fresh.job.surface, old.job.optimizer)
    job = replace(
        fresh.job,
        convention=old.job.convention,
        schedule=old.job.schedule,
        noise=old.job.noise,
        seed=old.job.seed,
        x=old.job.x,
        y=old.job.y,
        fixed=tuple(sorted((k, v) for k, v in hp.items() if k not in axes)),
    )
    commit(replace(old, job=job, cell=None))


def on_optimizer_change() -> None:
    """A new optimizer: its default axes (at the resolutions chosen so far) and this surface's preset
    hyperparameters."""
    old = _current()
    optimizer = st.session_state[OPTIMIZER]
    x, y = default_axes(optimizer)
    x = replace(x, count=old.job.x.count)
    y = y if y is None or old.job.y is None else replace(y, count=old.job.y.count)
    axes = {x.name} | ({y.name} if y else set())
    hp = presets.default_hp(old.job.surface, optimizer)
    fixed = tuple(sorted((k, v) for k, v in hp.items() if k not in axes))
    commit(replace(old, job=replace(old.job, optimizer=optimizer, x=x, y=y, fixed=fixed), cell=None))


def on_axis_change(letter: str) -> None:
    """A new hyperparameter on an axis: its default range; the other axis moves if it clashes."""
    old = _current()
    ss = st.session_state
    optimizer = old.job.optimizer
    numeric = {p.name: p for p in numeric_hyperparams(optimizer)}
    chosen = ss[axis_key(letter)]
    other_letter = "y" if letter == "x" else "x"
    other = old.job.y if letter == "x" else old.job.x
    axes = {letter: Axis.default(numeric[chosen]) if chosen in numeric else None, other_letter: other}
    if other is not None and axes[letter] is not None and other.name == chosen:
        spare = [n for n in numeric if n != chosen]
        axes[other_letter] = Axis.default(numeric[spare[0]]) if spare else None
    if axes["x"] is None:  # x cannot be empty
        axes["x"] = old.job.x
    names = {a.name for a in axes.values() if a is not None}
    hp = presets.default_hp(old.job.surface, optimizer) | dict(old.job.fixed)
    fixed = tuple(sorted((k, v) for k, v in hp.items() if k not in names))
    commit(replace(old, job=replace(old.job, x=axes["x"], y=axes["y"], fixed=fixed), cell=None))


def cell_at(job: SweepJob, x: float, y: float) -> tuple[int, int]:
    """The cell (column, row) nearest to a point of the map (in its plotting coordinates)."""
    i = int(np.abs(to_plot(job.x.values(), job.x.scale) - x).argmin())
    j = 0 if job.y is None else int(np.abs(to_plot(job.y.values(), job.y.scale) - y).argmin())
    return i, j


def on_map_click() -> None:
    event = st.session_state.get(MAP) or {}
    points = event.get("selection", {}).get("points", [])
    settings: SweepSettings | None = st.session_state.get(STORED)
    if points and settings is not None:
        st.session_state[CELL] = cell_at(settings.job, points[0]["x"], points[0].get("y", 0.0))


def on_cell_pick() -> None:
    st.session_state[CELL] = (int(st.session_state[CELL_X]), int(st.session_state.get(CELL_Y, 0)))


def axis_options(optimizer: str) -> list[str]:
    return [p.name for p in numeric_hyperparams(optimizer)]


def reset_cell() -> None:
    st.session_state[CELL] = None
