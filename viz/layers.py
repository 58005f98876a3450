"""A map figure as two stacked plots with the same geometry: the filled surface below, everything else above.

The browser then redraws only the upper plot when a path moves (a slider, a playback frame): Plotly redraws a
whole plot on any change, and the filled contour is its most expensive trace; Plotly's own frames with
``redraw: false`` even drop contour traces (plotly.js #4491). Both plots get the same size, margins, axis ranges
and aspect constraints, so their plot areas coincide; the upper one is transparent and draws no axes. Axis
labels may not size the margins (automargin: the two plots show different labels); the upper plot's legend
does push its top margin, and the browser gives the lower plot the margins the upper one ends up with.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

#: Trace types drawn on the lower plot.
BELOW = frozenset({"contour", "heatmap"})
#: Fixed margins (px) of a split map: room for tick labels and axis titles, which may not size them.
MARGIN = {"l": 56, "r": 12, "b": 50}
#: Layout keys that only the lower plot draws.
LOWER_ONLY = ("title", "annotations", "shapes", "images")
_HIDDEN_AXIS = {
    "showticklabels": False,
    "showgrid": False,
    "zeroline": False,
    "showline": False,
    "ticks": "",
    "title": {"text": ""},
    "automargin": False,
}


def _axis_keys(layout: dict[str, Any]) -> list[str]:
    return [k for k in layout if k.startswith(("xaxis", "yaxis"))]


def split(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """``[lower, upper]`` figure specs of ``spec`` (``[spec]`` when it has no surface trace to put below)."""
    data, layout = spec["data"], spec["layout"]
    lower = [t for t in data if t.get("type") in BELOW]
    if not lower:
        return [spec]
    upper = [t for t in data if t.get("type") not in BELOW]
    margin = {**layout.get("margin", {})}
    margin |= {side: max(margin.get(side, 0), px) for side, px in MARGIN.items()}
    lower_layout = {k: v for k, v in layout.items() if k not in ("legend", "hovermode")} | {"margin": margin}
    lower_layout["showlegend"] = False
    for key in _axis_keys(layout):
        lower_layout[key] = {**layout[key], "automargin": False}
    upper_layout = {k: v for k, v in layout.items() if k not in LOWER_ONLY} | {"margin": margin}
    upper_layout |= {"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"}
    for key in _axis_keys(layout):
        upper_layout[key] = {**layout[key], **_HIDDEN_AXIS}
    return [{"data": lower, "layout": lower_layout}, {"data": upper, "layout": upper_layout}]


def version(spec: dict[str, Any]) -> str:
    """A short digest of a figure spec: the browser skips redrawing a layer whose digest it already shows."""
    return hashlib.blake2b(orjson.dumps(spec, option=orjson.OPT_SERIALIZE_NUMPY), digest_size=12).hexdigest()
