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


#: Where a divergence mark's label may go, in order of preference.
_POSITIONS = (
    "top center", "bottom center", "middle right", "middle left", "top right", "top left", "bottom right",
    "bottom left",
)  # fmt: skip
#: Label geometry in pixels, for placing labels apart: the plotting area's side (the Playground's contour draws
#: about 370 px; a smaller guess keeps labels further apart), the average width of a character and the height of
#: a line of the 13 px label font, and the divergence marker's size.
_PLOT_PX, _CHAR_PX, _LINE_PX, _MARK_PX = 320.0, 7.2, 17.0, 22.0


def _label_box(u: float, v: float, position: str, width: float) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in pixels of a label at ``position`` around a mark at (u, v)."""
    half = _MARK_PX / 2
    vertical, horizontal = position.split()
    if horizontal == "center":
        left = u - width / 2
    else:
        reach = half if vertical == "middle" else half * 0.7
        left = u + reach if horizontal == "right" else u - reach - width
    if vertical == "middle":
        bottom = v - _LINE_PX / 2
    else:
        reach = half if horizontal == "center" else half * 0.7
        bottom = v + reach if vertical == "top" else v - reach - _LINE_PX
    return left, bottom, left + width, bottom + _LINE_PX


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def divergence_text_positions(paths: Sequence[PathData], domain) -> list[str]:
    """A text position for each diverged path's label, so that labels overlap neither each other nor the marks.

    Labels are placed one by one, from the highest mark down, each at the first position (above, below, to
    the right, to the left, then the corners) whose estimated box (``_label_box``, in pixels of a plot of
    ``_PLOT_PX``) overlaps no label placed so far, no mark, and stays inside the plot; where every position
    collides, at the one that collides least. A mark on its own keeps its label above it."""
    (x0, x1), (y0, y1) = domain
    points = [
        ((float(p.xy[p.last][0]) - x0) / (x1 - x0) * _PLOT_PX, (float(p.xy[p.last][1]) - y0) / (y1 - y0) * _PLOT_PX)
        for p in paths
    ]
    widths = [_CHAR_PX * len(f"diverged (step {p.diverged_at})") for p in paths]
    half = _MARK_PX / 2
    marks = [(u - half, v - half, u + half, v + half) for u, v in points]
    plot = (0.0, 0.0, _PLOT_PX, _PLOT_PX)
    placed: list[tuple[float, float, float, float]] = []
    positions = ["top center"] * len(paths)
    for k in sorted(range(len(paths)), key=lambda k: (-points[k][1], k)):
        u, v = points[k]

        def cost(position: str, u=u, v=v, k=k) -> float:
            box = _label_box(u, v, position, widths[k])
            outside = (box[2] - box[0]) * (box[3] - box[1]) - _overlap(box, plot)
            others = placed + marks[:k] + marks[k + 1 :]
            return sum(_overlap(box, other) for other in others) + outside

        positions[k] = min(_POSITIONS, key=cost)  # the first of the least colliding: preference breaks ties
        placed.append(_label_box(u, v, positions[k], widths[k]))
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
