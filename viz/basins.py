"""Basin maps: one panel per optimizer, every start point coloured by where its run ended.

Categorical colours (Paul Tol's light/muted schemes, which carry dark labels) for the attractors,
greys for "not converged" and "diverged". Colour is never the only cue: each attractor is marked
with its number on every panel, the legend names them, and hovering a cell says where it went.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.basins import DIVERGED, NOT_CONVERGED, OUTCOME_NAMES, UNDEFINED, Attractor
from landscapes import Surface

from .figure import SpecFigure, click_points, pack_arrays
from .levels import LossScale
from .panels import PanelGrid, axis_names
from .style import LIGHT, Theme

ATTRACTOR_COLORS = (
    "#77AADD", "#EE8866", "#44BB99", "#FFAABB", "#EEDD88", "#99DDFF",
    "#BBCC33", "#AA4499", "#CC6677", "#117733", "#999933", "#DDCC77",
)  # fmt: skip
#: Side of the (invisible) grid of hover/click points per panel, at most.
CLICK_SIDE = 50
#: Room above each panel for its title (px).
TITLE_PX = 26
#: Panels side by side at most.
MAX_COLUMNS = 4


@dataclass(frozen=True)
class Panel:
    """One optimizer's map: its title and the label grid (attractor index or an outcome code)."""

    name: str  # optimizer registry name (travels with clicks)
    title: str
    labels: np.ndarray  # (ny, nx) int


def outcome_colors(theme: Theme) -> dict[int, str]:
    if theme.dark:
        return {NOT_CONVERGED: "#3A4150", DIVERGED: "#9A9A9A", UNDEFINED: theme.background}
    return {NOT_CONVERGED: "#E4E4E4", DIVERGED: "#555555", UNDEFINED: theme.background}


def category_color(code: int, theme: Theme) -> str:
    return ATTRACTOR_COLORS[code % len(ATTRACTOR_COLORS)] if code >= 0 else outcome_colors(theme)[code]


def category_name(code: int, attractors: Sequence[Attractor]) -> str:
    return attractors[code].label if code >= 0 else OUTCOME_NAMES[code]


def grid_shape(count: int, aspect: float = 1.0) -> tuple[int, int]:
    """(rows, columns) for ``count`` panels: one row up to MAX_COLUMNS (2 for domains at least 1.5 times
    wider than tall), then balanced rows."""
    most = MAX_COLUMNS if aspect < 1.5 else 2
    if count <= most:
        return 1, max(count, 1)
    rows = math.ceil(count / most)
    return rows, math.ceil(count / rows)


def _heatmap(panel: Panel, xs, ys, codes: list[int], theme: Theme, axes: tuple[str, str]) -> dict:
    """The label grid as one heatmap; z is the position of each cell's category in ``codes``."""
    lookup = {c: i for i, c in enumerate(codes)}
    z = np.vectorize(lookup.__getitem__, otypes=[np.int8])(panel.labels) if panel.labels.size else panel.labels
    n = len(codes)
    scale = []
    for i, code in enumerate(codes):
        color = category_color(code, theme)
        scale += [[i / n, color], [(i + 1) / n, color]]
    return {
        "type": "heatmap",
        "x": xs,
        "y": ys,
        "z": z.astype(np.int8),
        "zmin": -0.5,
        "zmax": n - 0.5,
        "colorscale": scale,
        "showscale": False,
        "hoverinfo": "skip",
        "xaxis": axes[0],
        "yaxis": axes[1],
        "name": panel.title,
    }


def _contour_lines(surface: Surface, theme: Theme, axes: tuple[str, str]) -> dict:
    xs, ys, z = surface.grid(61)
    return {
        "type": "contour",
        "x": xs,
        "y": ys,
        "z": LossScale.fit(z, surface.min_value).forward(z),
        "ncontours": 14,
        "contours": {"coloring": "none", "showlabels": False},
        "line": {"width": 0.8, "color": "rgba(255,255,255,0.35)" if theme.dark else "rgba(38,39,48,0.30)"},
        "showscale": False,
        "hoverinfo": "skip",
        "xaxis": axes[0],
        "yaxis": axes[1],
        "name": "contours",
        "showlegend": False,
    }


