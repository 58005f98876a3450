"""The Playground's view options: the focus optimizer, small multiples and the curvature read-out at step k.

The play head in the browser is client-side only (Streamlit never learns where it is), so the
curvature is read out at a step k chosen here; the step inspector shows the same k.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import optim
from analysis.curvature import Curvature, curvature, gd_limit, step_curvature, step_limit, update_kind
from views.common.controls import PERSIST
from views.common.run_spec import surface_of
from views.common.scenario import Scenario
from views.playground import state, teach
from viz.curvature import CurvatureMark
from viz.paths import PathData

#: Off-diagonal Hessian entries below this fraction of the diagonal count as an axis-aligned Hessian.
ALIGNED = 1e-12
VERDICT = "α·λ vs its limit"


def controls(scenario: Scenario) -> None:
    """The focus and the two view toggles in one row above the charts, and the step-k slider while the read-out
    is on (a teacher link's ``view`` may lock or hide them). Presentation mode puts the focus beside the map
    (``focus_control``, from views/playground/charts.py) and the toggles in the sidebar, so the map, its
    sliders and the loss fit a projector's screen."""
    link = teach.current()
    if not link.shown("view"):
        return
    if scenario.present:
        with st.sidebar:
            view_toggles(scenario, st.container(), st.container())
            step_k_slider(scenario)
        return
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):  # wraps on a narrow screen
        focus_control(scenario)
        view_toggles(scenario, st, st)
    step_k_slider(scenario)


def focus_control(scenario: Scenario) -> None:
    """Which optimizer is in focus: its sliders sit beside the map and its path is drawn on top."""
    link = teach.current()
    if len(scenario.optimizers) < 2 or not link.shown("view"):
        return
    options = {
        "key": state.FOCUS,
        "format_func": lambda n: optim.get(n).label,
        "disabled": link.locked("view"),
        "persist_state": PERSIST,
        "help": "The optimizer whose sliders sit beside the contour and whose path is drawn on top. "
        "Travels in the link.",
    }
    if scenario.present:  # beside the map, in a narrow column: a drop-down takes one line whatever the count
        st.selectbox("Focus", list(scenario.optimizers), **options)
    else:
        st.segmented_control("Focus", list(scenario.optimizers), required=True, **options)


def view_toggles(scenario: Scenario, left, middle) -> None:
    locked = teach.current().locked("view")
    left.toggle(
        "Small multiples",
        key=state.MULTI,
        persist_state=PERSIST,
        help="Small multiples: a contour per optimizer on shared axes, with one play head. Travels in the link.",
        disabled=locked,
    )
    middle.toggle(
        "Curvature at step k",
        key=state.CURV,
        persist_state=PERSIST,
        help="Hessian eigenvalues, the local condition number and the curvature ellipse at each optimizer's "
        "iterate k, and how this step's learning rate compares with the stability limit. Travels in the link.",
        disabled=locked,
    )


def step_k_slider(scenario: Scenario) -> None:
    """The step of the curvature read-out (and of the step inspector), while the read-out is on."""
    if not scenario.curv:
        return
    last = scenario.steps - 1
    if st.session_state.get(state.STEP_K, 0) > last:
        st.session_state[state.STEP_K] = last
    st.slider(
        "Step k (curvature and step inspector)",
        0,
        max(last, 1),
        key=state.STEP_K,
        persist_state=PERSIST,
        disabled=last < 1 or teach.current().locked("view"),
        help="The chart's play head lives in your browser and the app cannot see it: pick the step here.",
    )


def _curvature(scenario: Scenario, xy: np.ndarray) -> Curvature | None:
    surface = surface_of(scenario.surface_key)
    with np.errstate(all="ignore"):
        hessian = surface.hessian(xy)
    try:
        return curvature(hessian)
    except ValueError:
        return None  # f is not twice differentiable there (a custom formula's singularity)


def marks(scenario: Scenario, paths: list[PathData]) -> list[CurvatureMark]:
    """Each optimizer's iterate k and its curvature (none for a run that stopped before step k)."""
    if not scenario.curv:
        return []
    out = []
    for path in paths:
        if scenario.k > path.last:
            continue
        c = _curvature(scenario, path.xy[scenario.k])
        if c is not None:
            out.append(CurvatureMark(path.name, path.label, scenario.k, path.xy[scenario.k], c))
    return out


