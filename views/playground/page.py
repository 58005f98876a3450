"""Playground: pick a surface and optimizers, move the sliders, watch the paths.

Widgets -> Scenario -> cached runs -> figures. No maths and no figure styling here.
"""

from __future__ import annotations

import functools

import streamlit as st

import landscapes
import optim
from optim import codegen
from views.common import compute, controls, links, look, predict, run_settings, share
from views.common import schedule as schedule_ui
from views.common.run_gate import one_at_a_time
from views.common.run_settings import Gate
from views.common.scenario import Scenario, markdown_text
from views.playground import charts, classroom, custom, lens, notes, report, state, teach
from views.playground import compute as pg_compute
from views.playground.bands import bands_control, bands_for
from views.playground.inspector import inspector_tab
from viz.contour import contour_figure
from viz.paths import PathData
from viz.surface3d import surface3d_figure

QUIZ = "pg.quiz"  # session keys of the predict-then-run question


def sidebar() -> None:
    """All controls; values live in session_state under the state module's keys. A teacher link may lock or
    hide some."""
    link = teach.current()
    if link.active:
        st.info(teach.NOTE, icon=":material/lock:")
    run_settings.surface_controls(state.KEYS, state.on_surface_change, link, custom_editor=custom.controls)
    run_settings.optimizer_controls(state.KEYS, link, on_change=state.with_hyperparameters(inside=False))
    run_settings.convention_control(state.KEYS, link, on_change=state.with_hyperparameters(inside=False))
    hyperparameters_fragment(link)
    if link.shown("sched"):
        schedule_ui.controls(int(st.session_state[state.STEPS]), disabled=link.locked("sched"))
    st.divider()
    run_settings.run_controls(
        state.KEYS,
        state.current_surface().domain,
        link,
        start_note="Or click anywhere on the contour to start there.",
        after_seed=(
            (lambda: bands_control(disabled=link.locked("noise"), on_change=state.results_only("bands")))
            if link.shown("noise")
            else None
        ),
        on_change=state.results_only,
    )
    if link.shown("present"):
        st.toggle(
            "Presentation mode",
            key=state.PRESENT,
            help="Large type for a projector; travels in the share link.",
            disabled=link.locked("present"),
            persist_state=controls.PERSIST,
        )
    if link.shown("reset"):
        st.button(teach.reset_label(), on_click=teach.on_reset, width="stretch", disabled=link.locked("reset"))


def hyperparameters(link: Gate) -> None:
    """The optimizers' expanders in the sidebar, a fragment (``hyperparameters_fragment``): opening or closing one
    reruns only them; a change of a hyperparameter, the optimizers or the convention reruns them and the results
    (``state.with_hyperparameters``). They note what the sidebar now shows, so that a run of the results alone
    compares its view with what the expanders show."""
    surface, convention = st.session_state[state.SURFACE], st.session_state[state.CONVENTION]
    run_settings.hyperparam_expanders(
        state.KEYS, surface, convention, link, on_change=state.with_hyperparameters(inside=True)
    )
    state.note_sidebar(state.from_widgets())


hyperparameters_fragment = st.fragment(hyperparameters, key=state.HYPERPARAMETERS)


def header(scenario: Scenario, surface: landscapes.Surface, grid, warnings: list[str]) -> None:
    if not scenario.present:  # a projector needs the room for the charts
        with st.container(horizontal=True, vertical_alignment="bottom", gap="large"):
            st.title("RMSProp Playground", width="content")
            page = links.PAGES["lessons"]
            st.page_link(page.file, label="Lessons: ten short stories", icon=page.icon, width="content")
    # A custom surface's label holds user text; its formula is shown as typed in the sidebar.
    formula = f" ${surface.latex}$" if surface.latex and scenario.surface != landscapes.CUSTOM else ""
    st.markdown(f"**{markdown_text(surface.label)}.** {surface.story}{formula}")
    if formula == "" and surface.latex and not scenario.present:
        st.latex(surface.latex)
    note = custom.estimate_note(surface, grid[2])
    if note:
        st.caption(note)
    for warning in warnings:
        st.warning(warning, icon=":material/warning:")


