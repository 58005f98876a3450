"""The Maps page's session state: its widget keys, and its settings kept in step with them and the URL.

Per session, never global; the same pattern as the other pages (``views/common/url_sync.py``): ``load``
picks the settings (from the URL on a first visit or when the URL changed from outside, otherwise the stored
ones) and fills every widget key; the widgets draw from those keys; ``from_widgets`` rebuilds the settings;
``save`` stores them and mirrors them in the URL.
"""

from __future__ import annotations

import streamlit as st

import landscapes
import optim
from views.common import presets, url_sync
from views.common.run_settings import RunKeys
from views.common.run_spec import SurfaceKey
from views.common.scenario import Scenario
from views.maps.settings import MapsSettings

KEYS = RunKeys("maps")
SURFACE, OPTIMIZERS, CONVENTION = KEYS.surface, KEYS.optimizers, KEYS.convention
STEPS, START_X, START_Y = KEYS.steps, KEYS.start_x, KEYS.start_y
NOISE, SEED, TOL = KEYS.noise, KEYS.seed, KEYS.tol
RES, RADIUS, METRIC, LRS = "maps.res", "maps.radius", "maps.metric", "maps.lrs"
param_key, hp_key = KEYS.param, KEYS.hp


def widget_values(settings: MapsSettings) -> dict[str, object]:
    return KEYS.values(settings.scenario) | {
        RES: settings.resolution,
        RADIUS: settings.radius,
        METRIC: settings.metric,
        LRS: settings.lr_count,
    }


SYNC = url_sync.Synced("maps", MapsSettings.from_query, widget_values)
STORED, WARNINGS = SYNC.stored_key, SYNC.warnings_key
push, save = SYNC.push, SYNC.save


def load() -> tuple[MapsSettings, list[str]]:
    """The settings to show this run, and any warnings about the URL they came from."""
    settings, warnings, _ = SYNC.load()
    return settings, warnings


def surface_key(stored: MapsSettings) -> SurfaceKey:
    """The surface the widgets hold (a typed formula is carried from the Playground, not edited here)."""
    ss = st.session_state
    surface = ss[SURFACE]
    if surface != landscapes.CUSTOM:
        return surface, tuple(sorted((p.name, float(ss[param_key(p.name)])) for p in landscapes.spec(surface).params))
    if surface == stored.scenario.surface:
        return stored.scenario.surface_key
    return Scenario.default(surface).surface_key


def from_widgets(stored: MapsSettings) -> MapsSettings:
    """Rebuild the settings from the widget values (already within their ranges)."""
    ss = st.session_state
    surface, surface_params = surface_key(stored)
    chosen = KEYS.chosen(ss)
    for name in chosen:
        KEYS.ensure_hp_defaults(surface, name)
    scenario = Scenario(
        surface=surface,
        surface_params=surface_params,
        optimizers=chosen,
        hyperparams=KEYS.hyperparams(ss, chosen),
        present=stored.scenario.present,
        schedule=stored.scenario.schedule,  # set in the Playground (or the link); no widget here
        **KEYS.read(ss),
    )
    return MapsSettings(scenario, int(ss[RES]), float(ss[RADIUS]), str(ss[METRIC]), int(ss[LRS]))


def on_surface_change() -> None:
    """A new surface: its preset hyperparameters and start; optimizers and display settings are kept."""
    old: MapsSettings | None = SYNC.stored()
    surface = st.session_state[SURFACE]
    fresh = Scenario.default(surface)
    if old is None:
        push(MapsSettings(fresh))
        return
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
