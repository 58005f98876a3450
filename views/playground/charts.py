"""The Playground's three live charts: the contour (or small multiples) with the focus optimizer's sliders and
playback, the loss curves and the effective learning rates.

While the student drags a focus slider, all three switch in the browser between runs computed ahead of time
for every stop of that slider (views/common/knobs.py); the release sets the hyperparameter like the sidebar's
slider, and the page's normal rerun settles everything else (URL, summary, inspector).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import landscapes
import optim
from views.common import compute
from views.common.controls import PERSIST
from views.common.knobs import Knob, knobs_for
from views.common.live import Playback, live_chart
from views.common.run_settings import Gate
from views.common.scenario import Scenario
from views.playground import state
from views.playground.bands import band_caption, dominance_for, eps_caption
from views.playground.compute import accumulators, multiples_background
from viz.accumulator import accumulator_figure
from viz.bands import seed_path_traces
from viz.contour import contour_figure
from viz.curvature import CurvatureMark, curvature_traces
from viz.curves import effective_lr_figure, loss_figure
from viz.multiples import multiples_figure
from viz.paths import PathData
from viz.style import Theme

GROUP = "pg"
CONTOUR_KEY, LOSS_KEY, LR_KEY, ACC_KEY, KNOBS_KEY = "pg.contour", "pg.loss", "pg.lr", "pg.acc", "pg.knobs"
CHARTS = ("map", "loss", "lr")


def focus_knobs(scenario: Scenario, link: Gate) -> list[Knob]:
    """The focus optimizer's live sliders (those a teacher link hides are left out, locked ones disabled)."""
    focus = scenario.focused
    if focus is None or not optim.get(focus).supports(scenario.convention):
        return []
    shown = [k for k in knobs_for(focus, scenario.hp(focus), scenario.convention) if link.shown(f"{focus}.{k.name}")]
    return [k if not link.locked(f"{focus}.{k.name}") else Knob(k.name, k.label, k.stops, k.index, True) for k in shown]


def _on_release(name: str, value: float) -> None:
    """A released focus slider: the same as moving that hyperparameter's slider in the sidebar."""
    stored: Scenario | None = st.session_state.get(state.STORED)
    focus = stored.focused if stored is not None else None
    if focus is not None and name in {p.name for p in optim.get(focus).hyperparams}:
        st.session_state[state.hp_key(focus, name)] = value


def _on_click(x: float, y: float) -> None:
    """A click on the contour sets the start (clamped to the surface that was clicked)."""
    stored: Scenario | None = st.session_state.get(state.STORED)
    if stored is not None:
        (x0, x1), (y0, y1) = stored.landscape().domain
        state.set_start(min(max(x, x0), x1), min(max(y, y0), y1))


def draw(
    scenario: Scenario,
    surface: landscapes.Surface,
    grid,
    paths: list[PathData],
    bands: dict,
    marks: list[CurvatureMark],
    theme: Theme,
    link: Gate,
    side: Callable[[], None] | None = None,
) -> None:
    """The contour (or one panel per optimizer), the loss and the effective-lr charts, in two columns. In
    presentation mode ``side`` (the view controls) is drawn beside the map, above its sliders."""
    focus = scenario.focused if paths else None
    knobs = focus_knobs(scenario, link) if focus in {p.name for p in paths} else []
    runs = compute.live_runs(scenario.run_spec(focus), knobs, surface.min_value, CHARTS) if knobs else {}
    # A knob whose runs could not be computed ahead (e.g. stops the convention rejects) cannot move live.
    knobs = [k if k.name in runs.get("map", {}) else Knob(k.name, k.label, k.stops, k.index, True) for k in knobs]
    title = ""
    if knobs:
        label = optim.get(focus).label
        title = f"{label}: drag a slider" if scenario.present else f"Drag {label}'s sliders: the paths follow"
    live = [focus] if knobs else []
    start_free = not link.locked("start")
    map_options = {
        "key": CONTOUR_KEY,
        "group": GROUP,
        "layered": True,
        "live": runs.get("map"),
        "play": Playback(max(len(p.xy) for p in paths) - 1) if paths else None,
        "on_click": _on_click if start_free else None,
    }
    if scenario.multi and paths:
        if scenario.present and side is not None:
            side()
        background = multiples_background(scenario.surface_key, theme)
        overlays = {m.name: curvature_traces([m], surface.domain, theme) for m in marks}
        figure = multiples_figure(surface, background, paths, scenario.start, theme, overlays=overlays, live=live)
        live_chart(figure, **map_options)
        knob_sliders(knobs, title)
        loss_box, lr_box = st.columns(2, gap="medium")
    else:
        left, right = st.columns([3, 2], gap="medium")
        loss_box = lr_box = right
        with left:
            figure = contour_figure(
                surface,
                grid,
                paths,
                scenario.start,
                theme,
                height=560,
                background=compute.contour_background(scenario.surface_key, theme)
                + seed_path_traces(paths, bands, theme),
                overlays=curvature_traces(marks, surface.domain, theme),
                focus=focus,
                live=live,
            )
            live_chart(figure, fit=True, **map_options)
        with right:
            if scenario.present and side is not None:
                side()
            knob_sliders(knobs, title)  # beside the map and above the loss they move
    with loss_box:
        height = 205 if scenario.present else 290  # presentation: the loss fits beside the map on a projector
        figure = loss_figure(paths, surface.min_value, theme, height=height, bands=bands, focus=focus, live=live)
        live_chart(figure, key=LOSS_KEY, group=GROUP, live=runs.get("loss"))
        if caption := band_caption(paths, bands):
            st.caption(caption)
    with lr_box:
        right_chart_control(link)
        if scenario.acc:
            accumulators_chart(scenario, paths, theme)
        else:
            dominance = dominance_for(scenario, paths)
            figure = effective_lr_figure(paths, theme, height=290, dominance=dominance, focus=focus)
            live_chart(figure, key=LR_KEY, group=GROUP, live=runs.get("lr"))
            st.caption(effective_lr_caption(scenario, focus))
            if caption := eps_caption(paths, dominance):
                st.caption(caption)


