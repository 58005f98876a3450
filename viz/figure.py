"""Figures built from plain dict specs, skipping plotly's object model.

Plotly validates every property of every trace and frame as a ``go.Figure`` is built, and
``to_dict`` deep-copies it again: for the contour with its animation frames that costs ~200 ms,
far more than all our computation. The builders in ``viz`` therefore write plain dicts, and
``SpecFigure`` carries them as they are: it is a ``go.Figure`` (so ``st.plotly_chart`` accepts it)
whose ``to_dict`` returns the spec itself. The test suite validates every builder's output in full
(``go.Figure(fig.to_dict())``), so a typo in a property name still fails loudly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

try:  # how plotly itself ships a numpy array to the browser: a compact base64 typed array
    from _plotly_utils.utils import to_typed_array_spec
except ImportError:  # pragma: no cover - another plotly: plain JSON lists still work

    def to_typed_array_spec(array: np.ndarray) -> Any:
        return array


def pack_arrays(value: Any) -> Any:
    """Numeric numpy arrays anywhere in a spec -> typed arrays (plotly's own walk checks every
    string and number it meets, which costs more than building the figure)."""
    if isinstance(value, np.ndarray):
        return to_typed_array_spec(value) if value.dtype.kind in "iuf" else value.tolist()
    if isinstance(value, dict):
        return {k: pack_arrays(v) for k, v in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], (dict, np.ndarray)):
        return [pack_arrays(v) for v in value]
    return value


class SpecFigure(go.Figure):
    def __init__(self, data: list[dict], layout: dict, frames: list[dict] | None = None):
        super().__init__()
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
