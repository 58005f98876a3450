"""Keeping the Playground's Scenario, its widgets and the URL in step (per session, never global).

Each run: ``load`` picks the scenario (from the URL on a first visit or when the URL was changed
from outside, otherwise the one stored in the session) and makes sure every widget key holds a
value; the widgets draw from those keys; ``from_widgets`` rebuilds the scenario; ``save``
stores it and writes it to the URL.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import landscapes
import optim
from landscapes.custom import DOMAIN_PARAMS
from scenario import BANDS_DEFAULT, Items, Scenario
from ui import schedule as schedule_ui
from ui import url_sync
from ui.links import playground_url

STORED, WARNINGS = "pg.scenario", "pg.warnings"
SURFACE, OPTIMIZERS, CONVENTION = "pg.surface", "pg.optimizers", "pg.convention"
STEPS, START_X, START_Y = "pg.steps", "pg.start_x", "pg.start_y"
NOISE, SEED, TOL, PRESENT = "pg.noise", "pg.seed", "pg.tol", "pg.present"
BANDS = "pg.bands"  # noise-band seeds per optimizer (0: off)
CURV, MULTI, STEP_K = "pg.curv", "pg.multi", "pg.inspect_step"  # STEP_K: the step inspector's slider too
FROM_URL = "pg.from_url"  # the scenario last read from the URL (a teacher link's locked values)


def param_key(name: str) -> str:
    return f"pg.param.{name}"


def hp_key(optimizer: str, name: str) -> str:
    return f"pg.hp.{optimizer}.{name}"


def open_key(section: str) -> str:
    """The key of a sidebar expander that draws its controls only while open (an optimizer's name, or
    "sched" for the learning-rate schedule)."""
    return f"pg.open.{section}"


def widget_values(scenario: Scenario) -> dict[str, object]:
    """Every widget key and the value it must show for ``scenario``."""
    values: dict[str, object] = {
        SURFACE: scenario.surface,
        OPTIMIZERS: list(scenario.optimizers),
        CONVENTION: scenario.convention,
        STEPS: scenario.steps,
        START_X: float(scenario.start[0]),
        START_Y: float(scenario.start[1]),
        NOISE: scenario.noise,
        SEED: scenario.seed,
        TOL: scenario.tol,
        PRESENT: scenario.present,
        BANDS: scenario.bands,
        CURV: scenario.curv,
        MULTI: scenario.multi,
        STEP_K: scenario.k,
    }
    values |= {param_key(k): v for k, v in scenario.surface_params}
    values |= schedule_ui.widget_values(scenario.schedule)
    for name, items in scenario.hyperparams:
        values |= {hp_key(name, k): v for k, v in items}
    return values


def push(scenario: Scenario, only_missing: bool = False) -> None:
    """Write ``scenario`` into the widget keys (call before the widgets are drawn, or in a callback)."""
    url_sync.write_widgets(widget_values(scenario), only_missing)


def load() -> tuple[Scenario, list[str]]:
    """The scenario to show this run, and any warnings about the URL it came from."""
    scenario, warnings, from_url = url_sync.load(STORED, WARNINGS, Scenario.from_query, push)
    if from_url:
        st.session_state[FROM_URL] = scenario  # a teacher link's locked values
    return scenario, warnings


def ensure_hp_defaults(surface: str, optimizer: str) -> None:
    """A newly chosen optimizer starts from this surface's preset."""
    url_sync.ensure_hp_defaults(surface, optimizer, hp_key)


def surface_params(surface: str) -> tuple[Items, ValueError | None]:
    """The surface parameters the widgets hold, checked. A custom formula (or region) that cannot be used
    gives the last valid one of this session (else the default example) and the error saying why."""
    ss = st.session_state
    spec = landscapes.spec(surface)
    if surface != landscapes.CUSTOM:
        return tuple(sorted((p.name, float(ss[param_key(p.name)])) for p in spec.params)), None
    typed = {p.name: ss.get(param_key(p.name), p.default) for p in spec.params}
    try:
        return tuple(sorted(landscapes.get(surface, **typed).params.items())), None
    except ValueError as error:
        stored: Scenario | None = ss.get(STORED)
        if stored is not None and stored.surface == surface:
            return stored.surface_params, error
        return Scenario.default(surface).surface_params, error


def current_surface() -> landscapes.Surface:
    """The surface the widgets describe (the last valid one while a typed formula has an error)."""
    surface = st.session_state[SURFACE]
    return landscapes.get(surface, **dict(surface_params(surface)[0]))


