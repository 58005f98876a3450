"""Widgets generated from the parameter descriptions (HyperParam, surface Param).

Every control is created from ``st.session_state`` only (never with ``value=``), so a Scenario
can be pushed into the widgets before they are drawn.

Every control that holds a page's settings keeps its value while it is not drawn (``PERSIST``): in a
closed expander that skips its contents, or while the user is on another page. Without it Streamlit
drops a hidden widget's value, and the key may fall back to the first value the page wrote into it
(seen in AppTest: a learning rate moved in a since-closed expander came back at its preset).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from landscapes import Param
from optim import HyperParam
from views.common.stops import NOISE_STOPS, TOL_STOPS, format_number, log_grid, options_for

#: ``persist_state`` of every settings widget (Streamlit >= 1.59).
PERSIST = "session"
__all__ = [
    "NOISE_STOPS",
    "PERSIST",
    "TOL_STOPS",
    "format_number",
    "hyperparam_control",
    "lazy_expander",
    "log_grid",
    "options_for",
    "stepped_slider",
    "surface_param_control",
]


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


def hyperparam_control(
    p: HyperParam,
    key: str,
    disabled: bool = False,
    note: str | None = None,
    on_change: Callable[[], None] | None = None,
):
    """The control for one hyperparameter: a toggle for flags, a stepped slider for numbers."""
    help_text = p.help + (f" {note}" if note else "")
    if p.kind == "bool":
        return st.toggle(
            p.label, key=key, help=help_text, disabled=disabled, persist_state=PERSIST, on_change=on_change
        )
    return stepped_slider(p.label, key, options_for(p), help=help_text, disabled=disabled, on_change=on_change)


def surface_param_control(p: Param, key: str, disabled: bool = False) -> float:
    return stepped_slider(p.label, key, options_for(p), help=p.help, disabled=disabled)
