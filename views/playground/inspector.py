"""The Playground's step inspector: one step of every optimizer, number by number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from optim.inspect import StepDetail, relevant_fields
from views.common.rules import aligned, rule_latex
from views.common.scenario import Scenario
from views.playground.compute import inspect
from viz.paths import PathData

STEP_KEY = "pg.inspect_step"


def step_table(detail: StepDetail) -> pd.DataFrame:
    rows = {"position θ (step k)": detail.xy, "gradient g": detail.grad}
    for name, label in relevant_fields(detail).items():
        rows[f"{label}, before"] = detail.state_before[name]
        rows[f"{label}, after"] = detail.state_after[name]
    rows["effective learning rate"] = detail.effective_lr
    rows["update Δθ"] = detail.update
    rows["new position θ (step k+1)"] = detail.xy_next
    return pd.DataFrame({"x": [v[0] for v in rows.values()], "y": [v[1] for v in rows.values()]}, index=list(rows))


def _number(value: float) -> str:
    return f"{value:.6g}".replace("e-0", "e-").replace("e+0", "e+")


def substituted(detail: StepDetail) -> str:
    """θ_{k+1} = θ_k + Δθ with this step's numbers, per axis."""
    parts = []
    for axis, name in ((0, "x"), (1, "y")):
        a, d, b = detail.xy[axis], detail.update[axis], detail.xy_next[axis]
        parts.append(rf"{name}_{{k+1}} = {_number(a)} + ({_number(d)}) = {_number(b)}")
    return aligned(parts)


def inspector_tab(scenario: Scenario, paths: list[PathData]) -> None:
    if not paths:
        st.caption("No optimizer to inspect.")
        return
    last = scenario.steps - 1
    if scenario.curv:  # the curvature read-out's slider above the charts sets k (one widget per key)
        step = scenario.k
        st.caption(f"Step k = {step}, set with the slider above the charts (curvature read-out on).")
    else:
        if st.session_state.get(STEP_KEY, 0) > last:
            st.session_state[STEP_KEY] = last
        step = st.slider(
            "Step k",
            0,
            max(last, 1),
            key=STEP_KEY,
            help="Step k moves iterate k to iterate k+1; the numbers are those behind the drawn paths.",
            disabled=last < 1,
        )
    for path in paths:
        st.markdown(f"**{path.label}**")
        if path.diverged_at is not None and step >= path.last:
            st.caption(f"This run left the region at step {path.diverged_at}; it takes no step {step}.")
            continue
        detail = inspect(scenario.run_spec(path.name), step)
        if scenario.schedule is not None and detail.lr is not None:
            base = scenario.hp(path.name)["lr"]
            st.caption(
                f"Learning rate of step {step}: {_number(base)} × {_number(detail.lr / base)} (schedule) = "
                f"{_number(detail.lr)}; the effective learning rate below includes it."
            )
        left, right = st.columns([3, 2])
        left.dataframe(
            step_table(detail),
            column_config={c: st.column_config.NumberColumn(format="%.6g") for c in ("x", "y")},
            width="stretch",
        )
        with right:
            st.latex(rule_latex(path.name, scenario.convention, scenario.hp(path.name)))
            st.latex(substituted(detail))
            if np.any(detail.effective_lr == 0):
                st.caption(
                    "An effective learning rate of 0: no step on that axis (zero gradient, or 0/0 with eps = 0)."
                )
