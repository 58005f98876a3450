"""What the pages' URL-synced state modules (ui/state.py, ui/sweep_state.py, ui/maps_state.py) share.

Each page keeps its settings in one immutable object, mirrored in two places: the widget keys of
``st.session_state`` (written before the widgets are drawn) and the address bar (written after the run).
Streamlit's own query keys (``embed``, ``embed_options``) belong to the browser, not to the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import streamlit as st

import optim
import presets
from scenario import IGNORED_KEYS


def own_query() -> dict[str, str]:
    """The address bar's query without Streamlit's own keys."""
    return {k: v for k, v in st.query_params.to_dict().items() if k not in IGNORED_KEYS}


def write_widgets(values: Mapping[str, object], only_missing: bool = False) -> None:
    """Set widget keys to ``values`` (all, or only those the session does not hold yet)."""
    for key, value in values.items():
        if not only_missing or key not in st.session_state:
            st.session_state[key] = value


def mirror(query: Mapping[str, str]) -> None:
    """Make the address bar hold ``query`` (and Streamlit's own keys, kept as they are)."""
    if own_query() != query:
        kept = {k: v for k, v in st.query_params.to_dict().items() if k in IGNORED_KEYS}
        st.query_params.from_dict(dict(query) | kept)


def load(
    stored_key: str, warnings_key: str, parse: Callable[[dict[str, str]], tuple[Any, list[str]]], push: Callable
) -> tuple[Any, list[str], bool]:
    """A page's settings for this run: parsed from the address bar on a first visit or when it was changed
    from outside (then True), else the ones stored in the session. ``push(settings, only_missing=...)``
    writes them into the widget keys; ``parse`` returns the settings and warnings about the query."""
    query = own_query()
    stored = st.session_state.get(stored_key)
    if stored is None or (query and query != stored.to_query()):
        settings, warnings = parse(query)
        push(settings)
        st.session_state[stored_key], st.session_state[warnings_key] = settings, warnings
        return settings, warnings, True
    push(stored, only_missing=True)
    return stored, st.session_state.get(warnings_key, []), False


def ensure_hp_defaults(surface: str, optimizer: str, key: Callable[[str, str], str]) -> None:
    """A newly chosen optimizer's widgets start from this surface's preset (``key(optimizer, name)``)."""
    for name, value in presets.default_hp(surface, optimizer).items():
        st.session_state.setdefault(key(optimizer, name), value)


def typed(param, value) -> bool | float:
    """A hyperparameter's widget value as the core takes it: bool for flags, float for numbers."""
    return bool(value) if param.kind == "bool" else float(value)


def hyperparams(optimizers: Iterable[str], key: Callable[[str, str], str]) -> tuple:
    """Each optimizer's hyperparameters as read from its widgets (``key(optimizer, name)``), typed and
    sorted: the ``hyperparams`` field of a Scenario."""
    ss = st.session_state
    return tuple(
        (name, tuple(sorted((p.name, typed(p, ss[key(name, p.name)])) for p in optim.get(name).hyperparams)))
        for name in optimizers
    )
