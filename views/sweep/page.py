"""Sweep: a metric over two hyperparameters for one optimizer, and a fair comparison of optimizers.

Widgets -> SweepSettings -> cached sweeps -> figures. No maths and no figure styling here.
Small sweeps run as the settings change; a sweep estimated to take longer than about a second
waits for a button (so typing a range does not start several long runs), then shows a progress bar.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import landscapes
import optim
from analysis import runs
from views.common import compute, controls, look, presets, run_settings, share
from views.common import schedule as schedule_ui
from views.common.links import open_in_playground, page_url
from views.common.scenario import markdown_text
from views.sweep import compute as cached
from views.sweep import grid as sweep_grid
from views.sweep import state
from views.sweep.settings import CRITERIA, METRICS, SCALES, SweepJob, SweepSettings, scales_for
from viz.contour import contour_figure
from viz.heatmap import HeatAxis, heatmap_figure
from viz.tuning import LrSearch, lr_search_figure

RAN = "sw.ran"
#: Sweeps up to this many config-steps (about a second) run as soon as the settings change.
AUTO_LIMIT = 60e6
RESOLUTIONS = [2, 5, 10, 20, 30, 40, 50, 60, 80, 100, 120, 150, 200]


def _label(optimizer: str, name: str) -> str:
    p = next(p for p in optim.get(optimizer).hyperparams if p.name == name)
    return p.label if name in p.label.split() else f"{p.label} ({name})"


# ----------------------------------------------------------------------------- sidebar


def sidebar(settings: SweepSettings) -> None:
    job = settings.job
    run_settings.surface_controls(state.KEYS, state.on_surface_change, carried=job.surface_params)
    run_settings.optimizer_controls(state.KEYS, on_change=state.on_optimizer_change)
    run_settings.convention_control(state.KEYS)
    run_settings.run_controls(
        state.KEYS,
        compute.surface_of(job.surface_key).domain,
        noise_help="Gaussian noise added to every gradient component; every cell sees the same sequence (the seed's).",
        seed_needs_noise=True,
    )
    schedule_ui.read_only(job.schedule, job.steps)

    st.divider()
    for letter in ("x", "y"):
        axis_controls(job.optimizer, letter)
    axes = {job.x.name} | ({job.y.name} if job.y else set())
    with st.expander("Other hyperparameters (fixed)"):
        fixed = [p for p in optim.get(job.optimizer).hyperparams if p.name not in axes]
        if not fixed:
            st.caption("None: every hyperparameter is on an axis.")
        for p in fixed:
            controls.hyperparam_control(p, state.hp_key(job.optimizer, p.name))


def axis_controls(optimizer: str, letter: str) -> None:
    options = state.axis_options(optimizer) + ([state.NO_AXIS] if letter == "y" else [])
    name = st.selectbox(
        f"{letter.upper()} axis",
        options,
        key=state.axis_key(letter),
        format_func=lambda n: "none (a single row)" if n == state.NO_AXIS else _label(optimizer, n),
        on_change=state.on_axis_change,
        args=(letter,),
    )
    if name == state.NO_AXIS:
        return
    p = next(p for p in optim.get(optimizer).hyperparams if p.name == name)
    low, high = st.columns(2)
    low.number_input("from", key=state.axis_key(letter, "low"), format="%g", step=None, help=f"{p.help}")
    high.number_input("to", key=state.axis_key(letter, "high"), format="%g", step=None)
    scales = scales_for(p)
    if len(scales) > 1:
        st.radio(
            "spacing",
            scales,
            key=state.axis_key(letter, "scale"),
            format_func=SCALES.get,
            horizontal=True,
            label_visibility="collapsed",
        )
    controls.stepped_slider(f"{letter} resolution", state.axis_key(letter, "n"), RESOLUTIONS)


# ----------------------------------------------------------------------------- map


def heat_axes(job: SweepJob) -> tuple[HeatAxis, HeatAxis | None]:
    x = HeatAxis(_label(job.optimizer, job.x.name), job.x.values(), job.x.scale)
    y = None if job.y is None else HeatAxis(_label(job.optimizer, job.y.name), job.y.values(), job.y.scale)
    return x, y


def should_run(job: SweepJob) -> bool:
    """Small sweeps run at once; a large one on the button (and from then on, from the cache)."""
    ran = st.session_state.setdefault(RAN, set())
    if job.cells * job.steps <= AUTO_LIMIT or job in ran:
        return True
    seconds = sweep_grid.estimated_seconds(job)
    st.info(
        f"This sweep is {job.cells:,} runs x {job.steps:,} steps: about {seconds:.0f} s of computing.",
        icon=":material/timer:",
    )
    if st.button(f"Run sweep (about {seconds:.0f} s)", type="primary"):
        ran.add(job)
        return True
    return False


def map_section(settings: SweepSettings, surface: landscapes.Surface, theme) -> None:
    job = settings.job
    metric = st.radio(
        "Colour shows",
        list(METRICS),
        key=state.METRIC,
        format_func=METRICS.get,
        horizontal=True,
    )
    if metric == "steps" and surface.min_value is None:
        st.info(
            f"{markdown_text(surface.label)} has no known minimum value (it may be unbounded below), so “steps to "
            "tolerance” is undefined here; the map shows the final loss instead.",
            icon=":material/info:",
        )
        metric = "loss"
    if not should_run(job):
        return
    grid = cached.sweep(job)
    if isinstance(grid, str):
        st.info(f"**{optim.get(job.optimizer).label}** cannot run here: {grid}", icon=":material/info:")
        return
    if grid.diverged.all():
        st.error(
            f"Every one of the {job.cells:,} runs diverged (left the region or overflowed), so there is nothing "
            "to map. Try smaller learning rates, a higher eps, or fewer steps.",
            icon=":material/error:",
        )
        return
    best = grid.best_cell("steps" if metric == "steps" else "loss")
    cell = settings.cell or best
    x, y = heat_axes(job)
    left, right = st.columns([7, 4], gap="medium")
    with left:
        look.chart(
            heatmap_figure(
                x,
                y,
                grid.gap,
                grid.steps_to_tol,
                grid.diverged_at,
                metric,
                min_known=surface.min_value is not None,
                tol=job.tol,
                best=best,
                selected=cell if cell != best else None,
                theme=theme,
                height=600 if settings.present else 500,
            ),
            state.MAP,
            state.on_map_click,
        )
        diverged = int(grid.diverged.sum())
        st.caption(
            f"{job.cells:,} runs of {job.steps:,} steps. ★ best run"
            + (f"; {diverged:,} diverged (red)." if diverged else "; none diverged.")
            + " Hover for values; click a cell to inspect its run."
        )
    with right:
        cell_panel(settings, grid, cell, best, surface, theme)


def cell_panel(settings: SweepSettings, grid: sweep_grid.Grid, cell, best, surface, theme) -> None:
    job = settings.job
    i, j = cell
    st.session_state[state.CELL_X] = i
    st.session_state[state.CELL_Y] = j
    for axis, key in ((job.x, state.CELL_X), (job.y, state.CELL_Y)):
        if axis is None:
            continue
        values = axis.values()
        st.select_slider(
            _label(job.optimizer, axis.name),
            options=range(len(values)),
            key=key,
            format_func=lambda k, values=values: controls.format_number(float(values[k])),
            on_change=state.on_cell_pick,
        )
    hp = job.cell_hp(i, j)
    steps, diverged_at = int(grid.steps_to_tol[j, i]), int(grid.diverged_at[j, i])
    gap = "f − f*" if surface.min_value is not None else "f"
    if diverged_at >= 0:
        outcome = f"**diverged** at step {diverged_at}"
    elif surface.min_value is None:
        outcome = "steps to tolerance: undefined (no known minimum)"
    elif steps >= 0:
        outcome = f"{gap} < {job.tol:g} at step **{steps}**"
    else:
        outcome = f"never reached {gap} < {job.tol:g}"
    which = "the best run" if cell == best else "the chosen run"
    st.markdown(f"**{which.capitalize()}**: final {gap} = {grid.gap[j, i]:.3e}; {outcome}.")
    hp_items = tuple(sorted(hp.items()))
    path = compute.run_path(job.run_spec(job.optimizer, hp_items))
    if not isinstance(path, str):
        look.chart(
            contour_figure(
                surface,
                compute.surface_grid(job.surface_key),
                [path],
                job.start,
                theme,
                height=380,
                clickable=False,
            )
        )
    open_in_playground(settings.cell_scenario(i, j), "Open this run in the Playground")


# ----------------------------------------------------------------------------- fair comparison


def comparison_section(settings: SweepSettings, surface: landscapes.Surface, theme) -> None:
    job = settings.job
    st.header("Fair comparison: every optimizer at its own best learning rate")
    st.caption(
        "This is how published optimizer comparisons are made fair: each optimizer's learning rate is tuned "
        "(here over the same log grid of 49 values, other hyperparameters at their defaults) before they are compared."
        + (" Every run follows the same learning-rate schedule; its base lr is what is tuned." if job.schedule else "")
    )
    st.pills(
        "Optimizers",
        optim.names(),
        selection_mode="multi",
        key=state.COMPARE,
        format_func=lambda n: optim.get(n).label,
    )
    criterion = st.radio("Best means", list(CRITERIA), key=state.BEST, format_func=CRITERIA.get, horizontal=True)
    if criterion == "steps" and surface.min_value is None:
        st.caption("No known minimum here, so the best learning rate is the one with the lowest final f.")
        criterion = "loss"
    if not settings.compare:
        st.info("Pick optimizers to compare.", icon=":material/touch_app:")
        return
    rows, paths, winners, searches = [], [], [], []
    gap = "f − f*" if surface.min_value is not None else "f"
    for name in settings.compare:
        label = optim.get(name).label
        tuned = cached.tuned(job.run_spec(name, presets.default_hp(job.surface, name)), job.tol, criterion)
        if isinstance(tuned, str):
            st.caption(f"**{label}** is left out: {tuned}")
            continue
        final_gap = runs.gap(tuned.result.final_loss, surface.min_value)
        searches.append(LrSearch(name, label, tuned.lrs, final_gap, tuned.result.diverged_at >= 0, tuned.best))
        rows.append(comparison_row(label, tuned, final_gap, gap, surface.min_value is not None))
        if tuned.best is not None:
            path = compute.run_path(job.run_spec(name, tuned.hp))
            if not isinstance(path, str):
                paths.append(path)
                winners.append((name, tuned.hp))
    if not rows:
        return
    config = {
        "best lr": st.column_config.NumberColumn(format="%.3g"),
        f"final {gap}": st.column_config.NumberColumn(format="%.3e"),
        "steps to tol": st.column_config.TextColumn(help="First step with f − f* below the tolerance."),
        "diverged": st.column_config.TextColumn(help="How many of the learning rates tried diverged."),
    }
    st.dataframe(pd.DataFrame(rows).set_index("optimizer"), column_config=config, width="stretch")
    if winners:
        scenario = job.scenario(present=settings.present).with_changes(
            optimizers=tuple(n for n, _ in winners), hyperparams=tuple(winners)
        )
        open_in_playground(scenario, "Open the tuned optimizers in the Playground")
    left, right = st.columns(2, gap="medium")
    with left:
        st.markdown("**Their paths**, each at its best learning rate")
        if paths:
            grid = compute.surface_grid(job.surface_key)
            figure = contour_figure(surface, grid, paths, job.start, theme, height=460, clickable=False)
            look.chart(figure)
    with right:
        st.markdown(f"**The search**: final {gap} after {job.steps:,} steps for every learning rate tried")
        look.chart(lr_search_figure(searches, surface.min_value is not None, theme, height=460))


def comparison_row(label: str, tuned, final_gap, gap: str, min_known: bool) -> dict:
    row = {"optimizer": label, "best lr": None, f"final {gap}": None, "steps to tol": None}
    if tuned.best is not None:
        k = tuned.best
        steps = int(tuned.result.steps_to_tol[k])
        row |= {
            "best lr": float(tuned.lrs[k]),
            f"final {gap}": float(final_gap[k]),
            "steps to tol": str(steps) if steps >= 0 else "never" if min_known else "undefined",
        }
    row["diverged"] = f"{tuned.diverged_count} of {len(tuned.lrs)}"
    if tuned.best is None:
        row["note"] = "every learning rate diverged"
    elif tuned.at_edge:
        row["note"] = "best lr at the edge of the range tried"
    else:
        row["note"] = ""
    return row


# ----------------------------------------------------------------------------- page


def share_url(settings: SweepSettings) -> str:
    return page_url("sweep", settings.to_query())


def main() -> None:
    settings, warnings = state.load()
    with st.sidebar:
        sidebar(settings)
    now, problems = state.from_widgets(settings)
    if now.job != settings.job:
        warnings = []  # they described the link, which the user has since changed
    settings = now
    state.save(settings)

    look.apply_presentation_style(settings.present)
    theme = look.current_theme(settings.present)
    job = settings.job
    surface = compute.surface_of(job.surface_key)
    st.title("Hyperparameter sweep")
    label = optim.get(job.optimizer).label
    st.markdown(
        f"Every cell is one run of **{label}** ({optim.CONVENTIONS[job.convention]}) on the "
        f"**{markdown_text(surface.label)}** "
        f"from ({job.start[0]:g}, {job.start[1]:g}) for {job.steps:,} steps"
        + (f" {schedule_ui.phrase(job.schedule)}" if job.schedule else "")
        + (f", with gradient noise of std {job.noise:g} (seed {job.seed}, the same in every cell)" if job.noise else "")
        + "; only the two hyperparameters on the axes change from cell to cell."
    )
    for warning in warnings + problems:
        st.warning(warning, icon=":material/warning:")
    map_section(settings, surface, theme)
    st.divider()
    comparison_section(settings, surface, theme)
    with st.sidebar, st.expander("Share this sweep", icon=":material/share:"):
        st.caption("The address bar always holds the current settings; this is the same link:")
        url = share_url(settings)
        st.code(url, language=None, wrap_lines=True)
        share.qr_toggle(url, "sw.qr")


main()
