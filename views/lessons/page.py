"""Lessons: short guided stories, each with live charts and a link that opens its preset in the Playground.

The texts and presets live in ``content.py`` (tested claim by claim); this page only lays them out.
The last entry lists the update rule of every optimizer in a chosen convention.
"""

from __future__ import annotations

import streamlit as st

import optim
from views.common import compute, links, look, predict
from views.common.knobs import knobs_for
from views.common.live import Playback, live_chart
from views.common.rules import rule_latex, verified_note
from views.common.scenario import Scenario
from views.common.stops import format_number
from views.lessons import content as lessons
from views.lessons import state
from views.lessons.content import Lesson, View
from viz.contour import contour_figure
from viz.curves import effective_lr_figure, loss_figure, step_size_figure


def _equations(lesson: Lesson) -> None:
    conventions = list(dict.fromkeys(view.scenario.convention for view in lesson.views))
    for name in lesson.equations:
        hp = next((v.scenario.hp(name) for v in lesson.views if name in v.scenario.optimizers), {})
        for convention in conventions:
            where = f" ({optim.CONVENTIONS[convention]})" if len(conventions) > 1 else ""
            st.markdown(f"**{optim.get(name).label}{where}**")
            st.latex(rule_latex(name, convention, hp))
    st.caption(" · ".join(dict.fromkeys(optim.symbol_legend(name) for name in lesson.equations)))


def _knob_key(index: int) -> str:
    return f"ls.knob.{st.session_state[state.LESSON]}.{index}"


def _shown(view: View, index: int) -> Scenario:
    """The view's preset, with the value the student left its live slider at (if any)."""
    value = st.session_state.get(_knob_key(index))
    preset = view.scenario
    if view.knob is None or value is None:
        return preset
    hp = tuple(sorted((preset.hp(view.focus) | {view.knob: value}).items()))
    return preset.with_changes(hyperparams=tuple((n, hp if n == view.focus else v) for n, v in preset.hyperparams))


def _chart_kind(view: View) -> str:
    """The live-chart kind of the view's second chart (views/common/knobs.py CHARTS)."""
    return {"effective_lr": "lr", "step_size": "step"}.get(view.chart, "loss")


def _knob_note(view: View, index: int, scenario: Scenario) -> None:
    """When the student left the slider away from the lesson's value: say so, and offer the way back."""
    if scenario == view.scenario:
        return
    shown, preset = scenario.hp(view.focus)[view.knob], view.scenario.hp(view.focus)[view.knob]
    st.caption(
        f"Showing {view.knob} = {format_number(shown)}; the text is about {view.knob} = {format_number(preset)}."
    )
    st.button(
        "Back to the lesson's value",
        key=f"{_knob_key(index)}.back",
        on_click=st.session_state.pop,
        args=(_knob_key(index),),
    )


def _view(view: View, index: int, present: bool) -> None:
    scenario = _shown(view, index)
    theme = look.current_theme(present)
    key = scenario.surface_key
    surface = compute.surface_of(key)
    paths, notes = compute.paths_for(scenario)
    st.header(view.caption, divider="gray")
    for note in notes:
        st.info(note, icon=":material/info:")
    focus = view.focus if view.focus in scenario.optimizers else None
    kind = _chart_kind(view)
    live_knobs, runs = [], {}
    if focus is not None and view.knob is not None:
        live_knobs = [k for k in knobs_for(focus, scenario.hp(focus), scenario.convention) if k.name == view.knob]
        runs = compute.live_runs(scenario.run_spec(focus), live_knobs, surface.min_value, ("map", kind))
    live = [focus] if live_knobs else []
    group = f"ls.{st.session_state[state.LESSON]}.{index}"
    left, right = st.columns([3, 2], gap="medium")
    with left:
        figure = contour_figure(
            surface,
            compute.surface_grid(key),
            paths,
            scenario.start,
            theme,
            height=460,
            background=compute.contour_background(key, theme),
            focus=focus,
            live=live,
        )
        live_chart(
            figure,
            key=f"ls.contour.{index}",
            group=group,
            layered=True,
            knobs=live_knobs,
            knobs_title=f"Drag {optim.get(focus).label}'s slider and watch" if live_knobs else "",
            live=runs.get("map"),
            play=Playback(max(len(p.xy) for p in paths) - 1) if paths else None,
            on_release=lambda _name, value: st.session_state.update({_knob_key(index): value}),
        )
    with right:
        if kind == "lr":
            chart = effective_lr_figure(paths, theme, height=400, focus=focus)
        elif kind == "step":
            chart = step_size_figure(paths, theme, height=400, focus=focus)
        else:
            chart = loss_figure(paths, surface.min_value, theme, height=400, focus=focus, live=live)
        live_chart(chart, key=f"ls.chart.{index}", group=group, live=runs.get(kind))
        _knob_note(view, index, scenario)
        links.open_in_playground(scenario, label="Open this preset in the Playground")