def main() -> None:
    classroom.before_load()  # class mode: join a class, load the teacher's view (may rewrite the URL)
    scenario, warnings = state.load()
    link, question, link_warnings = teach.load()
    teach.enforce(link)  # locked controls keep the link's values
    warnings = warnings + link_warnings
    st.session_state[state.DRAWN] = False
    st.session_state.pop(state.CHANGED, None)
    with st.sidebar:
        sidebar()
    scenario_now = state.from_widgets()
    if scenario_now != scenario:
        warnings = []  # they described the link, which the user has since changed
        st.session_state[state.WARNINGS] = []
    scenario = scenario_now
    state.save(scenario)

    look.apply_presentation_style(scenario.present)
    theme = look.current_theme(scenario.present)
    surface = scenario.landscape()
    key = scenario.surface_key
    grid = compute.surface_grid(key)
    header(scenario, surface, grid, warnings)
    paths, _ = compute.paths_for(scenario)
    if classroom.section(scenario, surface, grid, theme):  # a class poll still open: the runs stay hidden
        share_section(scenario)
        return
    if question is not None and ask_first(question, scenario, surface, grid, paths, theme):
        share_section(scenario)
        return  # the runs stay hidden until the student has guessed

    state.note_sidebar(scenario)
    # Presentation mode draws view toggles in the sidebar, which a fragment cannot write to: a whole-page run.
    card = not (link.active or question or scenario.present or classroom.in_class())
    if scenario.present:
        results(link, card)
    else:
        st.session_state[state.DRAWN] = True  # a sidebar control may now rerun the results alone (results_only)
        results_fragment(link, card)
    share_section(scenario)


def results(link: Gate, card: bool) -> None:
    """The first visit's card (``card``), the charts, the focus sliders, the notes and the tabs: everything the
    view's runs draw.

    Outside presentation mode this is a fragment (``results_fragment``): what the student does here (release a
    focus slider, pick the focus, "Got it", a tab or the chart under the loss, the step inspector) reruns only this
    part, not the sidebar and the header, which are about a third of a page run's server time; so do the sidebar's
    steps, start, seed, tolerance and bands controls, which show nothing but their own value (``state.results_only``).
    Such a run reads the view from the widgets and writes it to the URL itself, and when it changed what the sidebar
    shows (a click on the map moves the start; an open expander shows the hyperparameters or the share link),
    it reruns the whole page instead."""
    with one_at_a_time():  # a fragment's own run does not pass through app.py's turn
        scenario = state.from_widgets()
        if scenario != st.session_state.get(state.STORED):  # only a run of this fragment alone can find it changed
            if state.sidebar_outdated(scenario):
                st.rerun()
            state.save(scenario)
            classroom.publish_change(scenario)
        paths, missing = compute.paths_for(scenario)
        for note in missing:
            st.info(note, icon=":material/info:")
        if not scenario.optimizers:
            st.info("Pick at least one optimizer in the sidebar to see its path.", icon=":material/arrow_back:")
        if card:
            notes.start_card(scenario)
        surface = scenario.landscape()
        grid = compute.surface_grid(scenario.surface_key)
        theme = look.current_theme(scenario.present)
        bands = bands_for(scenario, paths)
        marks = lens.marks(scenario, paths)
        lens.controls(scenario)  # focus, small multiples and the curvature read-out at step k
        side = functools.partial(lens.focus_control, scenario)
        charts.draw(scenario, surface, grid, paths, bands, marks, theme, link, side=side)
        notes.notes_section(scenario)
        if scenario.curv:
            lens.readout(scenario, paths, marks)
        tabs_section(scenario, surface, paths, theme)


results_fragment = st.fragment(results, key=state.RESULTS)


def tabs_section(scenario: Scenario, surface: landscapes.Surface, paths: list[PathData], theme) -> None:
    # Only the open tab runs (on_change="rerun"), so a slider move pays for what is on screen.
    tabs = st.tabs(["Summary", "Step inspector", "3-D view", "Code", "Data"], key="pg.tab", on_change="rerun")
    summary, inspector, view3d, code, data = tabs
    if summary.open:
        with summary:
            summary_section(scenario, paths)
    if inspector.open:
        with inspector:
            inspector_tab(scenario, paths)
    if view3d.open:
        with view3d:
            look.chart(surface3d_figure(surface, paths, theme))
    if code.open:
        with code:
            code_tab(scenario)
    if data.open:
        with data:
            data_tab(scenario, paths)


