"""Small multiples: one contour panel per optimizer on shared axes, with one shared play head slider.

Each panel holds the same surface (a coarser grid than the single contour, so the payload stays small),
its optimizer's path in that optimizer's colour and marker, the minima, the start and a head; every
animation frame moves all heads at once.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence

import numpy as np

from landscapes import Surface

from .contour import (
    FRAMES,
    _animation_controls,
    _click_layer,
    _divergence_mark,
    _head_positions,
    _path_trace,
    background_layers,
    landmark_traces,
)
from .figure import SpecFigure, pack_arrays
from .levels import LossScale
from .panels import PanelGrid, axis_names
from .paths import PathData, sample_steps
from .style import LIGHT, Theme, optimizer_style

#: Surface grid side for the panels (the single contour uses 121).
PANEL_GRID = 61
#: Side of each panel's invisible click grid.
PANEL_CLICK = 21
#: Panel row height in px (plot area), title band and the room for the play controls below.
ROW_PX, TITLE_PX, CONTROLS_PX = 290, 28, 80


def columns_for(count: int) -> int:
    """2 or 3 columns: readable panels at 1280 px (1, 2 and 4 panels: 1, 2, 2 columns)."""
    if count <= 2:
        return max(count, 1)
    return 2 if count == 4 else 3


def _on(trace: dict, axes: tuple[str, str]) -> dict:
    return trace | {"xaxis": axes[0], "yaxis": axes[1]}


def _points(surface: Surface, start: tuple[float, float], theme: Theme, axes: tuple[str, str]) -> list[dict]:
    return [_on(t, axes) | {"showlegend": False} for t in landmark_traces(surface, start, theme, compact=True)]


def _head(path: PathData, step: int, theme: Theme, axes: tuple[str, str]) -> dict:
    style = optimizer_style(path.name)
    return {
        "type": "scatter",
        **_head_positions([path], step),
        "mode": "markers",
        "marker": {
            "symbol": style.marker,
            "color": style.color,
            "size": 14,
            "line": {"width": 2, "color": theme.marker_outline},
        },
        "text": [path.label],
        "hovertemplate": "<b>%{text}</b> at step %{customdata}<extra></extra>",
        "name": f"{path.label} play head",
        "showlegend": False,
        "xaxis": axes[0],
        "yaxis": axes[1],
    }


def multiples_figure(
    surface: Surface,
    background: Sequence[dict],
    paths: Sequence[PathData],
    start: tuple[float, float],
    theme: Theme = LIGHT,
    *,
    clickable: bool = True,
    frames: int = FRAMES,
    overlays: Mapping[str, Sequence[dict]] | None = None,
) -> SpecFigure:
    """One panel per path (titled with the optimizer's name), sharing axes and one play-head slider.

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

    longest = max((len(p.xy) for p in paths), default=1)
    frame_steps = sample_steps(longest, max(2, frames))
    data: list[dict] = []
    layout_axes: dict = {}
    annotations: list[dict] = []
    heads: list[int] = []
    for i, path in enumerate(paths or [None]):
        axes = axis_names(i)
        data += [_on(layer, axes) for layer in background]
        if click is not None:
            data.append(_on(click, axes))
        if path is not None:
            data.append(_on(_path_trace(path, theme), axes) | {"showlegend": False})
            if path.diverged_at is not None:
                data.append(_on(_divergence_mark(path, theme), axes))
            data += [_on(t, axes) for t in overlays.get(path.name, ())]
        data += _points(surface, start, theme, axes)
        if path is not None:
            data.append(_head(path, int(frame_steps[-1]), theme, axes))
            heads.append(len(data) - 1)
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
        margin={"l": 10, "r": 10, "t": 10, "b": CONTROLS_PX},
    )
    layout["height"] = round((plot_px + 10 + CONTROLS_PX) * (1.15 if theme.font_scale > 1 else 1.0))
    frame_specs = []
    if frames and paths and longest > 1:
        controls = copy.deepcopy(_animation_controls(frame_steps, theme))
        # The controls sit in the bottom margin (px below the panels), whatever the number of rows.
        controls["updatemenus"][0]["y"] = -34 / plot_px
        controls["sliders"][0]["y"] = -26 / plot_px
        layout |= controls
        frame_specs = [
            {
                "name": str(int(k)),
                "data": [_head_positions([p], int(k)) for p in paths],
                "traces": heads,
            }
            for k in frame_steps
        ]
    return SpecFigure(pack_arrays(data), layout, frame_specs)


def panel_background(surface: Surface, theme: Theme) -> list[dict]:
    """The surface layer of every panel, on a ``PANEL_GRID`` grid with no click layer (added per panel);
    the levels travel as float32 (the panels repeat them, and a colour needs no more digits)."""
    xs, ys, z = surface.grid(PANEL_GRID)
    layers = background_layers(surface, (xs, ys, z), theme, clickable=False)
    level = LossScale.fit(z, surface.min_value).forward(z).astype(np.float32)
    return [layers[0] | {"z": pack_arrays(level)}, *layers[1:]]
