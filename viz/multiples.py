"""Small multiples: one contour panel per optimizer on shared axes.

Each panel holds the same surface (a coarser grid than the single contour, so the payload stays small),
its optimizer's path in that optimizer's colour and marker, the minima, the start and a head. Playback (one
step slider for every panel) happens in the browser, as on the single contour (views/common/live_charts.js).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from landscapes import Surface

from .contour import _click_layer, _divergence_mark, _head, _path_trace, background_layers, landmark_traces
from .figure import SpecFigure, pack_arrays
from .levels import LossScale
from .panels import PanelGrid, axis_names
from .paths import PathData
from .style import LIGHT, Theme, optimizer_style

#: Surface grid side for the panels (the single contour uses 121).
PANEL_GRID = 61
#: Side of each panel's invisible click grid.
PANEL_CLICK = 21
#: Panel row height in px (plot area) and title band.
ROW_PX, TITLE_PX = 290, 28


def columns_for(count: int) -> int:
    """2 or 3 columns: readable panels at 1280 px (1, 2 and 4 panels: 1, 2, 2 columns)."""
    if count <= 2:
        return max(count, 1)
    return 2 if count == 4 else 3


def _on(trace: dict, axes: tuple[str, str]) -> dict:
    return trace | {"xaxis": axes[0], "yaxis": axes[1]}


def _points(surface: Surface, start: tuple[float, float], theme: Theme, axes: tuple[str, str]) -> list[dict]:
    return [_on(t, axes) | {"showlegend": False} for t in landmark_traces(surface, start, theme, compact=True)]


def multiples_figure(
    surface: Surface,
    background: Sequence[dict],
    paths: Sequence[PathData],
    start: tuple[float, float],
    theme: Theme = LIGHT,
    *,
    clickable: bool = True,
    overlays: Mapping[str, Sequence[dict]] | None = None,
    live: Sequence[str] = (),
) -> SpecFigure:
    """One panel per path (titled with the optimizer's name), sharing axes; uids and trails as
    ``contour_figure``'s (``live``: optimizers whose divergence mark trace is kept even when empty).

    ``background``: ``background_layers(surface, surface.grid(PANEL_GRID), theme, clickable=False)``, reused
    on every panel. ``overlays``: extra traces per optimizer name (drawn on that optimizer's panel; their
    ``xaxis``/``yaxis`` are set here)."""
    overlays = overlays or {}
    count = max(len(paths), 1)
    columns = columns_for(count)
    rows = math.ceil(count / columns)
    plot_px = rows * (ROW_PX + TITLE_PX) + (rows - 1) * 30
    gap_x, gap_y = 0.03, 30 / plot_px
    grid = PanelGrid.filling(columns, rows, gap_x, gap_y, title_band=TITLE_PX / plot_px)
    click = _click_layer(surface, PANEL_CLICK) if clickable else None

    data: list[dict] = []
    layout_axes: dict = {}
    annotations: list[dict] = []
    for i, path in enumerate(paths or [None]):
        axes = axis_names(i)
        data += [_on(layer, axes) for layer in background]
        if click is not None:
            data.append(_on(click, axes))
        if path is not None:
            data.append(_on(_path_trace(path, theme), axes) | {"showlegend": False})
            if path.diverged_at is not None or path.name in live:
                data.append(_on(_divergence_mark(path, theme), axes))
            data += [_on(t, axes) for t in overlays.get(path.name, ())]
        data += _points(surface, start, theme, axes)
        if path is not None:
            data.append(_on(_head(path, theme, size=14), axes))
        layout_axes |= grid.axes(i, surface.domain, x_labels=i + columns >= count)
        if path is not None:
            color = optimizer_style(path.name).color
            annotations.append(grid.title(i, f"<span style='color:{color}'>━━</span> <b>{path.label}</b>", theme))
    layout = theme.layout(
        plot_px,
        **layout_axes,
        annotations=annotations,
        hovermode="closest",
        dragmode="pan",
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    layout["height"] = round((plot_px + 20) * (1.15 if theme.font_scale > 1 else 1.0))
    return SpecFigure(pack_arrays(data), layout)


def panel_background(surface: Surface, theme: Theme) -> list[dict]:
    """The surface layer of every panel, on a ``PANEL_GRID`` grid with no click layer (added per panel);
    the levels travel as float32 (the panels repeat them, and a colour needs no more digits)."""
    xs, ys, z = surface.grid(PANEL_GRID)
    layers = background_layers(surface, (xs, ys, z), theme, clickable=False)
    level = LossScale.fit(z, surface.min_value).forward(z).astype(np.float32)
    return [layers[0] | {"z": pack_arrays(level)}, *layers[1:]]
