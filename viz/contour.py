"""The Playground's main picture: contour of the surface, one path per optimizer, animated heads."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from landscapes import Surface

from .figure import SpecFigure, click_points, pack_arrays
from .levels import LossScale
from .panels import equal_aspect
from .paths import PathData, sample_steps
from .style import LIGHT, Theme, optimizer_style

#: Points drawn per path at most (all steps are still computed).
DRAWN_POINTS = 400
#: Animation frames at most (browsers stay smooth and the payload small).
FRAMES = 100
#: The invisible grid of clickable points that lets a click set the start (side x side).
CLICK_GRID = 41


def background_layers(
    surface: Surface, grid: tuple[np.ndarray, np.ndarray, np.ndarray], theme: Theme = LIGHT, clickable: bool = True
) -> list[dict]:
    """The traces that depend only on the surface: filled contour and the invisible click layer.

    Separate so a page can cache them: a slider move changes the paths, never these."""
    xs, ys, z = grid
    scale = LossScale.fit(z, surface.min_value)
    layers = [
        {
            "type": "contour",
            "x": xs,
            "y": ys,
            # float32 halves the largest array the page sends; the colours and levels cannot tell.
            "z": scale.forward(z).astype(np.float32),
            "colorscale": theme.contour_scale,
            "ncontours": 26,
            "contours": {"coloring": "fill", "showlines": True},
            "line": {"width": 0.7, "color": theme.contour_line},
            "showscale": False,
            "hoverinfo": "skip",
            "name": "surface",
        }
    ]
    if clickable:
        layers.append(_click_layer(surface))
    return pack_arrays(layers)


def contour_figure(
    surface: Surface,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    paths: Sequence[PathData],
    start: tuple[float, float],
    theme: Theme = LIGHT,
    *,
    height: int = 560,
    clickable: bool = True,
    frames: int = FRAMES,
    background: list[dict] | None = None,
    overlays: Sequence[dict] = (),
) -> SpecFigure:
    """Contour with log-spaced levels, minima, start, paths, divergence marks and a play head.

    Trace order: contour, click layer (if any), paths, divergence marks, minima, start, heads.
    The animation frames only move the heads, so they stay small. ``background`` may pass in
    ``background_layers(...)`` computed earlier (it must match ``surface``, ``theme``, ``clickable``).
    ``frames=0`` draws a still picture (no play controls). ``overlays`` (e.g. the curvature layer) are
    drawn over the paths, under the minima, start and heads.
    """
    data: list[dict] = list(background or background_layers(surface, grid, theme, clickable))
    longest = max((len(p.xy) for p in paths), default=1)
    for path in paths:
        data.append(_path_trace(path, theme))
    diverged = [path for path in paths if path.diverged_at is not None]
    for path, position in zip(diverged, divergence_text_positions(diverged, surface.domain), strict=True):
        data.append(_divergence_mark(path, theme, position))
    data.extend(overlays)
    data.extend(landmark_traces(surface, start, theme))
    frame_steps = sample_steps(longest, max(2, frames))
    data.append(_heads(paths, int(frame_steps[-1]), theme))
    heads_index = len(data) - 1

    (x0, x1), (y0, y1) = surface.domain
    layout = theme.layout(
        height,
        xaxis={"range": [x0, x1], "title": "x", "showgrid": False, "zeroline": False, "constrain": "domain"},
        yaxis={"range": [y0, y1], "title": "y", "showgrid": False, "zeroline": False, "constrain": "domain"},
        hovermode="closest",
        # Streamlit turns clicks into selections only when dragmode is not a box/lasso select.
        dragmode="pan",
        margin={"l": 10, "r": 10, "t": 40, "b": 70},
    )
    if equal_aspect(surface.domain):
        layout["yaxis"] |= {"scaleanchor": "x", "scaleratio": 1}
    if frames and len(paths) and longest > 1:
        layout |= _animation_controls(frame_steps, theme)
    frame_specs = []
    if frames and len(paths) and longest > 1:
        frame_specs = [
            {"name": str(k), "data": [heads], "traces": [heads_index]}
            for k, heads in zip(np.asarray(frame_steps).tolist(), head_frames(paths, frame_steps), strict=True)
        ]
    return SpecFigure(data, layout, frame_specs)


def _click_layer(surface: Surface, side: int = CLICK_GRID) -> dict:
    (x0, x1), (y0, y1) = surface.domain
    gx, gy = np.meshgrid(np.linspace(x0, x1, side), np.linspace(y0, y1, side))
    with np.errstate(all="ignore"):
        f = surface.value_xy(gx, gy).ravel()
    return {
        "type": "scatter",
        "x": gx.ravel(),
        "y": gy.ravel(),
        **click_points(14),
        "customdata": f,
        "hovertemplate": "(%{x:.3g}, %{y:.3g})  f = %{customdata:.4g}<br><i>click to start here</i><extra></extra>",
        "name": "click to set the start",
        "showlegend": False,
    }


def _path_trace(path: PathData, theme: Theme) -> dict:
    style = optimizer_style(path.name)
    idx = sample_steps(path.last + 1, DRAWN_POINTS)
    return {
        "type": "scatter",
        "x": path.xy[idx, 0],
        "y": path.xy[idx, 1],
        "mode": "lines+markers",
        "line": {"color": style.color, "width": 2.6, "dash": style.dash},
        "marker": {
            "symbol": style.marker,
            "size": 7,
            "color": style.color,
            "maxdisplayed": 30,
            "line": {"width": 1, "color": theme.marker_outline},
        },
        "selected": {"marker": {"opacity": 1.0}},
        "unselected": {"marker": {"opacity": 1.0}},
        "customdata": idx,
        "name": path.label,
        "legendgroup": path.name,
        "hovertemplate": f"<b>{path.label}</b><br>step %{{customdata}}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
    }


#: Where the labels of divergence marks that sit close together go: the highest mark's above it, the
#: lowest's below it, the ones between to the side (then the corners, if there are more).
_BETWEEN = ("middle right", "middle left", "top right", "bottom left", "top left", "bottom right")
#: Marks closer than this fraction of the domain's larger side share a neighbourhood (their labels would collide).
NEAR = 0.15


def divergence_text_positions(paths: Sequence[PathData], domain) -> list[str]:
    """A text position for each diverged path's label, so that marks close together do not overlap.

    A mark on its own keeps its label above it. Marks within ``NEAR`` of the domain's larger side of each
    other (chained) form a group; in a group the highest mark's label goes above, the lowest's below and
    the others' to the sides (ties, e.g. the same point, go by the order of ``paths``)."""
    (x0, x1), (y0, y1) = domain
    radius = NEAR * max(x1 - x0, y1 - y0)
    points = [tuple(float(v) for v in p.xy[p.last]) for p in paths]
    group = list(range(len(points)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i in range(len(points)):
        for j in range(i):
            if np.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1]) <= radius:
                group[root(i)] = root(j)
    positions = ["top center"] * len(points)
    for leader in set(map(root, range(len(points)))):
        members = sorted((k for k in range(len(points)) if root(k) == leader), key=lambda k: (-points[k][1], k))
        if len(members) < 2:
            continue
        positions[members[0]], positions[members[-1]] = "top center", "bottom center"
        for n, k in enumerate(members[1:-1]):
            positions[k] = _BETWEEN[n % len(_BETWEEN)]
    return positions


