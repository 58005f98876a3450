"""The curvature layer of the contour: at one iterate per optimizer, the level set of the local quadratic
model (an ellipse, or dashed hyperbolas at a saddle), its principal axes and a ring on the iterate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.curvature import Curvature, level_set

from .style import Theme, optimizer_style

#: The longest semi-axis drawn, as a fraction of the shorter side of the plotted region.
SIZE = 0.12


@dataclass(frozen=True)
class CurvatureMark:
    """One optimizer's iterate k and the curvature there."""

    name: str  # optimizer registry name (colour)
    label: str
    step: int
    xy: np.ndarray  # (2,)
    curvature: Curvature


def _gapped(points: np.ndarray) -> tuple[list, list]:
    """x and y lists with None where ``points`` holds NaN (plotly breaks the line there)."""
    xs = [None if not np.isfinite(v) else float(v) for v in points[:, 0]]
    ys = [None if not np.isfinite(v) else float(v) for v in points[:, 1]]
    return xs, ys


def _hover(mark: CurvatureMark) -> str:
    c = mark.curvature
    return (
        f"<b>{mark.label}</b> at step {mark.step}<br>λ_min = {c.lam_min:.4g}, λ_max = {c.lam_max:.4g}"
        f"<br>condition: {c.describe()}<extra></extra>"
    )


def curvature_traces(
    marks: Sequence[CurvatureMark], domain, theme: Theme, axes: tuple[str, str] = ("x", "y")
) -> list[dict]:
    """Traces for ``marks`` on the subplot ``axes``: per mark its level set, its axes, and the iterate."""
    (x0, x1), (y0, y1) = domain
    size = SIZE * min(x1 - x0, y1 - y0)
    where = {"xaxis": axes[0], "yaxis": axes[1]}
    traces: list[dict] = []
    for mark in marks:
        color = optimizer_style(mark.name).color
        shape = level_set(mark.xy, mark.curvature, size)
        common = {"type": "scatter", "mode": "lines", "showlegend": False, "legendgroup": mark.name, **where}
        if shape is not None:
            x, y = _gapped(shape.level_set)
            traces.append(
                common
                | {
                    "x": x,
                    "y": y,
                    "line": {"color": color, "width": 2.4, "dash": "solid" if shape.closed else "dash"},
                    "name": f"{mark.label}: curvature at step {mark.step}",
                    "hovertemplate": _hover(mark),
                }
            )
            x, y = _gapped(shape.axes)
            traces.append(
                common
                | {
                    "x": x,
                    "y": y,
                    "line": {"color": color, "width": 1.2, "dash": "dot"},
                    "name": f"{mark.label}: principal axes",
                    "hoverinfo": "skip",
                }
            )
    if marks:
        traces.append(
            {
                "type": "scatter",
                "x": [float(m.xy[0]) for m in marks],
                "y": [float(m.xy[1]) for m in marks],
                "mode": "markers",
                "marker": {
                    "symbol": "circle-open",
                    "size": 13,
                    "color": [optimizer_style(m.name).color for m in marks],
                    "line": {"width": 3},
                },
                "text": [m.label for m in marks],
                "customdata": [m.step for m in marks],
                "hovertemplate": "<b>%{text}</b>: iterate at step %{customdata}<extra></extra>",
                "name": "iterate at step k",
                "showlegend": False,
                **where,
            }
        )
    return traces
