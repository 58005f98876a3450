"""How pages look: theme detection, the presentation-mode stylesheet, and one way to put a chart on a page."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from viz.style import Theme

_PRESENTATION_CSS = """
<style>
  html, body, [data-testid="stAppViewContainer"] { font-size: 20px; }
  [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.15rem; }
  h1 { font-size: 2.6rem !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 1rem; max-width: 100%; }
</style>
"""


def current_theme(present: bool) -> Theme:
    """Light or dark as the browser reports it; larger type in presentation mode."""
    kind = getattr(st.context.theme, "type", None)
    return Theme(dark=kind == "dark", font_scale=1.35 if present else 1.0)


def apply_presentation_style(present: bool) -> None:
    if present:
        st.html(_PRESENTATION_CSS)


#: Plotly's options for every chart: no logo, and no zoom on scroll (a page scrolls past a chart).
CHART_CONFIG = {"displaylogo": False, "scrollZoom": False}


def chart(figure: go.Figure, key: str | None = None, on_select: Callable[[], None] | None = None) -> None:
    """Draw ``figure``; with ``on_select``, a click on one of its points reruns the page after that callback
    (the chart's selection is then in ``st.session_state[key]``)."""
    if on_select is None:
        st.plotly_chart(figure, key=key, config=CHART_CONFIG)
    else:
        st.plotly_chart(figure, key=key, on_select=on_select, selection_mode="points", config=CHART_CONFIG)
