"""Keeping the Maps page's settings, its widgets and the URL in step (per session, never global).

Same pattern as ``ui.state`` for the Playground, with its own keys: ``load`` picks the settings
(from the URL on a first visit or when the URL changed from outside, otherwise the stored ones) and
fills every widget key; the widgets draw from those keys; ``from_widgets`` rebuilds the settings;
``save`` stores them and mirrors them in the URL.
"""

from __future__ import annotations

import streamlit as st

import landscapes
import optim
import presets
from maps_settings import MapsSettings
from scenario import Scenario
from ui import url_sync

STORED, WARNINGS = "maps.settings", "maps.warnings"
SURFACE, OPTIMIZERS, CONVENTION = "maps.surface", "maps.optimizers", "maps.convention"
STEPS, START_X, START_Y = "maps.steps", "maps.start_x", "maps.start_y"
NOISE, SEED, TOL = "maps.noise", "maps.seed", "maps.tol"
RES, RADIUS, METRIC, LRS = "maps.res", "maps.radius", "maps.metric", "maps.lrs"


def param_key(name: str) -> str:
    return f"maps.param.{name}"


def hp_key(optimizer: str, name: str) -> str:
    return f"maps.hp.{optimizer}.{name}"


def editable_params(surface: str) -> tuple:
    """The surface's numeric parameters with sliders here (none for surfaces the registry does not list)."""
    try:
        return landscapes.spec(surface).params
    except ValueError:
        return ()


def widget_values(settings: MapsSettings) -> dict[str, object]:
    s = settings.scenario
    values: dict[str, object] = {
        SURFACE: s.surface,
        OPTIMIZERS: list(s.optimizers),
        CONVENTION: s.convention,
        STEPS: s.steps,
        START_X: float(s.start[0]),
        START_Y: float(s.start[1]),
        NOISE: s.noise,
        SEED: s.seed,
        TOL: s.tol,
        RES: settings.resolution,
        RADIUS: settings.radius,
        METRIC: settings.metric,
        LRS: settings.lr_count,
    }
    editable = {p.name for p in editable_params(s.surface)}
    values |= {param_key(k): v for k, v in s.surface_params if k in editable}
    for name, items in s.hyperparams:
        values |= {hp_key(name, k): v for k, v in items}
    return values


def push(settings: MapsSettings, only_missing: bool = False) -> None:
    """Write ``settings`` into the widget keys (before the widgets are drawn, or in a callback)."""
    url_sync.write_widgets(widget_values(settings), only_missing)


def load() -> tuple[MapsSettings, list[str]]:
    """The settings to show this run, and any warnings about the URL they came from."""
    settings, warnings, _ = url_sync.load(STORED, WARNINGS, MapsSettings.from_query, push)
    return settings, warnings


def ensure_hp_defaults(surface: str, optimizer: str) -> None:
    url_sync.ensure_hp_defaults(surface, optimizer, hp_key)


def from_widgets(stored: MapsSettings) -> MapsSettings:
    """Rebuild the settings from the widget values (already within their ranges)."""
    ss = st.session_state
    surface = ss[SURFACE]
    params = editable_params(surface)
    if params:
        surface_params = tuple(sorted((p.name, float(ss[param_key(p.name)])) for p in params))
    elif surface == stored.scenario.surface:
        surface_params = stored.scenario.surface_params
    else:
        surface_params = ()
    chosen = tuple(n for n in optim.names() if n in (ss.get(OPTIMIZERS) or []))
    for name in chosen:
        ensure_hp_defaults(surface, name)
    hyperparams = url_sync.hyperparams(chosen, hp_key)
    scenario = Scenario(
        surface=surface,
        surface_params=surface_params,
        optimizers=chosen,
        hyperparams=hyperparams,
        convention=ss[CONVENTION],
        start=(float(ss[START_X]), float(ss[START_Y])),
        steps=int(ss[STEPS]),
        noise=float(ss[NOISE]),
        seed=int(ss[SEED]),
        tol=float(ss[TOL]),
        present=stored.scenario.present,
        schedule=stored.scenario.schedule,  # set in the Playground (or the link); no widget here
    )
    return MapsSettings(scenario, int(ss[RES]), float(ss[RADIUS]), str(ss[METRIC]), int(ss[LRS]))


def save(settings: MapsSettings) -> None:
    st.session_state[STORED] = settings
    url_sync.mirror(settings.to_query())


def on_surface_change() -> None:
    """A new surface: its preset hyperparameters and start; optimizers and display settings are kept."""
    old: MapsSettings | None = st.session_state.get(STORED)
    surface = st.session_state[SURFACE]
    fresh = Scenario.default(surface)
    if old is not None:
        chosen = old.scenario.optimizers
        fresh = fresh.with_changes(
            optimizers=chosen,
            hyperparams=tuple((n, tuple(sorted(presets.default_hp(surface, n).items()))) for n in chosen),
            convention=old.scenario.convention,
            steps=old.scenario.steps,
            noise=old.scenario.noise,
            seed=old.scenario.seed,
            tol=old.scenario.tol,
            present=old.scenario.present,
            schedule=old.scenario.schedule,
        )
        for name in optim.names():  # unchosen optimizers start from the new surface's preset when picked
            if name not in chosen:
                for p in optim.get(name).hyperparams:
                    st.session_state.pop(hp_key(name, p.name), None)
        push(old.with_changes(scenario=fresh))
    else:
        push(MapsSettings(fresh))
