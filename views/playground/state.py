"""The Playground's session state: its widget keys, and its Scenario kept in step with them and the URL.

Per session, never global. Each run: ``load`` picks the scenario (from the URL on a first visit or when the
URL was changed from outside, otherwise the one stored in the session) and makes sure every widget key holds
a value; the widgets draw from those keys; ``from_widgets`` rebuilds the scenario; ``save`` stores it and
writes it to the URL (``views/common/url_sync.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st
from streamlit import config
from streamlit.errors import StreamlitAPIException

import landscapes
from landscapes.custom import DOMAIN_PARAMS
from views.common import schedule as schedule_ui
from views.common import url_sync
from views.common.links import PLAYGROUND_SCENARIO
from views.common.run_settings import RunKeys
from views.common.run_spec import Items
from views.common.scenario import BANDS_DEFAULT, Scenario, normal_focus

KEYS = RunKeys("pg")
SURFACE, OPTIMIZERS, CONVENTION = KEYS.surface, KEYS.optimizers, KEYS.convention
STEPS, START_X, START_Y = KEYS.steps, KEYS.start_x, KEYS.start_y
NOISE, SEED, TOL = KEYS.noise, KEYS.seed, KEYS.tol
PRESENT = "pg.present"
BANDS = "pg.bands"  # noise-band seeds per optimizer (0: off)
FOCUS = "pg.focus"  # the optimizer in focus (its live sliders beside the contour)
RIGHT_CHART = "pg.right"  # the chart under the loss: effective learning rates or accumulators
CURV, MULTI, STEP_K = "pg.curv", "pg.multi", "pg.inspect_step"  # STEP_K: the step inspector's slider too
EFFECTIVE_LR, ACCUMULATORS = "effective_lr", "accumulators"  # the options of RIGHT_CHART
FROM_URL = "pg.from_url"  # the scenario last read from the URL (a teacher link's locked values)
SHARE = "pg.share"  # the sidebar's "Share this view" expander (True while open)
SIDEBAR = "pg.sidebar"  # what the sidebar showed at the end of the last whole-page run (``sidebar_shows``)
RESULTS = "pg.results"  # the key of the results fragment (views/playground/page.py): ``st.rerun(RESULTS)``
DRAWN = "pg.results_drawn"  # True when the last whole-page run drew the results fragment
CHANGED = "pg.changed"  # query keys a sidebar widget just changed and shows itself (``results_only``)
HYPERPARAMETERS = "pg.hyperparameters"  # the key of the optimizers' expanders' fragment in the sidebar
#: Query keys of settings drawn in the main area only (outside presentation mode): a results-only run may change them.
MAIN_AREA = frozenset({"focus", "acc", "multi", "curv", "k"})
param_key, hp_key, open_key, set_start = KEYS.param, KEYS.hp, KEYS.open, KEYS.set_start


def widget_values(scenario: Scenario) -> dict[str, object]:
    """Every widget key and the value it must show for ``scenario``."""
    return (
        KEYS.values(scenario)
        | {
            PRESENT: scenario.present,
            BANDS: scenario.bands,
            CURV: scenario.curv,
            MULTI: scenario.multi,
            STEP_K: scenario.k,
            FOCUS: scenario.focused,
            RIGHT_CHART: ACCUMULATORS if scenario.acc else EFFECTIVE_LR,
        }
        | schedule_ui.widget_values(scenario.schedule)
    )


SYNC = url_sync.Synced("pg", Scenario.from_query, widget_values, store=PLAYGROUND_SCENARIO.removeprefix("pg."))
STORED, WARNINGS = SYNC.stored_key, SYNC.warnings_key
push, save = SYNC.push, SYNC.save


def load() -> tuple[Scenario, list[str]]:
    """The scenario to show this run, and any warnings about the URL it came from."""
    scenario, warnings, from_url = SYNC.load()
    if from_url:
        st.session_state[FROM_URL] = scenario  # a teacher link's locked values
    return scenario, warnings


def ensure_hp_defaults(surface: str, optimizer: str) -> None:
    """A newly chosen optimizer starts from this surface's preset."""
    KEYS.ensure_hp_defaults(surface, optimizer)


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
    chosen = KEYS.chosen(ss)
    steps = int(ss[STEPS])
    return Scenario(
        surface=surface,
        surface_params=params,
        optimizers=chosen,
        hyperparams=KEYS.hyperparams(ss, chosen),
        present=bool(ss[PRESENT]),
        schedule=schedule_ui.from_session(ss),
        bands=int(ss.get(BANDS, BANDS_DEFAULT)),
        curv=bool(ss.get(CURV, False)),
        k=max(0, min(int(ss.get(STEP_K, 0)), steps - 1)),
        multi=bool(ss.get(MULTI, False)),
        focus=normal_focus(ss.get(FOCUS), chosen),
        acc=ss.get(RIGHT_CHART) == ACCUMULATORS,
        **KEYS.read(ss),
    )


