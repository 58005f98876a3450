"""The Playground's main picture: contour of the surface, one path per optimizer, a head on each path."""

from __future__ import annotations

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
    background: list[dict] | None = None,
    overlays: Sequence[dict] = (),
    focus: str | None = None,
    live: Sequence[str] = (),
) -> SpecFigure:
    """Contour with log-spaced levels, minima, start, paths, divergence marks and a head per path.

    Trace order: contour, click layer (if any), paths (the ``focus`` optimizer's last, on top), divergence
    marks, ``overlays`` (e.g. the curvature layer), minima, start, heads. ``background`` may pass in
    ``background_layers(...)`` computed earlier (it must match ``surface``, ``theme``, ``clickable``).
    Traces carry ``uid``s ("path.<name>", "mark.<name>", "head.<name>") and ``meta`` saying which ones the
    browser trails during playback (views/common/live_charts.js); the optimizers in ``live`` get a
    divergence mark trace even when they do not diverge (empty), for the browser to fill while a slider moves.
    """
    data: list[dict] = list(background or background_layers(surface, grid, theme, clickable))
    ordered = ordered_paths(paths, focus)
    for path in ordered:
        data.append(_path_trace(path, theme, role(path.name, focus)))
    diverged = [path for path in ordered if path.diverged_at is not None]
    positions = dict(zip([p.name for p in diverged], divergence_text_positions(diverged, surface.domain), strict=True))
    for path in ordered:
        if path.diverged_at is not None or path.name in live:
            data.append(_divergence_mark(path, theme, positions.get(path.name, "top center")))
    data.extend(overlays)
    data.extend(landmark_traces(surface, start, theme))
    data.extend(_head(path, theme) for path in ordered)

    (x0, x1), (y0, y1) = surface.domain
    layout = theme.layout(
        height,
        xaxis={"range": [x0, x1], "title": {"text": "x"}, "showgrid": False, "zeroline": False, "constrain": "domain"},
        yaxis={"range": [y0, y1], "title": {"text": "y"}, "showgrid": False, "zeroline": False, "constrain": "domain"},
        hovermode="closest",
        # Streamlit turns clicks into selections only when dragmode is not a box/lasso select.
        dragmode="pan",
        # Room for tick labels and axis titles (a layered map may not size its margins by them: viz/layers.py).
        margin={"l": round(56 * theme.font_scale), "r": 12, "t": 40, "b": round(50 * theme.font_scale)},
    )
    if equal_aspect(surface.domain):
        layout["yaxis"] |= {"scaleanchor": "x", "scaleratio": 1}
    return SpecFigure(data, layout)


def ordered_paths(paths: Sequence[PathData], focus: str | None) -> list[PathData]:
    """The paths in drawing order: the focus optimizer's last, so it is drawn on top of the others."""
    return [p for p in paths if p.name != focus] + [p for p in paths if p.name == focus]


def role(name: str, focus: str | None) -> str | None:
    """How an optimizer's lines are drawn: "focus" (stands out), "context" (behind it), or None (no focus)."""
    if focus is None:
        return None
    return "focus" if name == focus else "context"


#: Line width and opacity of a path by its role (see ``role``).
ROLE_STYLE = {None: (2.6, 1.0), "focus": (3.6, 1.0), "context": (1.8, 0.55)}


def path_points(path: PathData, limit: int = DRAWN_POINTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y and the step of each drawn point of a path (at most ``limit``, up to its last good iterate)."""
    idx = sample_steps(path.last + 1, limit)
    return path.xy[idx, 0], path.xy[idx, 1], idx


def mark_point(path: PathData) -> tuple[float, float, str] | None:
    """Where a diverged path's mark goes and its label; None for a path that did not diverge."""
    if path.diverged_at is None:
        return None
    x, y = path.xy[path.last]
    return float(x), float(y), f"diverged (step {path.diverged_at})"


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
        "meta": {"click": True},
        "showlegend": False,
    }


def _path_trace(path: PathData, theme: Theme, role: str | None = None) -> dict:
    style = optimizer_style(path.name)
    x, y, steps = path_points(path)
    width, opacity = ROLE_STYLE[role]
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "lines+markers",
        "line": {"color": style.color, "width": width, "dash": style.dash},
        "marker": {
            "symbol": style.marker,
            "size": 8 if role == "focus" else 7,
            "color": style.color,
            "maxdisplayed": 30,
            "line": {"width": 1, "color": theme.marker_outline},
        },
        "opacity": opacity,
        "selected": {"marker": {"opacity": 1.0}},
        "unselected": {"marker": {"opacity": 1.0}},
        "customdata": steps,
        "name": path.label,
        "legendgroup": path.name,
        "uid": f"path.{path.name}",
        "meta": {"trail": True},
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
    """The x where a path left the region, labelled with the step (empty for a path that did not diverge)."""
    style = optimizer_style(path.name)
    point = mark_point(path)
    return {
        "type": "scatter",
        "x": [] if point is None else [point[0]],
        "y": [] if point is None else [point[1]],
        "mode": "markers+text",
        "marker": {
            "symbol": "x-thin-open",
            "size": 22,
            "color": style.color,
            "line": {"width": 4, "color": style.color},
        },
        "text": [] if point is None else [point[2]],
        "textposition": position,
        "textfont": {"color": style.color, "size": round(13 * theme.font_scale)},
        "name": f"{path.label} diverged",
        "legendgroup": path.name,
        "showlegend": False,
        "uid": f"mark.{path.name}",
        "hovertemplate": f"<b>{path.label}</b>: %{{text}}, it left the plotted region<extra></extra>",
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


def _head(path: PathData, theme: Theme, size: int = 15) -> dict:
    """A marker where the path ends (during playback the browser moves it to each path's point at step k)."""
    style = optimizer_style(path.name)
    k = path.last
    return {
        "type": "scatter",
        "x": [float(path.xy[k, 0])],
        "y": [float(path.xy[k, 1])],
        "customdata": [k],
        "mode": "markers",
        "marker": {
            "symbol": style.marker,
            "color": style.color,
            "size": size,
            "line": {"width": 2, "color": theme.marker_outline},
        },
        "text": [path.label],
        "hovertemplate": "<b>%{text}</b> at step %{customdata}<extra></extra>",
        "name": f"{path.label} play head",
        "uid": f"head.{path.name}",
        "meta": {"head": f"path.{path.name}"},
        "showlegend": False,
    }
