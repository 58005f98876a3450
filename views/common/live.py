"""Live charts on a page: Plotly figures the browser updates by itself (views/common/live_charts.js).

One call of ``live_chart`` draws one chart. Charts of the same ``group`` move together: a live knob (a
slider of the focus optimizer) switches each of them between the runs of every stop, computed ahead of time;
Play and the step slider draw every path up to step k. A released knob calls ``on_release(name, value)``
before the rerun, which then settles the page exactly as if the value had been set in the sidebar.

The payload is bytes (views/common/live_payload.py): a JSON header, then the arrays of the live runs that the
header points into. The figures themselves travel as Plotly figure specs inside the header (their arrays as
Plotly's own base64 typed arrays).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from views.common.knobs import Knob
from views.common.links import app_root
from views.common.live_payload import encode
from viz import layers as figure_layers
from viz.figure import SpecFigure
from viz.style import FONT

#: The Plotly build the charts load (the npm package plotly.js-cartesian-dist-min, served from ./static).
PLOTLY_FILE = "plotly-cartesian-4.1.1.min.js"
_HERE = Path(__file__).parent
COMPONENT_NAME = "rmsprop_playground.live_charts"
COMPONENT = st.components.v2.component(
    COMPONENT_NAME,
    js=(_HERE / "live_charts.js").read_text(),
    css=(_HERE / "live_charts.css").read_text(),
    isolate_styles=False,
)


@dataclass(frozen=True)
class Playback:
    """Play/pause and a step slider under a chart, from step 0 to ``last``."""

    last: int
    frames: int = 100


def _app_font(spec: dict[str, Any]) -> dict[str, Any]:
    """The app's typeface for the whole figure (Streamlit's own charts get it from Streamlit's template)."""
    layout = spec["layout"]
    return {**spec, "layout": {**layout, "font": {"family": FONT, **layout.get("font", {})}}}


def _auto_margins(spec: dict[str, Any]) -> dict[str, Any]:
    """A single-plot chart sizes its margins by its tick labels and titles (as Streamlit's charts do)."""
    layout = dict(spec["layout"])
    for key in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        layout[key] = {"automargin": True, **layout[key]}
    return {**spec, "layout": layout}


def plotly_url() -> str:
    """Where the browser loads plotly.js from (the app's static files; see .streamlit/config.toml)."""
    return f"{app_root()}app/static/{PLOTLY_FILE}"


def knob_header(knobs: Sequence[Knob], title: str) -> dict[str, Any]:
    return {
        "title": title,
        "items": [
            {
                "name": k.name,
                "label": k.label,
                "stops": list(k.stops),
                "labels": k.labels,
                "index": k.index,
                "disabled": k.disabled,
                "aria": k.label,
            }
            for k in knobs
        ],
    }


def live_chart(
    figure: SpecFigure | None,
    *,
    key: str,
    group: str,
    layered: bool = False,
    fit: bool = False,
    knobs: Sequence[Knob] = (),
    knobs_title: str = "",
    live: Mapping[str, dict] | None = None,
    play: Playback | None = None,
    on_release: Callable[[str, float], None] | None = None,
    on_click: Callable[[float, float], None] | None = None,
) -> None:
    """Draw ``figure`` as a live chart. ``layered``: a map, drawn as a surface layer and a moving layer;
    ``fit``: its height follows its width (a map to the same scale on both axes), at most the figure's height.
    ``knobs``: sliders shown above the chart (with no ``figure``: the sliders alone, moving the group's other
    charts); ``live``: per knob, this chart's traces at every stop (``views.common.knobs.knob_series(...)
    [chart]``); ``play``: playback controls under the chart."""
    parts: list[dict[str, Any]] = []
    height = 0
    if figure is not None:
        spec = _app_font(figure.spec)
        parts = figure_layers.split(spec) if layered else [_auto_margins(spec)]
        height = spec["layout"].get("height", 400)
    header = {
        "group": group,
        "plotly": plotly_url(),
        "height": height,
        "fit": fit,
        "layers": [
            {"figure": part, "version": figure_layers.version(part) if i < len(parts) - 1 else ""}
            for i, part in enumerate(parts)
        ],
        "knobs": knob_header(knobs, knobs_title) if knobs else None,
        "play": None if play is None else {"last": play.last, "frames": play.frames},
        "clickable": on_click is not None,
    }
    payload = encode(header, live or {})
    callbacks = {
        "on_release_change": (lambda: _released(key, on_release)) if on_release else None,
        "on_click_change": (lambda: _clicked(key, on_click)) if on_click else None,
    }
    COMPONENT(key=key, data=payload, **{k: v for k, v in callbacks.items() if v is not None})


def _event(key: str, name: str) -> Any:
    result = st.session_state.get(key)
    if result is None:
        return None
    return result.get(name) if isinstance(result, Mapping) else getattr(result, name, None)


def _released(key: str, on_release: Callable[[str, float], None]) -> None:
    event = _event(key, "release")
    if isinstance(event, Mapping) and isinstance(event.get("name"), str):
        try:
            value = float(event["value"])
        except (TypeError, ValueError):
            return
        on_release(event["name"], value)


def _clicked(key: str, on_click: Callable[[float, float], None]) -> None:
    event = _event(key, "click")
    if isinstance(event, Mapping):
        try:
            on_click(float(event["x"]), float(event["y"]))
        except (KeyError, TypeError, ValueError):
            return
