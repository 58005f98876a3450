"""Keeping a page's settings, its widgets and the address bar in step (per session, never global).

Each page keeps its settings in one immutable object (a Scenario, SweepSettings, MapsSettings), mirrored in
two places: the widget keys of ``st.session_state`` (written before the widgets are drawn) and the address
bar (written after the run). ``Synced`` does this for every page the same way: ``load`` picks the settings
(from the URL on a first visit or when the URL was changed from outside, else the ones stored in the session)
and fills the widget keys; the page draws its widgets and rebuilds the settings from them; ``save`` stores
them and mirrors them in the URL. Streamlit's own query keys (``embed``, ``embed_options``) belong to the
browser, not to the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from views.common.scenario import IGNORED_KEYS


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


@dataclass(frozen=True)
class Synced:
    """One page's settings kept in session state under ``<prefix>.settings`` and in the address bar.

    ``parse(query)`` returns the settings and warnings about the query; ``widget_values(settings)`` maps every
    widget key to the value it shows for them. Settings objects have ``to_query()``."""

    prefix: str
    parse: Callable[[dict[str, str]], tuple[Any, list[str]]]
    widget_values: Callable[[Any], Mapping[str, object]]
    store: str = "settings"  # the settings live under "<prefix>.<store>"

    @property
    def stored_key(self) -> str:
        return f"{self.prefix}.{self.store}"

    @property
    def warnings_key(self) -> str:
        return f"{self.prefix}.warnings"

    def stored(self) -> Any | None:
        """The settings of this session's last run of the page (None before its first)."""
        return st.session_state.get(self.stored_key)

    def push(self, settings: Any, only_missing: bool = False) -> None:
        """Write ``settings`` into the widget keys (before the widgets are drawn, or in a callback)."""
        write_widgets(self.widget_values(settings), only_missing)

    def commit(self, settings: Any) -> None:
        """From a widget callback: make ``settings`` this session's at once (widgets, stored settings and the
        address bar), so the run that follows draws every control for them.

        ``push`` alone leaves the stored settings (and the URL) one step behind the widgets: a page that draws its
        controls from the stored settings would then draw the previous ones (the Sweep's axis choices of the
        previous optimizer while the widgets hold the new one's)."""
        self.push(settings)
        st.session_state[self.stored_key], st.session_state[self.warnings_key] = settings, []
        mirror(settings.to_query())

    def adopt(self, settings: Any, warnings: list[str]) -> tuple[Any, list[str]]:
        """Make ``settings`` this session's (widgets included), remembering the warnings that came with them."""
        self.push(settings)
        st.session_state[self.stored_key], st.session_state[self.warnings_key] = settings, warnings
        return settings, warnings

    def load(self, fallback: Callable[[], Any | None] | None = None) -> tuple[Any, list[str], bool]:
        """This run's settings, their warnings, and whether they were just read from the address bar.

        Without a query, ``fallback()`` may offer settings to adopt instead of the stored ones (the Sweep
        follows the Playground's latest view this way); the defaults are the empty query's."""
        query = own_query()
        stored = self.stored()
        if query and (stored is None or query != stored.to_query()):
            return *self.adopt(*self.parse(query)), True
        offered = fallback() if fallback is not None and not query else None
        if offered is not None:
            return *self.adopt(offered, []), False
        if stored is None:
            return *self.adopt(*self.parse(query)), True
        self.push(stored, only_missing=True)
        return stored, st.session_state.get(self.warnings_key, []), False

    def save(self, settings: Any) -> None:
        """Remember ``settings`` for this session and mirror them in the address bar (keeping embed options)."""
        st.session_state[self.stored_key] = settings
        mirror(settings.to_query())
