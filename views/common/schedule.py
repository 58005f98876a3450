"""The Playground's learning-rate schedule: its widget keys, values and sidebar expander.

Each kind keeps its own parameter widgets (a step decay's gamma of 0.5 would be brutal as a per-step
exponential gamma); the warm-up widgets are shared by every kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import optim
from optim import schedules
from views.common.controls import PERSIST, lazy_expander
from views.common.scenario import schedule_range

KIND = "pg.sched.kind"
OPEN = "pg.open.sched"  # the expander's open state (outside "pg.sched.": not a schedule value)


def key(kind: str, name: str) -> str:
    return f"pg.sched.{name}" if name in schedules.WARMUP_PARAMS else f"pg.sched.{kind}.{name}"


def widget_values(schedule: optim.Schedule | None) -> dict[str, object]:
    """Every schedule widget key and its value: the schedule's own, defaults for the other kinds."""
    kind = "constant" if schedule is None else schedule.kind
    values: dict[str, object] = {KIND: kind}
    for other in schedules.KINDS:
        values |= {key(other, name): value for name, value in schedules.defaults(other).items()}
    if schedule is not None:
        values |= {key(kind, name): value for name, value in schedule.params}
    return values


def from_session(ss: Mapping[str, Any]) -> optim.Schedule | None:
    """The schedule the widgets describe (None: a constant learning rate)."""
    kind = ss.get(KIND, "constant")
    if kind not in schedules.KINDS:
        return None
    params = {name: ss.get(key(kind, name), default) for name, default in schedules.defaults(kind).items()}
    try:
        return schedules.coerce(optim.Schedule.make(kind, **params))
    except ValueError:
        return None  # widgets keep their values in range; this is a guard, not a path


def preview(schedule: optim.Schedule, steps: int, points: int = 300) -> pd.DataFrame:
    """The schedule's factor over the run (at most ``points`` steps drawn)."""
    t = np.unique(np.linspace(0, max(steps - 1, 0), min(steps, points)).round().astype(int))
    return pd.DataFrame({"× lr": schedules.factor(schedule.kind, t, **schedule.values())}, index=t)


def _int_input(label: str, kind: str, name: str, disabled: bool) -> None:
    low, high = schedule_range(kind, name)
    st.number_input(
        label,
        int(low),
        int(high),
        step=10,
        key=key(kind, name),
        disabled=disabled,
        help=schedules.PARAMS[name].help,
        persist_state=PERSIST,
    )


def _float_input(label: str, kind: str, name: str, disabled: bool, step: float, fmt: str, help: str) -> None:
    low, high = schedule_range(kind, name)
    st.number_input(
        label,
        low,
        high,
        step=step,
        format=fmt,
        key=key(kind, name),
        disabled=disabled,
        help=help,
        persist_state=PERSIST,
    )


def controls(steps: int, disabled: bool = False) -> None:
    """The "Learning-rate schedule" expander: kind, its parameters, a warm-up, and what it does."""
    ss = st.session_state
    kind = ss.get(KIND, "constant")
    box = lazy_expander("Learning-rate schedule", OPEN, start_open=kind != "constant")
    if not box.open:
        return  # nothing drawn while closed; the widgets keep their values (PERSIST)
    with box:
        st.selectbox(
            "Schedule",
            list(schedules.KINDS),
            key=KIND,
            persist_state=PERSIST,
            format_func=schedules.LABELS.get,
            disabled=disabled,
            help="Multiplies every optimizer's lr at update t (t = 0 first), as the frameworks' schedulers do.",
        )
        kind = ss[KIND]
        if kind == "step":
            left, right = st.columns(2)
            with left:
                _int_input("Every N steps", kind, "every", disabled)
            with right:
                _float_input("γ", kind, "gamma", disabled, 0.05, "%.3f", schedules.PARAMS["gamma"].help)
        elif kind == "exponential":
            help = "lr · γ^t: the learning rate halves every ln 2 / ln(1/γ) steps."
            _float_input("γ per step", kind, "gamma", disabled, 0.001, "%.4f", help)
        elif kind == "cosine":
            _int_input("Decay steps T", kind, "T", disabled)
            st.slider(
                "Floor (fraction of lr)",
                0.0,
                1.0,
                step=0.01,
                key=key(kind, "floor"),
                disabled=disabled,
                persist_state=PERSIST,
            )
        left, right = st.columns(2)
        with left:
            _int_input("Warm-up W", kind, "warmup", disabled)
        with right:
            off = disabled or not ss.get(key(kind, "warmup"))
            _float_input("Start (× lr)", kind, "warmup_start", off, 0.05, "%.2f", schedules.PARAMS["warmup_start"].help)
        schedule = from_session(ss)
        if schedule is None:
            st.caption("Constant: every update uses the optimizer's own lr.")
            return
        st.caption(f"Every optimizer: lr × {schedule.describe()}. The effective-lr chart includes it.")
        st.line_chart(preview(schedule, steps), height=120, x_label="step", y_label="× lr")
        values = schedule.values()
        if kind == "cosine" and values["warmup"] + values["T"] > steps:
            st.caption(f"The run ({steps} steps) ends before the cosine reaches its floor.")


def phrase(schedule: optim.Schedule | None) -> str:
    """The schedule in a few words for a page's description, e.g. "with a cosine decay schedule (T=200,
    floor=0, warm-up 20 steps from 0·lr)"; empty for a constant learning rate."""
    if schedule is None:
        return ""
    values = schedule.values()
    parts = [f"{name}={values[name]:g}" for name in schedules.KINDS[schedule.kind]]
    if values["warmup"]:
        parts.append(f"warm-up {values['warmup']} steps from {values['warmup_start']:g}·lr")
    name = "linear warm-up" if schedule.kind == "constant" else schedules.LABELS[schedule.kind]
    return f"with a {name} schedule ({', '.join(parts)})"


def read_only(schedule: optim.Schedule | None, steps: int) -> None:
    """A small read-only view of ``schedule`` for the pages that follow the Playground's (Sweep, Maps)."""
    with st.expander("Learning-rate schedule", expanded=schedule is not None):
        if schedule is None:
            st.caption("Constant: every update uses the optimizer's own lr. Set a schedule in the Playground.")
            return
        st.caption(f"Every run: lr × {schedule.describe()}. Set the schedule in the Playground.")
        st.line_chart(preview(schedule, steps), height=100, x_label="step", y_label="× lr")