def _divergence_mark(path: PathData, theme: Theme, position: str = "top center") -> dict:
    style = optimizer_style(path.name)
    x, y = path.xy[path.last]
    return {
        "type": "scatter",
        "x": [x],
        "y": [y],
        "mode": "markers+text",
        "marker": {
            "symbol": "x-thin-open",
            "size": 22,
            "color": style.color,
            "line": {"width": 4, "color": style.color},
        },
        "text": [f"diverged (step {path.diverged_at})"],
        "textposition": position,
        "textfont": {"color": style.color, "size": round(13 * theme.font_scale)},
        "name": f"{path.label} diverged",
        "legendgroup": path.name,
        "showlegend": False,
        "hovertemplate": f"<b>{path.label}</b> left the region at step {path.diverged_at}<extra></extra>",
    }


def landmark_traces(surface: Surface, start: tuple[float, float], theme: Theme, compact: bool = False) -> list[dict]:
    """The minima (if any) and the start point, as markers (``compact``: smaller, for small-multiple panels)."""
    traces = []
    if len(surface.minima):
        traces.append(
            {
                "type": "scatter",
                "x": surface.minima[:, 0],
                "y": surface.minima[:, 1],
                "mode": "markers",
                "marker": {
                    "symbol": "circle-cross-open",
                    "size": 13 if compact else 16,
                    "color": theme.text,
                    "line": {"width": 2},
                },
                "name": "minimum",
                "hovertemplate": "minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "x": [start[0]],
            "y": [start[1]],
            "mode": "markers",
            "marker": {
                "symbol": "circle",
                "size": 11 if compact else 14,
                "color": theme.background,
                "line": {"width": 2.5 if compact else 3, "color": theme.text},
            },
            "name": "start",
            "hovertemplate": "start (%{x:.4g}, %{y:.4g})<extra></extra>",
        }
    )
    return traces