def from_widgets() -> Scenario:
    """Rebuild the scenario from the widget values (already within their ranges)."""
    ss = st.session_state
    surface = ss[SURFACE]
    params, _ = surface_params(surface)
    chosen = tuple(n for n in optim.names() if n in (ss.get(OPTIMIZERS) or []))
    hyperparams = url_sync.hyperparams(chosen, hp_key)
    return Scenario(
        surface=surface,
        surface_params=params,
        optimizers=chosen,
        hyperparams=hyperparams,
        convention=ss[CONVENTION],
        start=(float(ss[START_X]), float(ss[START_Y])),
        steps=int(ss[STEPS]),
        noise=float(ss[NOISE]),
        seed=int(ss[SEED]),
        tol=float(ss[TOL]),
        present=bool(ss[PRESENT]),
        schedule=schedule_ui.from_session(ss),
        bands=int(ss.get(BANDS, BANDS_DEFAULT)),
        curv=bool(ss.get(CURV, False)),
        k=max(0, min(int(ss.get(STEP_K, 0)), int(ss[STEPS]) - 1)),
        multi=bool(ss.get(MULTI, False)),
    )


def save(scenario: Scenario) -> None:
    """Remember the scenario for this session and mirror it in the URL (keeping embed options)."""
    st.session_state[STORED] = scenario
    url_sync.mirror(scenario.to_query())


def share_url(scenario: Scenario) -> str:
    """Absolute link to this view when the browser's address is known, else a relative one."""
    return playground_url(scenario)


# ---------------------------------------------------------------- callbacks (run before the script)


def on_surface_change() -> None:
    """A new surface starts from its preset; the convention and display settings are kept."""
    old: Scenario | None = st.session_state.get(STORED)
    fresh = Scenario.default(st.session_state[SURFACE])
    if old is not None:
        fresh = fresh.with_changes(schedule=old.schedule)  # like the convention, it outlives the surface
        fresh = fresh.with_changes(
            convention=old.convention, noise=old.noise, seed=old.seed, tol=old.tol, present=old.present
        ).with_changes(curv=old.curv, multi=old.multi)
    if old is not None:
        fresh = fresh.with_changes(bands=old.bands)  # the noise bands stay with the noise
    push(fresh)


def on_reset() -> None:
    """Back to this surface's preset view; the framework convention, presentation mode and a typed
    formula are kept."""
    old: Scenario | None = st.session_state.get(STORED)
    surface = st.session_state[SURFACE]
    kept = dict(surface_params(surface)[0]) if surface == landscapes.CUSTOM else None
    fresh = Scenario.default(surface, kept)
    if old is not None:
        fresh = fresh.with_changes(convention=old.convention, present=old.present, curv=old.curv, multi=old.multi)
    push(fresh)


def on_formula_change() -> None:
    """A new formula or region keeps the start if it still lies inside and f is defined there."""
    params, error = surface_params(landscapes.CUSTOM)
    if error is not None:
        return  # the last valid surface stays, and so does its start
    surface = landscapes.get(landscapes.CUSTOM, **dict(params))
    x, y = st.session_state.get(START_X), st.session_state.get(START_Y)
    if x is None or y is None or not _usable_start(surface, float(x), float(y)):
        set_start(*surface.start)


def use_example(expr: str, domain: tuple[tuple[float, float], tuple[float, float]]) -> None:
    """Fill the formula box and region with an example, starting from its default start."""
    values = dict(zip(DOMAIN_PARAMS, (*domain[0], *domain[1]), strict=True))
    st.session_state[param_key("expr")] = expr
    for name, value in values.items():
        st.session_state[param_key(name)] = float(value)
    set_start(*landscapes.get(landscapes.CUSTOM, expr=expr, **values).start)


def _usable_start(surface: landscapes.Surface, x: float, y: float) -> bool:
    (x0, x1), (y0, y1) = surface.domain
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    value, grad = surface.value_and_grad_xy(np.array(x), np.array(y))
    return bool(np.isfinite(value) and np.isfinite(grad).all())


def clamp_start(x_range: tuple[float, float], y_range: tuple[float, float]) -> None:
    """Keep the start widgets inside the plotted region (number inputs reject values outside their range)."""
    ss = st.session_state
    x, y = float(ss[START_X]), float(ss[START_Y])
    inside = (min(max(x, x_range[0]), x_range[1]), min(max(y, y_range[0]), y_range[1]))
    if inside != (x, y):
        set_start(*inside)


def set_start(x: float, y: float) -> None:
    st.session_state[START_X], st.session_state[START_Y] = float(x), float(y)
