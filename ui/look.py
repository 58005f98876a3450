"""Theme detection and the presentation-mode stylesheet."""

from __future__ import annotations

import streamlit as st

from viz.style import Theme

_PRESENTATION_CSS = """
<style>
  html, body, [data-testid="stAppViewContainer"] { font-size: 20px; }
  [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.15rem; }
  h1 { font-size: 2.6rem !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 2rem; max-width: 100%; }
</style>
"""


def current_theme(present: bool) -> Theme:
    """Light or dark as the browser reports it; larger type in presentation mode."""
    kind = getattr(st.context.theme, "type", None)
    return Theme(dark=kind == "dark", font_scale=1.35 if present else 1.0)


def apply_presentation_style(present: bool) -> None:
    if present:
        st.html(_PRESENTATION_CSS)