def _click_layers(panel: Panel, xs, ys, attractors, axes: tuple[str, str]) -> list[dict]:
    """Invisible points (one trace per outcome, so the hover can name it) that report clicks."""
    stride = max(1, math.ceil(max(len(xs), len(ys)) / CLICK_SIDE))
    rows, cols = np.arange(0, len(ys), stride), np.arange(0, len(xs), stride)
    sub = panel.labels[np.ix_(rows, cols)]
    gx, gy = np.meshgrid(xs[cols], ys[rows])
    traces = []
    for code in np.unique(sub):
        mask = sub == code
        name = category_name(int(code), attractors)
        traces.append(
            {
                "type": "scatter",
                "x": gx[mask],
                "y": gy[mask],
                **click_points(10, draw_one=False),
                "hovertemplate": f"<b>{panel.title}</b><br>start (%{{x:.3g}}, %{{y:.3g}})<br>→ {name}"
                "<br><i>click to pick this start</i><extra></extra>",
                "name": name,
                "meta": panel.name,
                "showlegend": False,
                "xaxis": axes[0],
                "yaxis": axes[1],
            }
        )
    return traces


def _markers(
    attractors: Sequence[Attractor], theme: Theme, axes: tuple[str, str], first: bool, panel: str
) -> dict | None:
    """The numbered minima; they sit on top of the click layer, so a click on one picks its point as the start."""
    shown = [a for a in attractors if math.isfinite(a.point[0])]
    if not shown:
        return None
    return {
        "type": "scatter",
        "x": [a.point[0] for a in shown],
        "y": [a.point[1] for a in shown],
        "mode": "markers+text",
        "text": [str(a.number) for a in shown],
        "textposition": "middle center",
        "textfont": {"size": round(11 * theme.font_scale), "color": theme.text},
        "marker": {
            "symbol": "circle",
            "size": round(19 * theme.font_scale),
            "color": theme.background,
            "line": {"width": 1.5, "color": theme.text},
        },
        "customdata": [a.label for a in shown],
        "hovertemplate": "%{customdata}<br><i>click to start here</i><extra></extra>",
        "name": "minimum (numbered)",
        "meta": panel,
        "showlegend": first,
        "legendrank": 1,
        "xaxis": axes[0],
        "yaxis": axes[1],
    }


def _legend_entry(code: int, attractors, theme: Theme) -> dict:
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {"symbol": "square", "size": 14, "color": category_color(code, theme),
                   "line": {"width": 1, "color": theme.text}},
        "name": category_name(code, attractors),
        "legendrank": 2 + (code if code >= 0 else 100 - code),
        "hoverinfo": "skip",
    }  # fmt: skip


def panel_height(surface: Surface, columns: int, width: int = 820) -> int:
    """Height of one panel row that keeps the domain's aspect ratio at about ``width`` px of page."""
    (x0, x1), (y0, y1) = surface.domain
    side = (width - 60 - 20 * (columns - 1)) / columns
    return int(min(max(side * (y1 - y0) / (x1 - x0), 150), 560)) + TITLE_PX + 30


def basin_figure(
    surface: Surface,
    xs: np.ndarray,
    ys: np.ndarray,
    panels: Sequence[Panel],
    attractors: Sequence[Attractor],
    theme: Theme = LIGHT,
    *,
    width: int = 820,
) -> SpecFigure:
    """One map per panel on a grid of subplots with shared axes; minima numbered, legend above."""
    (x0, x1), (y0, y1) = surface.domain
    rows, columns = grid_shape(len(panels), (x1 - x0) / (y1 - y0))
    row_height = panel_height(surface, columns, width)
    legend_px = 40 + 24 * ((len(attractors) + 2) // 4)
    height = rows * row_height
    gap_x, gap_y = 0.02, 30 / height
    grid = PanelGrid.filling(columns, rows, gap_x, gap_y, title_band=TITLE_PX / height)

    codes = sorted({int(c) for p in panels for c in np.unique(p.labels)}, key=lambda c: (c < 0, abs(c)))
    data: list[dict] = []
    layout_axes: dict = {}
    annotations = []
    for i, panel in enumerate(panels):
        axes = axis_names(i)
        data.append(_heatmap(panel, xs, ys, codes, theme, axes))
        data.append(_contour_lines(surface, theme, axes))
        data += _click_layers(panel, xs, ys, attractors, axes)
        marks = _markers(attractors, theme, axes, first=i == 0, panel=panel.name)
        if marks:
            data.append(marks)
        layout_axes |= grid.axes(i, surface.domain)
        annotations.append(grid.title(i, panel.title, theme))
    data += [_legend_entry(c, attractors, theme) for c in codes]
    layout = theme.layout(
        height,
        **layout_axes,
        annotations=annotations,
        hovermode="closest",
        dragmode="pan",
        margin={"l": 10, "r": 10, "t": legend_px, "b": 10},
    )
    layout["height"] = height + legend_px
    layout["legend"] |= {"y": 1.0, "yanchor": "bottom", "traceorder": "normal", "itemclick": False,
                         "itemdoubleclick": False}  # fmt: skip
    return SpecFigure(pack_arrays(data), layout)
