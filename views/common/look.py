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


#: Every page, for axe-core's serious findings (tests/browser/test_accessibility_e2e.py):
#: - captions and the labels of disabled widgets in the text's own colour at 80% / 70% (Streamlit's greys,
#:   #828180 on white and 40% alpha, are 3.9:1 and 2.3:1, under the 4.5:1 WCAG AA asks of small text);
#:   ``inherit`` keeps light and dark themes right;
#: - KaTeX's display equations are scroll boxes that overflow by 2 px of rounding, which makes each one a
#:   "scrollable region" without keyboard access; the equations are laid out to fit (tests/browser checks the
#:   widest ones), so they need no scrolling;
#: - the code blocks' keyword blue (#1c83e1 on #fcfcfb, 3.8:1): keywords in the text's colour, bold.
#: Section headings are h2 under the page's h1 (axe's heading order), drawn at the size of Streamlit's h3.
#: And page links wrap instead of ending in "…" in a narrow column ("Open this run in the Playg…" at 1024 px);
#: on a touch screen no chart shows Plotly's toolbar, which would cover titles and legends (a tap shows it).
_BASE_CSS = """
<style>
  [data-testid="stCaptionContainer"] { color: inherit; opacity: 0.8; }
  label[data-testid="stWidgetLabel"][disabled] { color: inherit; opacity: 0.7; }
  .katex-display { overflow: visible !important; }
  [data-testid="stMain"] h2 { font-size: 1.75rem; padding: 0.75rem 0 1rem; }
  @media (max-width: 640px) { [data-testid="stMain"] h2 { font-size: 1.4rem; } }
  .stCode .token.keyword { color: inherit; font-weight: 700; }
  [data-testid="stPageLink"] a span:has(p), [data-testid="stPageLink"] a div:has(> p),
  [data-testid="stPageLink"] a p {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  }
  @media (hover: none) { .js-plotly-plot .modebar-container { display: none !important; } }
</style>
"""


def apply_base_style() -> None:
    """The app's few style fixes, for every page (app.py)."""
    st.html(_BASE_CSS)


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