def _quiz_key(index: int) -> str:
    return f"ls.quiz.{st.session_state[state.LESSON]}.{index}"


def _ask_first(lesson: Lesson) -> bool:
    """Predict, then run: the first question not yet answered, with its contour (no paths); True if one is."""
    for index, view in enumerate(lesson.views):
        if view.question is None or not predict.pending(view.question, _quiz_key(index), view.scenario):
            continue
        scenario = view.scenario
        key = scenario.surface_key
        surface = compute.surface_of(key)
        paths, _ = compute.paths_for(scenario)
        st.markdown("Before you read on, make a prediction: the lesson and its charts follow your guess.")
        left, right = st.columns([3, 2], gap="medium")
        with left:
            figure = contour_figure(
                surface,
                compute.surface_grid(key),
                [],
                scenario.start,
                look.current_theme(False),
                height=460,
                background=compute.contour_background(key, look.current_theme(False)),
            )
            look.chart(figure, f"ls.contour.{index}")
        with right:
            predict.ask(view.question, scenario, paths, surface.min_value, _quiz_key(index), scenario)
        return True
    return False


def lesson_page(lesson: Lesson) -> None:
    st.title(state.title(lesson.slug))
    if _ask_first(lesson):
        return
    for index, view in enumerate(lesson.views):
        if view.question is not None:
            predict.feedback(_quiz_key(index))  # right under the title, where the question was
    st.markdown(lesson.text)
    with st.expander("The update rule", expanded=False):
        _equations(lesson)
    for index, view in enumerate(lesson.views):
        _view(view, index, present=False)


def _with_options(opt: optim.Optimizer) -> dict:
    """The optimizer's defaults with every option on, so the equations show the full rule."""
    hp = opt.defaults()
    for p in opt.hyperparams:
        if p.kind == "bool":
            hp[p.name] = True
        elif p.name == "momentum":
            hp[p.name] = 0.9
    return hp


def rules_page() -> None:
    st.title(state.title(state.RULES))
    st.markdown(
        "The exact update of every optimizer, per axis, in the chosen framework's convention. The symbols are "
        "the Playground's sliders; $g_t$ is the gradient at step $t$ and $\\theta$ the position."
    )
    convention = st.radio(
        "Framework convention",
        list(optim.CONVENTIONS),
        format_func=optim.CONVENTIONS.get,
        horizontal=True,
        key=state.CONVENTION,
    )
    verified_note()
    options = st.toggle("With the options switched on (momentum, centered, AMSGrad, Nesterov)", key=state.OPTIONS)
    for name in optim.names():
        opt = optim.get(name)
        st.markdown(f"**{opt.label}** — {opt.summary}")
        if opt.supports(convention):
            hp = _with_options(opt) if options else opt.defaults()
            st.latex(rule_latex(name, convention, hp))
            st.caption(optim.symbol_legend(name))
        else:
            st.caption(opt.unsupported.get(convention, ""))


def main() -> None:
    warning = state.sync_from_url()
    with st.sidebar:
        st.radio("Lessons", state.ENTRIES, format_func=state.title, key=state.LESSON)
    slug = st.session_state[state.LESSON]
    state.save(slug)
    if warning:
        st.warning(warning, icon=":material/warning:")
    if slug == state.RULES:
        rules_page()
    else:
        lesson_page(lessons.by_slug(slug))
    st.divider()
    back, _, forward = st.columns([1, 3, 1])
    here = state.ENTRIES.index(slug)
    back.button("← Previous", on_click=state.go, args=(-1,), disabled=here == 0, width="stretch")
    forward.button("Next →", on_click=state.go, args=(1,), disabled=here == len(state.ENTRIES) - 1, width="stretch")


main()