def knob_sliders(knobs: list[Knob], title: str) -> None:
    """The focus optimizer's live sliders (if it has any): a chart of their own that moves the group's charts."""
    if knobs:
        live_chart(None, key=KNOBS_KEY, group=GROUP, knobs=knobs, knobs_title=title, on_release=_on_release)


def effective_lr_caption(scenario: Scenario, focus: str | None) -> str:
    """What the effective learning rate is, with the focus optimizer's formula in the view's convention."""
    text = r"$\eta^{\mathrm{eff}}_t$ is the factor that multiplies each component of the step's direction, per axis"
    if focus is None or not optim.get(focus).supports(scenario.convention):
        return text + "."
    rule = optim.effective_lr_equation(focus, scenario.convention, scenario.hp(focus))
    label, framework = optim.get(focus).label, optim.CONVENTIONS[scenario.convention]
    if rule is None:
        return text + f". {label}'s {framework} update adds more than one term, so it has no single factor."
    equation, direction = rule
    step = rf"$\theta_t = \theta_{{t-1}} - \eta^{{\mathrm{{eff}}}}_t\, {direction}$"
    return f"{text}: {step}. {label} ({framework}): ${equation}$."


def right_chart_control(link: Gate) -> None:
    """Effective learning rates or the accumulators behind them (a teacher link's ``view`` may fix it)."""
    if not link.shown("view"):
        return
    st.segmented_control(
        "Below the loss",
        [state.EFFECTIVE_LR, state.ACCUMULATORS],
        key=state.RIGHT_CHART,
        format_func={state.EFFECTIVE_LR: "Effective learning rate", state.ACCUMULATORS: "Accumulators"}.get,
        required=True,
        disabled=link.locked("view"),
        persist_state=PERSIST,
        label_visibility="collapsed",
        help="The effective learning rate is the factor that multiplies each gradient component; the "
        "accumulators are the running sums or averages it is computed from. Travels in the link.",
    )


def accumulators_chart(scenario: Scenario, paths: list[PathData], theme: Theme) -> None:
    """Each adaptive optimizer's accumulators per axis, with g² faintly behind (in the chosen convention)."""
    histories = [h for h in (accumulators(scenario.run_spec(p.name)) for p in paths) if h is not None]
    if not histories:
        st.info(
            "None of the optimizers shown keeps an accumulator (SGD, momentum and Nesterov step with the "
            "gradient itself).",
            icon=":material/info:",
        )
        return
    live_chart(accumulator_figure(histories, theme, height=290), key=ACC_KEY, group=GROUP)
    st.caption(
        "Row t is the state after t updates (t = 0: where the convention starts it; TensorFlow 1's v starts at 1). "
        "The faint lines are g_t², what the averages are fed. Signed averages (m, ḡ) are drawn squared, in the "
        "same units as v."
    )
