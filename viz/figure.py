"""Figures built from plain dict specs, skipping plotly's object model.

Plotly validates every property of every trace and frame as a ``go.Figure`` is built, and
``to_dict`` deep-copies it again: for the contour with its animation frames that costs ~200 ms,
far more than all our computation. The builders in ``viz`` therefore write plain dicts, and
``SpecFigure`` carries them as they are: it is a ``go.Figure`` (so ``st.plotly_chart`` accepts it)
whose ``to_dict`` returns the spec itself. The test suite validates every builder's output in full
(``go.Figure(fig.to_dict())``), so a typo in a property name still fails loudly.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import plotly.graph_objects as go


def click_points(size: int, draw_one: bool = True) -> dict[str, Any]:
    """Trace properties of an invisible layer of points that carries hover text and clicks (Streamlit
    reports clicks on scatter points only, not on contours or heatmaps). plotly.js finds the hovered or
    clicked point from the data, not from the drawn markers, so one marker is drawn (``maxdisplayed``):
    drawing all of them, invisible, cost ~170 ms of every redraw of the Playground's contour in Chromium
    (1,681 points). Not with several such layers in one subplot (the basin maps, one per outcome):
    clicks then stopped reaching Streamlit (``draw_one=False`` there)."""
    hidden = {"marker": {"opacity": 0.0}}
    return {
        "mode": "markers",
        "marker": {"size": size, "opacity": 0.0, "color": "black"} | ({"maxdisplayed": 1} if draw_one else {}),
        "selected": hidden,
        "unselected": hidden,
    }


#: plotly.js's names of the dtypes it reads from base64 ("typed arrays").
_TYPED = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "float32": "f4",
    "float64": "f8",
}


def typed_array(array: np.ndarray) -> Any:
    """A numeric array as plotly.js's typed-array spec ({"dtype", "bdata", "shape"}), exactly as plotly's
    own ``to_typed_array_spec`` writes it, without its dataframe-library checks (about 0.1 ms an array,
    a few ms a rerun); a list when plotly.js has no typed array for it."""
    array = np.ascontiguousarray(array)
    if array.size == 0:
        return []
    if array.dtype.kind in "iu" and array.dtype.itemsize == 8:  # plotly.js has no 64-bit integers
        low, high = int(array.min()), int(array.max())
        kinds = ("int8", "int16", "int32") if array.dtype.kind == "i" else ("uint8", "uint16", "uint32")
        fits = [k for k in kinds if np.iinfo(k).min <= low and high <= np.iinfo(k).max]
        if not fits:
            return array.tolist()
        array = array.astype(fits[0])
    short = _TYPED.get(array.dtype.name)
    if short is None or not array.dtype.isnative:
        return array.tolist()
    spec = {"dtype": short, "bdata": base64.b64encode(array).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = str(array.shape)[1:-1]
    return spec


def pack_arrays(value: Any) -> Any:
    """Numeric numpy arrays anywhere in a spec -> typed arrays (plotly's own walk checks every
    string and number it meets, which costs more than building the figure)."""
    if isinstance(value, np.ndarray):
        return typed_array(value) if value.dtype.kind in "iuf" else value.tolist()
    if isinstance(value, dict):
        return {k: pack_arrays(v) for k, v in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], (dict, np.ndarray)):
        return [pack_arrays(v) for v in value]
    return value


class SpecFigure(go.Figure):
    def __init__(self, data: list[dict], layout: dict, frames: list[dict] | None = None):
        # No go.Figure.__init__: it builds an empty figure and deep-copies the default template (about
        # 1 ms a figure) only for us to ignore it. Streamlit and plotly.io read a BaseFigure through
        # to_dict / to_plotly_json, which return the spec; use ``validated()`` for a real Figure.
        self._spec: dict[str, Any] = {"data": pack_arrays(data), "layout": layout}
        if frames:
            self._spec["frames"] = frames

    @property
    def spec(self) -> dict[str, Any]:
        return self._spec

    def to_dict(self) -> dict[str, Any]:
        """The spec as built (not a copy: callers serialise it, they do not edit it)."""
        return self._spec

    def to_plotly_json(self) -> dict[str, Any]:
        return self._spec

    def validated(self) -> go.Figure:
        """A fully validated plotly Figure of the same spec (for tests and exports)."""
        return go.Figure(self._spec)