def _num(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "∞" if value == np.inf else "—"
    return f"{value:.4g}"


def _column(scenario: Scenario, path: PathData, mark: CurvatureMark | None) -> dict[str, str]:
    k = scenario.k
    if k > path.last:
        return {"iterate θ_k": f"none: left the region at step {path.diverged_at}", VERDICT: "no read-out"}
    where = f"({path.xy[k, 0]:.4g}, {path.xy[k, 1]:.4g})"
    if mark is None:
        return {"iterate θ_k": where, VERDICT: "f has no finite Hessian here"}
    c, h = mark.curvature, mark.curvature.hessian
    alpha = np.asarray(path.effective_lr[k], dtype=float)
    col = {
        "iterate θ_k": where,
        "λ_min, λ_max": f"{_num(c.lam_min)}, {_num(c.lam_max)}",
        "condition number": c.describe(),
        "GD limit 2/λ_max": _num(gd_limit(c.lam_max)),
        "α at step k (x, y)": f"{_num(alpha[0])}, {_num(alpha[1])}",
        "2/λ per axis (x, y)": "— (H not axis-aligned)",
    }
    if abs(h[0, 1]) <= ALIGNED * max(abs(h[0, 0]), abs(h[1, 1])):
        col["2/λ per axis (x, y)"] = ", ".join(_num(2 / v) if v > 0 else "none (λ ≤ 0)" for v in np.diag(h))
    col[VERDICT] = _verdict(path, scenario, h, alpha, c.lam_max)
    return col


def _verdict(path: PathData, scenario: Scenario, h: np.ndarray, alpha: np.ndarray, lam_max: float) -> str:
    if not np.isfinite(alpha).all():
        return "no finite effective lr at this step"
    rho = step_curvature(h, alpha)
    kind, momentum = update_kind(path.name, scenario.hp(path.name))
    limit = step_limit(kind, momentum)
    if lam_max <= 0:
        return f"{_num(rho)} (nothing to overshoot)"
    if limit is None:
        return f"{_num(rho)} (no exact limit)"
    return f"{_num(rho)} < {_num(limit)}: stable" if rho < limit else f"{_num(rho)} ≥ {_num(limit)}: overshoot"


def readout(scenario: Scenario, paths: list[PathData], shown: list[CurvatureMark]) -> None:
    """The read-out table: one column per optimizer at iterate k, and what the numbers mean."""
    st.markdown(f"**Curvature at step k = {scenario.k}** (each optimizer's own iterate k)")
    if not paths:
        st.caption("No optimizer to read out.")
        return
    by_name = {m.name: m for m in shown}
    columns = {p.label: _column(scenario, p, by_name.get(p.name)) for p in paths}
    rows = [r for r in dict.fromkeys(r for col in columns.values() for r in col) if r != VERDICT] + [VERDICT]
    table = pd.DataFrame({label: [col.get(r, "—") for r in rows] for label, col in columns.items()}, index=rows)
    st.dataframe(table, width="stretch", height=36 * (len(rows) + 1) + 8)
    st.caption(
        "Iterate k is where step k starts (as in the step inspector); λ are the eigenvalues of the exact Hessian "
        "there; α is step k's effective learning rate per axis, and α·λ means λ_max(√α H √α). On the contour a "
        "ring marks iterate k, with a level set of the local quadratic model ½ dᵀHd: axes along the eigenvectors "
        "(dotted), lengths ∝ 1/√|λ| (long = flat); dashed hyperbolas at a saddle. With step k's α held fixed, a "
        "step on that quadratic shrinks every positive-curvature direction iff α·λ < 2 (plain SGD, α = lr: "
        "lr < 2/λ_max); with momentum μ the limit is 2(1+μ), with Nesterov 2(1+μ)/(1+2μ). Adam, Nadam and "
        "RMSProp with momentum step along moving averages: no exact limit. Per-axis 2/λ holds only where H is "
        "axis-aligned."
    )
