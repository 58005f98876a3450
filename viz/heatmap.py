"""The Sweep page's map: a metric over two hyperparameters, diverged runs in a solid colour.

Axes are drawn in plotting coordinates (log10 v for log axes, -log10(1 - v) for decay rates on
the "log1m" scale) with ticks labelled in the hyperparameter's own values, so every cell is the
same size. Heatmaps report no clicks in Streamlit, so an invisible scatter layer over the cell
centres carries the hover text and the clicks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .figure import SpecFigure, click_points
from .levels import LossScale
from .style import LIGHT, Theme

DIVERGED_COLOR = "#C62828"
NEVER_COLOR = "#9E9E9E"
STAYED_COLOR = "#5B8DBE"
#: Colour of f − f* below this is clipped (exact zeros have no logarithm).
GAP_FLOOR = 1e-30
#: The click/hover layer has at most this many points per side (every cell up to 100 x 100).
CLICK_SIDE = 100
METRIC_TITLES = {"loss": "final f − f*", "steps": "steps to tol", "diverged": "diverged"}


@dataclass(frozen=True)
class HeatAxis:
    """One axis: its title, the hyperparameter values of the cells and their spacing."""

    label: str
    values: np.ndarray
    scale: str = "linear"  # "linear", "log" or "log1m"

    @property
    def coords(self) -> np.ndarray:
        """Where the cells sit on the plot (evenly spaced for the axis's own scale)."""
        return to_plot(self.values, self.scale)


def to_plot(values: np.ndarray, scale: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        if scale == "log":
            return np.log10(values)
        if scale == "log1m":
            return -np.log10(1.0 - values)
    return values


def _label(value: float) -> str:
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        return f"1e{round(math.log10(value))}" if _is_decade(value) else f"{value:.0e}".replace("e-0", "e-")
    return f"{value:g}"


def _is_decade(value: float) -> bool:
    exponent = math.log10(abs(value))
    return abs(exponent - round(exponent)) < 1e-9


def _ticks(axis: HeatAxis) -> dict:
    low, high = float(axis.values.min()), float(axis.values.max())
    if axis.scale == "log":
        decades = range(math.floor(math.log10(low) + 1e-9), math.ceil(math.log10(high) - 1e-9) + 1)
        mantissas = (1.0,) if len(decades) > 3 else (1.0, 2.0, 5.0)
        values = [m * 10.0**k for k in decades for m in mantissas]
    elif axis.scale == "log1m":
        values = [0.0, 0.5] + [1 - 10.0**-k for k in range(1, 8)]
    else:
        return {}
    values = [v for v in values if low * (1 - 1e-9) <= v <= high * (1 + 1e-9) or (v == 0 and low == 0)]
    labels = [_label(v) if axis.scale == "log" else f"{v:g}" for v in values]
    return {"tickvals": to_plot(np.array(values), axis.scale).tolist(), "ticktext": labels}


def _axis_layout(axis: HeatAxis, theme: Theme) -> dict:
    coords = axis.coords
    step = (coords[-1] - coords[0]) / max(len(coords) - 1, 1) or 1.0
    return {
        "title": {"text": axis.label},
        "range": [coords[0] - step / 2, coords[-1] + step / 2],
        "showgrid": False,
        "zeroline": False,
        "ticks": "outside",
        "color": theme.text,
        **_ticks(axis),
    }


def _colour(metric: str, gap: np.ndarray, steps: np.ndarray, diverged: np.ndarray, min_known: bool):
    """The coloured values (NaN: not coloured), the colour bar's title and tick labels."""
    if metric == "steps":
        colour = np.where((steps >= 0) & ~diverged, steps, np.nan).astype(float)
        return colour, "steps to tol", {}
    if metric == "diverged":
        return np.full(gap.shape, np.nan), "", {}
    if min_known:
        colour = np.where(diverged, np.nan, np.log10(np.maximum(gap, GAP_FLOOR)))
        finite = colour[np.isfinite(colour)]
        if finite.size:
            low, high = math.floor(finite.min()), math.ceil(finite.max())
            every = max(1, math.ceil((high - low) / 8))
            ticks = list(range(low, high + 1, every))
            bar = {"tickvals": ticks, "ticktext": [f"1e{k}" for k in ticks]}
        else:
            bar = {}
        return colour, "final f − f*", bar
    scale = LossScale.fit(gap[~diverged] if (~diverged).any() else gap, None)
    return np.where(diverged, np.nan, scale.forward(gap)), "final f (symlog)", {}


def _solid(mask: np.ndarray, x: np.ndarray, y: np.ndarray, colour: str, name: str) -> dict:
    return {
        "type": "heatmap",
        "x": x,
        "y": y,
        "z": np.where(mask, 1.0, np.nan).astype(np.float32),
        "colorscale": [[0.0, colour], [1.0, colour]],
        "zmin": 0.0,
        "zmax": 1.0,
        "showscale": False,
        "hoverinfo": "skip",
        "name": name,
    }


def _legend_entry(colour: str, name: str) -> dict:
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {"symbol": "square", "size": 14, "color": colour},
        "name": name,
        "hoverinfo": "skip",
    }


def _status(steps: int, diverged_at: int, min_known: bool, tol: float) -> str:
    if diverged_at >= 0:
        return f"<b>diverged</b> at step {diverged_at}"
    if not min_known:
        return "stayed in the region"
    return f"f − f* < {tol:g} at step {steps}" if steps >= 0 else f"never reached f − f* < {tol:g}"


def _click_layer(x: HeatAxis, y: HeatAxis | None, gap, steps, diverged_at, min_known: bool, tol: float) -> dict:
    rows, cols = gap.shape
    stride = max(1, math.ceil(max(rows, cols) / CLICK_SIDE))
    r, c = np.meshgrid(np.arange(0, rows, stride), np.arange(0, cols, stride), indexing="ij")
    r, c = r.ravel(), c.ravel()
    ys = y.coords[r] if y is not None else np.zeros(len(r))
    name_y = f"{y.label} = {{:.4g}}<br>" if y is not None else ""
    loss_name = "f − f*" if min_known else "f"
    text = [
        f"{x.label} = {x.values[ci]:.4g}<br>"
        + (name_y.format(y.values[ri]) if y is not None else "")
        + f"final {loss_name} = {gap[ri, ci]:.3e}<br>"
        + _status(int(steps[ri, ci]), int(diverged_at[ri, ci]), min_known, tol)
        for ri, ci in zip(r, c, strict=True)
    ]
    return {
        "type": "scatter",
        "x": x.coords[c].astype(np.float32),
        "y": ys.astype(np.float32),
        **click_points(10),
        "text": text,
        "hovertemplate": "%{text}<br><i>click to inspect this run</i><extra></extra>",
        "name": "cells",
        "showlegend": False,
    }


def _marker(
    axis_x: HeatAxis, axis_y: HeatAxis | None, cell, symbol: str, colour: str, name: str, size: int, outline: str = ""
) -> dict:
    i, j = cell
    return {
        "type": "scatter",
        "x": [float(axis_x.coords[i])],
        "y": [float(axis_y.coords[j]) if axis_y is not None else 0.0],
        "mode": "markers",
        "marker": {
            "symbol": symbol,
            "size": size,
            "color": colour,
            "line": {"width": 1.5 if outline else 2.5, "color": outline or colour},
        },
        "name": name,
        "hoverinfo": "skip",
    }


def heatmap_figure(
    x: HeatAxis,
    y: HeatAxis | None,
    final_gap: np.ndarray,
    steps_to_tol: np.ndarray,
    diverged_at: np.ndarray,
    metric: str,
    *,
    min_known: bool,
    tol: float,
    best: tuple[int, int] | None = None,
    selected: tuple[int, int] | None = None,
    theme: Theme = LIGHT,
    height: int = 560,
) -> SpecFigure:
    """The map of ``metric`` ("loss", "steps" or "diverged") over the (rows, columns) grid.

    ``final_gap`` is f − f* (f when the minimum is unknown); ``steps_to_tol`` and ``diverged_at``
    are -1 for never. Trace order: colour, solid layers, legend entries, click layer, markers."""
    diverged = diverged_at >= 0
    xs = x.coords.astype(np.float32)
    ys = (y.coords if y is not None else np.zeros(1)).astype(np.float32)
    colour, title, bar_ticks = _colour(metric, final_gap, steps_to_tol, diverged, min_known)
    data: list[dict] = []
    if metric != "diverged":
        data.append(
            {
                "type": "heatmap",
                "x": xs,
                "y": ys,
                "z": colour.astype(np.float32),
                "colorscale": "Viridis",
                "colorbar": {
                    "title": {"text": title, "side": "top"},
                    "thickness": 12,
                    "outlinewidth": 0,
                    **bar_ticks,
                },
                "hoverinfo": "skip",
                "name": METRIC_TITLES.get(metric, metric),
            }
        )
    solids = [(diverged, DIVERGED_COLOR, "diverged")]
    if metric == "steps":
        solids.append(((steps_to_tol < 0) & ~diverged, NEVER_COLOR, "never reached tol"))
    if metric == "diverged":
        solids.append((~diverged, STAYED_COLOR, "stayed in the region"))
    for mask, col, name in solids:
        if mask.any():
            data.append(_solid(mask, xs, ys, col, name))
    for _, col, name in solids:
        data.append(_legend_entry(col, name))
    data.append(_click_layer(x, y, final_gap, steps_to_tol, diverged_at, min_known, tol))
    if best is not None:
        data.append(
            _marker(x, y, best, "star", "#FFFFFF", "best", 17, outline=theme.text if not theme.dark else "#000000")
        )
    if selected is not None:
        data.append(_marker(x, y, selected, "square-open", theme.text, "selected", 18))

    layout = theme.layout(
        height if y is not None else 260,
        xaxis=_axis_layout(x, theme),
        yaxis=_axis_layout(y, theme) if y is not None else {"visible": False, "range": [-0.5, 0.5]},
        hovermode="closest",
        dragmode="pan",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    layout["legend"] |= {"itemclick": False, "itemdoubleclick": False}
    return SpecFigure(data, layout)