def ask_first(question, scenario: Scenario, surface: landscapes.Surface, grid, paths: list[PathData], theme) -> bool:
    """Predict, then run: while no guess is committed, the contour without paths and the question (True);
    afterwards the feedback above the charts (False)."""
    problem = question.problem([p.name for p in paths], surface.min_value)
    if problem:
        st.info(f"The link's question (ask={question.key}) is skipped: {problem}.", icon=":material/info:")
        return False
    origin = st.session_state.get(state.FROM_URL)
    if not predict.pending(question, QUIZ, origin):
        predict.feedback(QUIZ, scenario)
        return False
    key = scenario.surface_key
    left, right = st.columns([3, 2], gap="medium")
    with left:
        height = 600 if scenario.present else 560
        background = compute.contour_background(key, theme)
        figure = contour_figure(surface, grid, [], scenario.start, theme, height=height, background=background)
        look.chart(figure, charts.CONTOUR_KEY)
    with right:
        predict.ask(question, scenario, paths, surface.min_value, QUIZ, origin)
    return True


def share_section(scenario: Scenario) -> None:
    """The share link (keeping a teacher link's settings) and, for teachers, the link builder."""
    # Keyed, so the server knows whether it is open (a results-only run then reruns the page to renew the link).
    with st.sidebar, st.expander("Share this view", icon=":material/share:", key=state.SHARE, on_change="rerun"):
        st.caption("The address bar always holds the current settings; this is the same link:")
        url = links.playground_url(scenario, teach.share_query())
        st.code(url, language=None, wrap_lines=True)
        share.qr_toggle(url, "pg.qr")
        if teach.current().active:
            st.caption("This link fixes some controls; open the Playground without lock/hide/only to build another.")
        else:
            teach.builder(scenario)


def summary_section(scenario: Scenario, paths: list[PathData]) -> None:
    summary = pg_compute.summary(tuple(scenario.run_spec(p.name) for p in paths), scenario.tol)
    if summary is None:
        st.caption("No optimizer to summarise.")
        return
    help_texts = {
        "final": "At the last step (the last good one if the run diverged); 3 significant figures.",
        "best": "The lowest value along the run; 3 significant figures.",
        "distance": "—: the surface has no minimum.",
        "steps": "never: the run did not get within the tolerance." if summary.min_known else "—: no known minimum.",
        "diverged": "—: the run did not diverge.",
    }
    config = {
        c: st.column_config.TextColumn(help=help_texts.get(c.split()[0]), alignment="right") for c in summary.columns
    }
    st.dataframe(summary.table, column_config=config, width="stretch")
    if summary.note:
        st.caption(summary.note)


def code_tab(scenario: Scenario) -> None:
    if not scenario.optimizers:
        st.caption("No optimizer chosen.")
        return
    framework = st.radio(
        "Framework",
        list(optim.CONVENTIONS),
        index=list(optim.CONVENTIONS).index(scenario.convention),
        format_func=optim.CONVENTIONS.get,
        horizontal=True,
        key="pg.code_framework",
    )
    if framework != scenario.convention:
        st.caption(
            f"The chart follows {optim.CONVENTIONS[scenario.convention]}'s rule; this code gives the same "
            f"trajectory only with the convention set to {optim.CONVENTIONS[framework]}."
        )
    for name in scenario.optimizers:
        label = optim.get(name).label
        try:
            snippet = codegen.snippet(name, framework, scenario.hp(name), scenario.schedule, scenario.steps)
        except ValueError as error:
            st.markdown(f"**{label}**: {error}")
            continue
        st.markdown(f"**{label}**")
        st.code(snippet.code, language="python", wrap_lines=True)
        if snippet.notes:
            st.caption(" ".join(snippet.notes))


def data_tab(scenario: Scenario, paths: list[PathData]) -> None:
    meta = {"surface": scenario.surface, "convention": scenario.convention, "start": scenario.start}
    if scenario.surface == landscapes.CUSTOM:
        meta |= {"formula": scenario.params()["expr"], "domain": scenario.landscape().domain}
    st.download_button(
        "Download all trajectories (CSV)",
        lambda: report.trajectories_csv(paths, meta),
        on_click="ignore",
        file_name=f"rmsprop-playground-{scenario.surface}.csv",
        mime="text/csv",
        disabled=not paths,
    )
    st.caption("One row per optimizer and step: x, y, loss and the effective learning rate per axis.")


main()
