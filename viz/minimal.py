"""A first contour-with-trajectories figure (replaced by the Playground's figures)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from landscapes import Surface


def contour_with_paths(surface: Surface, paths: dict[str, np.ndarray], resolution: int = 120) -> go.Figure:
    (x0, x1), (y0, y1) = surface.domain
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    z = surface.value_xy(*np.meshgrid(xs, ys))
    floor = surface.min_value if surface.min_value is not None else float(z.min())
    fig = go.Figure(go.Contour(x=xs, y=ys, z=np.log10(z - floor + 1e-3), colorscale="Viridis", showscale=False))
    for name, xy in paths.items():
        fig.add_scatter(x=xy[:, 0], y=xy[:, 1], mode="lines+markers", name=name, marker={"size": 3})
    fig.update_layout(height=520, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    fig.update_xaxes(range=[x0, x1])
    fig.update_yaxes(range=[y0, y1])
    return fig