def sidebar_shows(scenario: Scenario) -> dict[str, str]:
    """What the sidebar shows of ``scenario``, as query parameters: all of it while the share link is open,
    else all but the main area's own settings and the hyperparameters of optimizers whose expander is closed."""
    query = scenario.to_query()
    if st.session_state.get(SHARE):
        return query
    closed = {name for name in scenario.optimizers if not st.session_state.get(open_key(name))}
    return {k: v for k, v in query.items() if k not in MAIN_AREA and k.split(".")[0] not in closed}


def note_sidebar(scenario: Scenario) -> None:
    """Remember what the sidebar shows at the end of a whole-page run."""
    st.session_state[SIDEBAR] = sidebar_shows(scenario)


def sidebar_outdated(scenario: Scenario) -> bool:
    """True when ``scenario`` (read by a results-only run) would show differently in the sidebar than it does.

    What a sidebar widget changed in a ``results_only`` run is shown by that widget itself: it is taken as shown."""
    ss = st.session_state
    shown, before = sidebar_shows(scenario), ss.get(SIDEBAR)
    changed = ss.pop(CHANGED, frozenset())
    if before is None:
        return True
    differ = {k for k in shown.keys() | before.keys() if shown.get(k) != before.get(k)}
    if differ and differ <= changed:
        ss[SIDEBAR] = shown
        return False
    return bool(differ)


def _partial_rerun_allowed() -> bool:
    """Whether a widget's change may rerun some fragments only (each costs a fraction of a whole page's run:
    bench/load/run.py). Not when the page shows more of the change: the share link is open, the header shows a
    link's warnings, or the last whole-page run did not draw the results fragment (presentation mode, a class poll,
    a question before the guess). Nor under AppTest, which starts each run with an empty page registry and an empty
    page, so it cannot show a run of fragments alone (tests/test_load_smoke.py runs them against a real server)."""
    ss = st.session_state
    if not ss.get(DRAWN) or ss.get(SHARE) or ss.get(WARNINGS):
        return False
    return not config.get_option("global.appTest")


def _rerun(fragments: list[str], changed: frozenset[str]) -> bool:
    """Rerun only ``fragments`` (from a widget callback: raises Streamlit's RerunException); False when Streamlit
    does not know one of them."""
    st.session_state[CHANGED] = changed
    try:
        st.rerun(fragments)
    except StreamlitAPIException:  # a fragment is not known to this session (yet)
        st.session_state.pop(CHANGED, None)
        return False


def results_only(*query_keys: str) -> Callable[[], None]:
    """The ``on_change`` of a sidebar widget that shows nothing but its own value (of these query keys): its change
    reruns the results fragment alone, not the whole page (the sidebar, the header and the share link stay as they
    are), unless the page shows more of it (``_partial_rerun_allowed``; the schedule's preview shows the steps)."""
    changed = frozenset(query_keys)

    def callback() -> None:
        if not _partial_rerun_allowed() or ("steps" in changed and st.session_state.get(schedule_ui.OPEN)):
            return  # Streamlit's default: the whole page reruns
        _rerun([RESULTS], changed)

    return callback


def with_hyperparameters(inside: bool) -> Callable[[], None]:
    """The ``on_change`` of a control the optimizers' expanders depend on (the optimizers, the convention) or that
    sits in them (``inside``: a hyperparameter): its change reruns the expanders' fragment (``HYPERPARAMETERS``,
    which records what the sidebar then shows) and the results, not the rest of the page, unless the page shows
    more of it (``_partial_rerun_allowed``). A control inside the expanders' fragment would rerun that fragment
    alone by default: it asks for the whole page explicitly then."""

    def callback() -> None:
        if _partial_rerun_allowed() and _rerun([HYPERPARAMETERS, RESULTS], frozenset()):
            return
        if inside:
            st.rerun()

    return callback


# ---------------------------------------------------------------- callbacks (run before the script)


def on_surface_change() -> None:
    """A new surface starts from its preset; the convention and display settings are kept."""
    old: Scenario | None = st.session_state.get(STORED)
    fresh = Scenario.default(st.session_state[SURFACE])
    if old is not None:  # like the convention, the schedule and the noise (with its bands) outlive the surface
        fresh = fresh.with_changes(
            convention=old.convention,
            schedule=old.schedule,
            noise=old.noise,
            seed=old.seed,
            bands=old.bands,
            tol=old.tol,
            present=old.present,
            curv=old.curv,
            multi=old.multi,
        )
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
