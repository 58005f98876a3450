"""Playground: pick a surface and optimizers, move the sliders, watch the paths.

Widgets -> Scenario -> cached runs -> figures. No maths and no figure styling here.
"""

from __future__ import annotations

import streamlit as st

import codegen
import landscapes
import optim
import report
from scenario import MAX_STEPS, Scenario, markdown_text
from ui import compute, controls, custom, lens, links, look, predict, state, teach
from ui import schedule as schedule_ui
from ui.bands import band_caption, bands_control, bands_for, dominance_for, eps_caption
from ui.inspector import aligned, inspector_tab
from ui.verified import verified_note
from viz.bands import seed_path_traces
from viz.contour import contour_figure
from viz.curvature import curvature_traces
from viz.curves import effective_lr_figure, loss_figure
from viz.paths import PathData
from viz.surface3d import surface3d_figure

CONTOUR_KEY = "pg.contour"
QUIZ = "pg.quiz"  # session keys of the predict-then-run question
STEP_STOPS = [10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, MAX_STEPS]


def _on_contour_click() -> None:
    event = st.session_state.get(CONTOUR_KEY)
    points = (event or {}).get("selection", {}).get("points", [])
    stored: Scenario | None = st.session_state.get(state.STORED)
    if points and stored is not None:
        (x0, x1), (y0, y1) = stored.landscape().domain  # the surface that was clicked
        x, y = points[0]["x"], points[0]["y"]
        state.set_start(min(max(x, x0), x1), min(max(y, y0), y1))


