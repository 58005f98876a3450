"""Widgets generated from the parameter descriptions (HyperParam, surface Param).

Every control is created from ``st.session_state`` only (never with ``value=``), so a Scenario
can be pushed into the widgets before they are drawn.

Every control that holds a page's settings keeps its value while it is not drawn (``PERSIST``): in a
closed expander that skips its contents, or while the user is on another page. Without it Streamlit
drops a hidden widget's value, and the key may fall back to the first value the page wrote into it
(seen in AppTest: a learning rate moved in a since-closed expander came back at its preset).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from landscapes import Param
from optim import HyperParam
from views.common.scenario import NOISE_RANGE, TOL_RANGE

#: ``persist_state`` of every settings widget (Streamlit >= 1.59).
PERSIST = "session"

_NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
_DECAY = (
    0.0,
    0.1,
    0.2,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.8,
    0.85,
    0.9,
    0.93,
    0.95,
    0.97,
    0.98,
    0.99,
    0.995,
    0.999,
    0.9995,
    0.9999,
)


def log_grid(low: float, high: float, mantissas: Sequence[float] = _NICE) -> list[float]:
    """Nice values (1, 1.2, 1.5, 2, ... per decade) from low to high inclusive."""
    values = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for m in mantissas:
            v = float(f"{m * 10.0**exponent:.6g}")
            if low * (1 - 1e-9) <= v <= high * (1 + 1e-9):
                values.append(v)
    return values


#: Stops of the gradient-noise and tolerance sliders (the same on every page).
NOISE_STOPS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, NOISE_RANGE[1])
TOL_STOPS = tuple(log_grid(TOL_RANGE[0], TOL_RANGE[1], (1.0,)))


@functools.lru_cache(maxsize=256)
def options_for(p: HyperParam | Param) -> tuple[float, ...]:
    """The slider stops for a parameter: log-spaced, decay-like (dense near 1) or linear."""
    low, high = p.slider_range if isinstance(p, HyperParam) else (p.low, p.high)
    if p.log:
        grid = log_grid(max(low, 1e-12), high, _NICE if p.name != "eps" else (1.0, 3.0))
        return tuple(([0.0] if low == 0 else []) + grid)
    if isinstance(p, HyperParam) and high <= 1.0:
        return tuple(v for v in _DECAY if low <= v <= high)
    step = 5.0 if p.name == "angle" else 0.5 if p.name == "A" else 0.1
    count = round((high - low) / step)
    return tuple(round(low + i * step, 10) for i in range(count + 1))


@functools.lru_cache(maxsize=4096)
def format_number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        mantissa, exponent = f"{value:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.6g}"


def stepped_slider(label: str, key: str, options: Sequence[float], help: str | None = None, **kwargs) -> float:
    """A select_slider over ``options`` that also accepts a current value between the stops."""
    current = st.session_state.get(key)
    stops = sorted(set(options) | ({float(current)} if current is not None else set()))
    if current is None:
        st.session_state[key] = stops[0]
    return st.select_slider(
        label, options=stops, key=key, format_func=format_number, help=help, persist_state=PERSIST, **kwargs
    )


def lazy_expander(label: str, key: str, start_open: bool = False) -> DeltaGenerator:
    """A sidebar expander whose contents the caller draws only while it is open (``.open``): opening or
    closing it reruns the page. ``start_open`` is its state when the session first draws it; later reruns
    keep the user's choice (``expanded=`` is not passed, since a changed ``expanded=`` would make Streamlit
    treat it as a new expander and close it)."""
    st.session_state.setdefault(key, start_open)
    return st.expander(label, key=key, on_change="rerun")


def hyperparam_control(p: HyperParam, key: str, disabled: bool = False, note: str | None = None):
    """The control for one hyperparameter: a toggle for flags, a stepped slider for numbers."""
    help_text = p.help + (f" {note}" if note else "")
    if p.kind == "bool":
        return st.toggle(p.label, key=key, help=help_text, disabled=disabled, persist_state=PERSIST)
    return stepped_slider(p.label, key, options_for(p), help=help_text, disabled=disabled)


def surface_param_control(p: Param, key: str, disabled: bool = False) -> float:
    return stepped_slider(p.label, key, options_for(p), help=p.help, disabled=disabled)
