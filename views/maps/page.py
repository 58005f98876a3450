"""Maps: where each start point leads (basin map) and how each optimizer responds to its learning rate.

Widgets/URL -> MapsSettings -> cached batched sweeps -> analysis -> figures. No maths and no figure
styling here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import landscapes
import optim
from analysis import basins
from analysis.sensitivity import GAP_FLOOR
from views.common import compute, controls, look, run_settings
from views.common import schedule as schedule_ui
from views.common.links import open_in_playground
from views.maps import compute as mc
from views.maps import state
from views.maps.settings import DEFAULT_RES, MapsSettings
from viz.basins import Panel, basin_figure
from viz.sensitivity import METRICS, sensitivity_figure

BASIN_CHART, LR_CHART = "maps.basin_chart", "maps.lr_chart"
BASIN_META, LR_META = "maps.basin_meta", "maps.lr_meta"
PICK_X, PICK_Y, PICK_OPT, PICK_LR = "maps.pick_x", "maps.pick_y", "maps.pick_opt", "maps.pick_lr"
STEP_STOPS = [10, 20, 50, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000]
RES_STOPS = [20, 30, 50, 75, 100, 150, 200]
RADIUS_STOPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2]
LR_COUNT_STOPS = [10, 20, 30, 40, 60, 90, 120, 200]
METRIC_SHORT = {"loss": "final f − f*", "steps": "steps to tol"}


# ----------------------------------------------------------------------------- clicks


def _picked(chart_key: str, meta_key: str) -> tuple[str, float, float] | None:
    """(trace meta, x, y) of the clicked point, if the click hit a trace that carries a meta."""
    points = ((st.session_state.get(chart_key) or {}).get("selection") or {}).get("points") or []
    metas = st.session_state.get(meta_key) or []
    for point in points:
        curve = point.get("curve_number")
        if isinstance(curve, int) and 0 <= curve < len(metas) and metas[curve]:
            return metas[curve], float(point["x"]), float(point["y"])
    return None


def _on_basin_click() -> None:
    hit = _picked(BASIN_CHART, BASIN_META)
    if hit:
        st.session_state[PICK_X], st.session_state[PICK_Y] = hit[1], hit[2]


def _on_lr_click() -> None:
    hit = _picked(LR_CHART, LR_META)
    if hit:
        st.session_state[PICK_OPT], st.session_state[PICK_LR] = hit[0], hit[1]


# ----------------------------------------------------------------------------- sidebar


def sidebar(settings: MapsSettings) -> None:
    keys = state.KEYS
    run_settings.surface_controls(keys, state.on_surface_change, carried=settings.scenario.surface_params)
    run_settings.optimizer_controls(keys, help="One basin-map panel and one sensitivity curve per optimizer.")
    run_settings.convention_control(keys)
    surface = st.session_state[keys.surface]
    run_settings.hyperparam_expanders(keys, surface, st.session_state[keys.convention])
    st.divider()
    run_settings.run_controls(
        keys,
        compute.surface_of(state.surface_key(settings)).domain,
        step_stops=STEP_STOPS,
        start_note="The start of every learning-rate run (the basin map starts everywhere).",
    )
    schedule_ui.read_only(settings.scenario.schedule, int(st.session_state[keys.steps]))


# ----------------------------------------------------------------------------- basin map


def _panel_title(settings: MapsSettings, name: str) -> str:
    return f"<b>{optim.get(name).label}</b>  lr {controls.format_number(settings.scenario.hp(name)['lr'])}"


def basin_section(settings: MapsSettings, surface: landscapes.Surface, theme) -> None:
    s = settings.scenario
    st.header("Basin map: where does each start lead?")
    st.caption(
        f"Every cell is a start point; its colour says which point the run reached within {settings.radius:g} of "
        f"the plot width after {s.steps} steps, or whether it diverged or was still on its way. "
        "Numbers mark the minima. Hover a cell for its outcome; click it to pick that start."
    )
    left, right, _ = st.columns([2, 2, 3])
    with left:
        controls.stepped_slider("Resolution (starts per axis)", state.RES, RES_STOPS)
    with right:
        controls.stepped_slider("Reach radius (fraction of width)", state.RADIUS, RADIUS_STOPS)
    grid = basins.StartGrid.over(surface, settings.resolution)
    runs, notes = {}, []
    with st.spinner("Running every start point..."):
        for name in s.optimizers:
            result = mc.endpoints(s.run_spec(name).with_changes(start=None), settings.resolution)
            if isinstance(result, str):
                notes.append(f"**{optim.get(name).label}** has no map: {result}")
            else:
                runs[name] = result
    for note in notes:
        st.info(note, icon=":material/info:")
    if not runs:
        st.info(
            "Pick an optimizer (sidebar) that runs in this convention to see its basin map.",
            icon=":material/arrow_back:",
        )
        return
    attractors, labels = basins.classify(surface, grid, runs, settings.radius)
    panels = [Panel(name, _panel_title(settings, name), labels[name]) for name in runs]
    figure = basin_figure(surface, grid.xs, grid.ys, panels, attractors, theme)
    st.session_state[BASIN_META] = [trace.get("meta") for trace in figure.spec["data"]]
    look.chart(figure, BASIN_CHART, _on_basin_click)
    if not len(surface.minima) and not attractors:
        st.info(
            "This surface has no minimum: it falls away without bound, so every run either leaves the region "
            "(diverged) or is still travelling downhill when the steps run out (not converged). The map shows "
            "how quickly each optimizer escapes.",
            icon=":material/explore:",
        )
    _share_table(panels, attractors)
    _basin_pick(settings, surface, grid, panels, attractors)


def _share_table(panels: list[Panel], attractors) -> None:
    rows = {optim.get(p.name).label: basins.shares(p.labels, attractors) for p in panels}
    table = pd.DataFrame(rows).fillna(0.0) * 100
    codes = [a.label for a in attractors] + list(basins.OUTCOME_NAMES.values())
    table = table.loc[[c for c in codes if c in table.index]]
    table.index.name = "share of starts ending at"
    config = {c: st.column_config.NumberColumn(format="%.1f %%") for c in table.columns}
    st.dataframe(table, column_config=config, width="stretch")


def _basin_pick(settings, surface, grid, panels, attractors) -> None:
    (x0, x1), (y0, y1) = surface.domain
    start = settings.scenario.start
    for key, low, high, default in ((PICK_X, x0, x1, start[0]), (PICK_Y, y0, y1, start[1])):
        value = st.session_state.get(key, default)
        st.session_state[key] = min(max(float(value), low), high)
    left, right, link = st.columns([1, 1, 2], vertical_alignment="bottom")
    x = left.number_input("Picked start x", min_value=x0, max_value=x1, step=0.1, format="%.3f", key=PICK_X)
    y = right.number_input("Picked start y", min_value=y0, max_value=y1, step=0.1, format="%.3f", key=PICK_Y)
    with link:
        open_in_playground(settings.scenario.with_changes(start=(float(x), float(y))), "Open this start in Playground")
    col, row = int(np.abs(grid.xs - x).argmin()), int(np.abs(grid.ys - y).argmin())
    outcomes = "; ".join(
        f"{optim.get(p.name).label} → {_outcome_name(int(p.labels[row, col]), attractors)}" for p in panels
    )
    st.caption(f"From the nearest grid start ({grid.xs[col]:.3g}, {grid.ys[row]:.3g}): {outcomes}.")


def _outcome_name(code: int, attractors) -> str:
    return attractors[code].label if code >= 0 else basins.OUTCOME_NAMES[code]


# ----------------------------------------------------------------------------- sensitivity


def sensitivity_section(settings: MapsSettings, surface: landscapes.Surface, theme) -> None:
    s = settings.scenario
    st.header("Learning-rate sensitivity")
    st.caption(
        f"Each optimizer run from ({s.start[0]:.3g}, {s.start[1]:.3g}) for {s.steps} steps at log-spaced learning "
        "rates, its other settings fixed; ★ marks each optimizer's best lr. Below: thin bars = ends stable (no "
        "blow-up, loss not above the start), thick bars = ends with f − f* < tol, × = the smallest lr that diverges. "
        "Click a point to pick that lr."
    )
    left, right, _ = st.columns([2, 2, 3])
    with left:
        st.radio("Metric", list(METRICS), key=state.METRIC, format_func=METRICS.get, horizontal=True)
    with right:
        controls.stepped_slider("Learning rates per curve", state.LRS, LR_COUNT_STOPS)
    curves, notes = [], []
    with st.spinner("Sweeping learning rates..."):
        for name in s.optimizers:
            result = mc.lr_curve(s.run_spec(name), s.tol, settings.lr_count)
            if isinstance(result, str):
                notes.append(f"**{optim.get(name).label}** has no curve: {result}")
            else:
                curves.append(result)
    for note in notes:
        st.info(note, icon=":material/info:")
    if not curves:
        return
    if settings.metric == "steps" and surface.min_value is None:
        st.info(
            "This surface has no known minimum, so no run can reach a tolerance; showing nothing.",
            icon=":material/info:",
        )
    figure = sensitivity_figure(curves, settings.metric, s.steps, theme, height=520 + 24 * len(curves))
    st.session_state[LR_META] = [trace.get("meta") for trace in figure.spec["data"]]
    look.chart(figure, LR_CHART, _on_lr_click)
    _window_table(curves, settings.metric, s.steps)
    _lr_pick(settings, curves)


def _fmt_windows(windows: list[tuple[float, float]]) -> str:
    """Every window, smallest lrs first: "1e-05 – 0.76; 1.2 – 1.5"; a single lr stands alone."""
    if not windows:
        return "none"
    return "; ".join(f"{a:.3g}" if a == b else f"{a:.3g} – {b:.3g}" for a, b in windows)


def _fmt_value(value: float, metric: str, min_known: bool) -> str:
    if metric == "steps":
        return f"{value:.0f}"
    if min_known and value <= GAP_FLOOR:
        return f"≤ {GAP_FLOOR:.0e} (the chart's floor)"
    return controls.format_number(float(f"{value:.3g}"))


def window_rows(curves, metric: str) -> dict[str, dict[str, str]]:
    """One row per optimizer: the quantities the sensitivity chart shows, in words and numbers."""
    rows = {}
    for c in curves:
        best = c.best(metric)
        min_known = c.min_value is not None
        shown = c.shown(metric)
        rows[optim.get(c.optimizer).label] = {
            "ends stable (lr)": _fmt_windows(c.windows(c.stable)),
            "ends within tol (lr)": _fmt_windows(c.windows(c.ends_within_tol)) if min_known else "— (f* unknown)",
            "diverges from": "never" if c.edge is None else f"{c.edge:.3g}",
            "best lr": "—" if best is None else f"{c.lrs[best]:.3g}",
            METRIC_SHORT[metric]: "—" if best is None else _fmt_value(shown[best], metric, min_known),
        }
    return rows


def _window_table(curves, metric: str, steps: int) -> None:
    """The chart's quantities per optimizer, in a static table that wraps (no sideways scrolling on a projector),
    with a caption that says what each column means."""
    table = pd.DataFrame(window_rows(curves, metric)).T
    table.index.name = "optimizer"
    st.table(table)
    what = METRIC_SHORT[metric]
    st.caption(
        f"Everything here describes where each run ended after {steps} steps, as the curve shows it. "
        "**ends stable**: the learning rates whose run did not blow up and ended no higher than it started (the "
        "thin bars). **ends within tol**: those whose run ended with f − f* below the tolerance (the thick bars; "
        "a run that dipped below it on its way and climbed out again does not count). **diverges from**: the "
        "smallest learning rate whose run diverged (the ×; larger ones may still recover, see the bars). "
        f"**best lr**: the lowest point of the curve (the ★), with its {what}; where learning rates tie (the chart "
        "cannot tell them apart), the middle of the longest run of them. Every window is listed, smallest learning "
        "rates first."
    )


def _lr_pick(settings: MapsSettings, curves) -> None:
    by_name = {c.optimizer: c for c in curves}
    if st.session_state.get(PICK_OPT) not in by_name:
        st.session_state[PICK_OPT] = curves[0].optimizer
    curve = by_name[st.session_state[PICK_OPT]]
    stops = [float(v) for v in curve.lrs]
    wanted = st.session_state.get(PICK_LR)
    if wanted is None:
        best = curve.best(settings.metric)
        wanted = stops[best if best is not None else 0]
    st.session_state[PICK_LR] = min(stops, key=lambda v: abs(np.log(v) - np.log(max(float(wanted), 1e-300))))
    left, middle, link = st.columns([1, 2, 2], vertical_alignment="bottom")
    name = left.selectbox("Optimizer", list(by_name), key=PICK_OPT, format_func=lambda n: optim.get(n).label)
    lr = middle.select_slider("Picked learning rate", stops, key=PICK_LR, format_func=lambda v: f"{v:.3g}")
    hp = settings.scenario.hp(name) | {"lr": float(lr)}
    picked = settings.scenario.with_changes(optimizers=(name,), hyperparams=((name, tuple(sorted(hp.items()))),))
    with link:
        open_in_playground(picked, f"Open {optim.get(name).label} at lr {lr:.3g} in Playground")


# ----------------------------------------------------------------------------- page


def main() -> None:
    settings, warnings = state.load()
    with st.sidebar:
        sidebar(settings)
    now = state.from_widgets(settings)
    if now != settings:
        warnings = []  # they described the link, which the user has since changed
    settings = now
    state.save(settings)

    look.apply_presentation_style(settings.scenario.present)
    theme = look.current_theme(settings.scenario.present)
    surface = compute.surface_of(settings.surface_key)
    st.title("Maps")
    st.markdown(f"**{surface.label}.** {surface.story}")
    if settings.scenario.schedule is not None:
        phrase = schedule_ui.phrase(settings.scenario.schedule)
        st.markdown(f"Every optimizer runs {phrase}; set the schedule in the Playground.")
    for warning in warnings:
        st.warning(warning, icon=":material/warning:")
    if settings.resolution > DEFAULT_RES or len(settings.scenario.optimizers) > 4:
        st.caption("Many optimizers or a fine grid: the first draw may take a few seconds (then it is cached).")
    basin_section(settings, surface, theme)
    st.divider()
    sensitivity_section(settings, surface, theme)


main()
