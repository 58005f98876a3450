"""Figures built from plain dict specs, skipping plotly's per-property validation.

Plotly validates every property of every trace and frame as a figure is built: for the contour
with its animation frames that costs ~200 ms, more than all our computation. The builders in
``viz`` therefore write plain dicts, and ``SpecFigure`` wraps them without validation; animation
frames (which plotly always validates) are kept as given and added back in ``to_dict``, the method
``st.plotly_chart`` serialises. The test suite validates every builder's output in full once
(``go.Figure(fig.to_dict())``), so a typo in a property name still fails loudly.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go


class SpecFigure(go.Figure):
    def __init__(self, data: list[dict], layout: dict, frames: list[dict] | None = None):
        super().__init__({"data": data, "layout": layout}, _validate=False)
        self._raw_frames = frames or []

    @property
    def raw_frames(self) -> list[dict]:
        return self._raw_frames

    def to_dict(self) -> dict[str, Any]:
        spec = super().to_dict()
        if self._raw_frames:
            spec["frames"] = self._raw_frames
        return spec