def _head_positions(paths: Sequence[PathData], step: int) -> dict:
    """Where each optimizer is at iterate ``step`` (or where it stopped): the part frames change."""
    reached = [min(step, p.last) for p in paths]
    return {
        "x": [float(p.xy[k, 0]) for p, k in zip(paths, reached, strict=True)],
        "y": [float(p.xy[k, 1]) for p, k in zip(paths, reached, strict=True)],
        "customdata": reached,
    }


def head_frames(paths: Sequence[PathData], frame_steps: np.ndarray) -> list[dict]:
    """``_head_positions`` for every frame step at once (one fancy index per path, not one per frame)."""
    steps = np.asarray(frame_steps, dtype=int)
    reached = np.stack([np.minimum(steps, p.last) for p in paths])  # (paths, frames)
    xs = np.stack([p.xy[r, 0] for p, r in zip(paths, reached, strict=True)]).T.tolist()
    ys = np.stack([p.xy[r, 1] for p, r in zip(paths, reached, strict=True)]).T.tolist()
    return [{"x": x, "y": y, "customdata": c} for x, y, c in zip(xs, ys, reached.T.tolist(), strict=True)]


def _heads(paths: Sequence[PathData], step: int, theme: Theme) -> dict:
    """One marker per optimizer at iterate ``step``, in its own symbol and colour."""
    styles = [optimizer_style(p.name) for p in paths]
    return {
        "type": "scatter",
        **_head_positions(paths, step),
        "mode": "markers",
        "marker": {
            "symbol": [s.marker for s in styles],
            "color": [s.color for s in styles],
            "size": 15,
            "line": {"width": 2, "color": theme.marker_outline},
        },
        "text": [p.label for p in paths],
        "hovertemplate": "<b>%{text}</b> at step %{customdata}<extra></extra>",
        "name": "play head",
        "showlegend": False,
    }


def _animation_controls(frame_steps: np.ndarray, theme: Theme) -> dict:
    """Play/pause buttons and the step slider for these frames. Shared between figures (built once per
    frame steps and theme: a hundred slider stops cost a millisecond a rerun): copy before changing it."""
    return _animation_controls_for(tuple(np.asarray(frame_steps).tolist()), theme)


@functools.lru_cache(maxsize=64)
def _animation_controls_for(frame_steps: tuple[int, ...], theme: Theme) -> dict:
    still = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    play = {"frame": {"duration": 60, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    font = theme.font(13)
    return {
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": -0.1,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 0, "r": 8},
                "showactive": False,
                "font": font,
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [None, {**play, "fromcurrent": False}]},
                    {"label": "❚❚ Pause", "method": "animate", "args": [[None], still]},
                ],
            }
        ],
        "sliders": [
            {
                "active": len(frame_steps) - 1,
                "x": 0.24,
                "len": 0.76,
                "y": -0.07,
                "yanchor": "top",
                "pad": {"t": 0, "b": 0},
                "currentvalue": {"prefix": "step ", "font": font, "xanchor": "right"},
                "font": theme.font(11),
                "steps": [
                    {"label": str(int(k)), "method": "animate", "args": [[str(int(k))], still]} for k in frame_steps
                ],
            }
        ],
    }
