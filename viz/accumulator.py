"""The accumulators themselves: each adaptive optimizer's running averages or sums per axis over the steps.

Left panel along x, right panel along y, one log y axis. Every optimizer keeps its colour; its accumulators
are told apart by dash (the first solid, then dashed, dotted, ...) and named in the legend. The squared
gradients g_t² that feed them are drawn faintly behind, in the optimizer's colour. Signed accumulators (Adam's
and Nadam's first moment m, centered RMSProp's mean gradient ḡ) are drawn squared, m² and ḡ², in the same
units as v and g², so that the chart compares like with like (Adam's step is about lr·|m|/√v̂).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import optim
from optim.history import AccumulatorHistory, Series

from .curves import DRAWN_POINTS, _panel_title, _title
from .figure import SpecFigure
from .paths import sample_steps
from .style import LIGHT, Theme, optimizer_style

#: Dashes of an optimizer's accumulators, in the order ``optim.history`` lists them.
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
#: Accumulators that can be negative: drawn squared on the log axis.
SIGNED = {"m", "mean_grad"}
#: How faint the squared gradients are.
GRAD_OPACITY = 0.28


def _shown(series: Series) -> tuple[str, np.ndarray]:
    """What the chart draws for a series (its name and values): signed ones squared."""
    if series.key in SIGNED:
        with np.errstate(over="ignore"):
            return f"{series.symbol}²", series.values * series.values
    return series.symbol, series.values


def _positive(values: np.ndarray) -> np.ndarray:
    """Values a log axis can show; the rest (0, negative, NaN, inf) become gaps."""
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def accumulator_figure(histories: Sequence[AccumulatorHistory], theme: Theme = LIGHT, height: int = 380) -> SpecFigure:
    """Each history's accumulators per axis over the steps t = 0..steps (row t: after t updates), log scale, with
    g_t² (t = 1..steps) faintly behind. Long runs are thinned for drawing only."""
    data: list[dict] = []
    for history in histories:
        label = optim.get(history.optimizer).label
        color = optimizer_style(history.optimizer).color
        steps = len(history.grad_sq)
        if steps:
            ts = sample_steps(steps, DRAWN_POINTS) + 1
            for axis, suffix in ((0, ""), (1, "2")):
                data.append(
                    {
                        "type": "scatter",
                        "x": ts,
                        "y": _positive(history.grad_sq[ts - 1, axis]),
                        "mode": "lines",
                        "line": {"color": color, "width": 1},
                        "opacity": GRAD_OPACITY,
                        "name": f"{label} g² (faint)",
                        "legendgroup": f"{history.optimizer}.g2",
                        "showlegend": axis == 0,
                        "hoverinfo": "skip",
                        "xaxis": f"x{suffix}",
                        "yaxis": "y",
                    }
                )
        idx = sample_steps(steps + 1, DRAWN_POINTS)
        for i, series in enumerate(history.series):
            symbol, values = _shown(series)
            name = f"{label} {symbol}"
            for axis, suffix in ((0, ""), (1, "2")):
                data.append(
                    {
                        "type": "scatter",
                        "x": idx,
                        "y": _positive(values[idx, axis]),
                        "mode": "lines",
                        "line": {"color": color, "width": 2.2, "dash": SERIES_DASHES[i % len(SERIES_DASHES)]},
                        "name": name,
                        "legendgroup": f"{history.optimizer}.{series.key}",
                        "showlegend": axis == 0,
                        "hovertemplate": f"<b>{name}</b> %{{y:.4g}}<extra></extra>",
                        "xaxis": f"x{suffix}",
                        "yaxis": "y",
                    }
                )
    axis = {"title": {"text": "step t"}, "gridcolor": theme.grid, "zeroline": False}
    layout = theme.layout(
        height,
        title=_title("Accumulators per axis (g² faint behind)", theme),
        xaxis={**axis, "domain": [0.0, 0.48]},
        xaxis2={**axis, "domain": [0.52, 1.0], "anchor": "y"},
        yaxis={
            "type": "log",
            "gridcolor": theme.grid,
            "exponentformat": "power",
            "title": {"text": "value (log scale)"},
        },
        annotations=[_panel_title("along x", 0.24, theme), _panel_title("along y", 0.76, theme)],
        hovermode="x unified",
        showlegend=True,
        legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0, "font": theme.font(12)},
        margin={"l": 10, "r": 10, "t": 64, "b": 10},
    )
    return SpecFigure(data, layout)