def sidebar() -> None:
    """All controls; values live in session_state under the ui.state keys. A teacher link may lock or hide some."""
    surface = st.session_state[state.SURFACE]
    link = teach.current()
    if link.active:
        st.info(teach.NOTE, icon="🔒")
    if link.shown("surface"):
        st.selectbox(
            "Surface",
            landscapes.names(custom=True),
            key=state.SURFACE,
            format_func=lambda n: landscapes.spec(n).label,
            on_change=state.on_surface_change,
            disabled=link.locked("surface"),
            persist_state=controls.PERSIST,
        )
        if surface == landscapes.CUSTOM:
            custom.controls(disabled=link.locked("surface"))
        else:
            for p in landscapes.spec(surface).params:
                controls.surface_param_control(p, state.param_key(p.name), disabled=link.locked("surface"))

    if link.shown("opt"):
        st.pills(
            "Optimizers",
            optim.names(),
            selection_mode="multi",
            key=state.OPTIMIZERS,
            format_func=lambda n: optim.get(n).label,
            disabled=link.locked("opt"),
            persist_state=controls.PERSIST,
        )
    if link.shown("conv"):
        st.radio(
            "Framework convention",
            list(optim.CONVENTIONS),
            key=state.CONVENTION,
            format_func=optim.CONVENTIONS.get,
            horizontal=True,
            help="Which framework's exact update rule to use: where eps goes, how accumulators start, "
            "what the momentum buffer holds, how bias correction meets eps.",
            disabled=link.locked("conv"),
            persist_state=controls.PERSIST,
        )
        verified_note()
    convention = st.session_state[state.CONVENTION]
    for name in [n for n in optim.names() if n in (st.session_state.get(state.OPTIMIZERS) or [])]:
        opt = optim.get(name)
        state.ensure_hp_defaults(surface, name)
        if not any(link.shown(f"{name}.{p.name}") for p in opt.hyperparams):
            continue
        free = link.active and any(link.status(f"{name}.{p.name}") == "free" for p in opt.hyperparams)
        # A teacher link opens the knobs it leaves free. A closed expander draws nothing (its widgets keep
        # their values, controls.PERSIST), so a slider move pays for the open optimizers' controls only.
        box = controls.lazy_expander(opt.label, state.open_key(name), start_open=free)
        if not box.open:
            continue
        with box:
            st.caption(opt.summary)
            ignored = opt.rule(convention).ignores if opt.supports(convention) else ()
            for p in opt.hyperparams:
                control = f"{name}.{p.name}"
                if not link.shown(control):
                    continue
                note = f"({optim.CONVENTIONS[convention]}'s rule has no {p.name}.)" if p.name in ignored else None
                disabled = p.name in ignored or link.locked(control)
                controls.hyperparam_control(p, state.hp_key(name, p.name), disabled=disabled, note=note)
            if opt.supports(convention):
                options = {p.name: st.session_state[state.hp_key(name, p.name)] for p in opt.hyperparams}
                st.latex(aligned(optim.update_equations(name, convention, options), small=True))
            else:
                st.caption(opt.unsupported.get(convention, ""))
    if link.shown("sched"):
        schedule_ui.controls(int(st.session_state[state.STEPS]), disabled=link.locked("sched"))

    st.divider()
    if link.shown("steps"):
        controls.stepped_slider(
            "Steps",
            state.STEPS,
            STEP_STOPS,
            help="How many updates each optimizer takes.",
            disabled=link.locked("steps"),
        )
    (x0, x1), (y0, y1) = state.current_surface().domain
    state.clamp_start((x0, x1), (y0, y1))
    if link.shown("start"):
        locked = link.locked("start")
        left, right = st.columns(2)
        for column, label, key, (low, high) in (
            (left, "Start x", state.START_X, (x0, x1)),
            (right, "Start y", state.START_Y, (y0, y1)),
        ):
            column.number_input(
                label, low, high, step=0.1, format="%.3f", key=key, disabled=locked, persist_state=controls.PERSIST
            )
        if not locked:
            st.caption("Or click anywhere on the contour to start there.")
    if link.shown("noise"):
        controls.stepped_slider(
            "Gradient noise (std)",
            state.NOISE,
            controls.NOISE_STOPS,
            help="Gaussian noise added to every gradient component.",
            disabled=link.locked("noise"),
        )
    if link.shown("seed"):
        st.number_input(
            "Noise seed",
            min_value=0,
            max_value=2**31 - 1,
            step=1,
            key=state.SEED,
            disabled=link.locked("seed"),
            persist_state=controls.PERSIST,
        )
    if link.shown("noise"):
        bands_control(disabled=link.locked("noise"))
    if link.shown("tol"):
        controls.stepped_slider(
            "Tolerance",
            state.TOL,
            controls.TOL_STOPS,
            help="A run has converged once f − f* is below this (summary table).",
            disabled=link.locked("tol"),
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


def header(scenario: Scenario, surface: landscapes.Surface, grid, warnings: list[str]) -> None:
    st.title("RMSProp Playground")
    st.markdown(f"**{markdown_text(surface.label)}.** {surface.story}")  # a custom label holds user text
    if not scenario.present:
        st.latex(surface.latex)
    note = custom.estimate_note(surface, grid[2])
    if note:
        st.caption(note)
    for warning in warnings:
        st.warning(warning, icon="⚠️")


def main() -> None:
    scenario, warnings = state.load()
    link, question, link_warnings = teach.load()
    teach.enforce(link)  # locked controls keep the link's values
    warnings = warnings + link_warnings
    with st.sidebar:
        sidebar()
    scenario_now = state.from_widgets()
    if scenario_now != scenario:
        warnings = []  # they described the link, which the user has since changed
    scenario = scenario_now
    state.save(scenario)

    look.apply_presentation_style(scenario.present)
    theme = look.current_theme(scenario.present)
    surface = scenario.landscape()
    key = (scenario.surface, scenario.surface_params)
    grid = compute.surface_grid(key)
    header(scenario, surface, grid, warnings)
    paths, notes = compute.paths_for(scenario)
    bands = bands_for(scenario, paths)  # n noise seeds per optimizer, when noise is on
    for note in notes:
        st.info(note, icon="ℹ️")
    if not scenario.optimizers:
        st.info("Pick at least one optimizer in the sidebar to see its path.", icon="👈")
    if question is not None and ask_first(question, scenario, surface, grid, paths, theme):
        share_section(scenario)
        return  # the runs stay hidden until the student has guessed

    lens.controls(scenario)  # small multiples and the curvature read-out at step k
    marks = lens.marks(scenario, paths)
    if scenario.multi and paths:
        lens.multiples_chart(scenario, paths, theme, marks, CONTOUR_KEY, _on_contour_click)
        loss_box, lr_box = st.columns(2, gap="medium")
    else:
        left, right = st.columns([3, 2], gap="medium")
        loss_box = lr_box = right
        with left:
            st.plotly_chart(
                contour_figure(
                    surface,
                    grid,
                    paths,
                    scenario.start,
                    theme,
                    height=600 if scenario.present else 560,
                    background=compute.contour_background(key, theme) + seed_path_traces(paths, bands, theme),
                    overlays=curvature_traces(marks, surface.domain, theme),
                ),
                key=CONTOUR_KEY,
                on_select=_on_contour_click,
                selection_mode="points",
                config={"displaylogo": False, "scrollZoom": False},
            )
    with loss_box:
        st.plotly_chart(
            loss_figure(paths, surface.min_value, theme, height=290, bands=bands), config={"displaylogo": False}
        )
        if caption := band_caption(paths, bands):
            st.caption(caption)
    with lr_box:
        dominance = dominance_for(scenario, paths)
        st.plotly_chart(
            effective_lr_figure(paths, theme, height=290, dominance=dominance), config={"displaylogo": False}
        )
        if caption := eps_caption(paths, dominance):
            st.caption(caption)
    if scenario.curv:
        lens.readout(scenario, paths, marks)
    # Only the open tab runs (on_change="rerun"), so a slider move pays for what is on screen.
    tabs = st.tabs(["Summary", "Step inspector", "3-D view", "Code", "Data"], key="pg.tab", on_change="rerun")
    summary, inspector, view3d, code, data = tabs
    if summary.open:
        with summary:
            summary_section(paths, surface, scenario.tol)
    if inspector.open:
        with inspector:
            inspector_tab(scenario, paths)
    if view3d.open:
        with view3d:
            st.plotly_chart(surface3d_figure(surface, paths, theme), config={"displaylogo": False})
    if code.open:
        with code:
            code_tab(scenario)
    if data.open:
        with data:
            data_tab(scenario, paths)
    share_section(scenario)


def ask_first(question, scenario: Scenario, surface: landscapes.Surface, grid, paths: list[PathData], theme) -> bool:
    """Predict, then run: while no guess is committed, the contour without paths and the question (True);
    afterwards the feedback above the charts (False)."""
    problem = question.problem([p.name for p in paths], surface.min_value)
    if problem:
        st.info(f"The link's question (ask={question.key}) is skipped: {problem}.", icon="ℹ️")
        return False
    origin = st.session_state.get(state.FROM_URL)
    if not predict.pending(question, QUIZ, origin):
        predict.feedback(QUIZ, scenario)
        return False
    key = (scenario.surface, scenario.surface_params)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        height = 600 if scenario.present else 560
        background = compute.contour_background(key, theme)
        figure = contour_figure(surface, grid, [], scenario.start, theme, height=height, background=background)
        st.plotly_chart(figure, key=CONTOUR_KEY, config={"displaylogo": False, "scrollZoom": False})
    with right:
        predict.ask(question, scenario, paths, surface.min_value, QUIZ, origin)
    return True


def share_section(scenario: Scenario) -> None:
    """The share link (keeping a teacher link's settings) and, for teachers, the link builder."""
    with st.sidebar, st.expander("🔗 Share this view"):
        st.caption("The address bar always holds the current settings; this is the same link:")
        st.code(links.playground_url(scenario, teach.share_query()), language=None, wrap_lines=True)
        if teach.current().active:
            st.caption("This link fixes some controls; open the Playground without lock/hide/only to build another.")
        else:
            teach.builder(scenario)


def summary_section(paths: list[PathData], surface: landscapes.Surface, tol: float) -> None:
    if not paths:
        st.caption("No optimizer to summarise.")
        return
    table = report.summary_table(paths, surface, tol)
    config = {}
    for column in table.columns:
        if column.startswith(("final", "best")):
            config[column] = st.column_config.NumberColumn(format="%.3e")
        elif column.startswith("distance"):
            config[column] = st.column_config.NumberColumn(format="%.3g", help="Empty: the surface has no minimum.")
        else:
            config[column] = st.column_config.NumberColumn(format="%d", help="Empty: never.")
    st.dataframe(table, column_config=config, width="stretch")


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
        st.code(snippet.code, language="python")
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
