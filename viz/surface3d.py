"""3-D view of the surface with the trajectories lying on it (one WebGL chart per page)."""

from __future__ import annotations

from collections.abc import Sequence

from landscapes import Surface

from .figure import SpecFigure
from .levels import LossScale
from .paths import PathData, sample_steps
from .style import LIGHT, Theme, optimizer_style

GRID = 61
DRAWN_POINTS = 300


def surface3d_figure(
    surface: Surface, paths: Sequence[PathData], theme: Theme = LIGHT, height: int = 560
) -> SpecFigure:
    """Height is the same log (or symlog) scale as the contour, so valley floors stay visible."""
    xs, ys, z = surface.grid(GRID)
    scale = LossScale.fit(z, surface.min_value)
    data: list[dict] = [
        {
            "type": "surface",
            "x": xs,
            "y": ys,
            "z": scale.forward(z),
            "colorscale": theme.contour_scale,
            "showscale": False,
            "opacity": 0.92,
            "hoverinfo": "skip",
            "contours": {"z": {"show": True, "usecolormap": False, "color": theme.contour_line, "width": 1}},
            "name": "surface",
        }
    ]
    for path in paths:
        style = optimizer_style(path.name)
        idx = sample_steps(path.last + 1, DRAWN_POINTS)
        data.append(
            {
                "type": "scatter3d",
                "x": path.xy[idx, 0],
                "y": path.xy[idx, 1],
                "z": scale.forward(path.loss[idx]),
                "mode": "lines+markers",
                "line": {"color": style.color, "width": 6},
                "marker": {"size": 2.5, "color": style.color},
                "customdata": idx,
                "name": path.label,
                "hovertemplate": f"<b>{path.label}</b><br>step %{{customdata}}<extra></extra>",
            }
        )
    axis = {"gridcolor": theme.grid, "backgroundcolor": "rgba(0,0,0,0)", "color": theme.text}
    layout = theme.layout(
        height,
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        scene={
            "xaxis": {**axis, "title": {"text": "x"}},
            "yaxis": {**axis, "title": {"text": "y"}},
            "zaxis": {**axis, "title": {"text": scale.label}},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.6},
            "camera": {"eye": {"x": -1.4, "y": -1.5, "z": 1.1}},
        },
    )
    return SpecFigure(data, layout)
