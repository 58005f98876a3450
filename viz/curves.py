"""Line charts over the steps: loss curves, effective per-axis learning rates and step sizes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from analysis.seed_bands import SeedBand
from optim.denominator import DenominatorTerms

from .bands import band_title, loss_band_traces
from .eps import add_note, dominance_traces
from .figure import SpecFigure
from .paths import PathData, sample_steps
from .style import LIGHT, Theme, optimizer_style

DRAWN_POINTS = 600
#: Gaps to the minimum below this are drawn at this floor (log axes cannot show 0).
LOSS_FLOOR = 1e-16


def _line(path: PathData, x, y, **extra) -> dict:
    style = optimizer_style(path.name)
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "lines",
        "line": {"color": style.color, "width": 2.4, "dash": style.dash},
        "name": path.label,
        "legendgroup": path.name,
        **extra,
    }


def _title(text: str, theme: Theme) -> dict:
    return {"text": text, "font": theme.font(15), "x": 0.0, "xanchor": "left"}


def loss_gap(loss: np.ndarray, min_value: float) -> np.ndarray:
    """f − f* for a log axis, floored at LOSS_FLOOR: below it a gap is round-off in most surfaces, and a
    single lucky step that lands within 1e-30 of the minimum would otherwise squash the whole axis."""
    return np.maximum(loss - min_value, LOSS_FLOOR)


def loss_figure(
    paths: Sequence[PathData],
    min_value: float | None,
    theme: Theme = LIGHT,
    height: int = 380,
    bands: Mapping[str, SeedBand] | None = None,
) -> SpecFigure:
    """Loss per step: log scale of f − f* when the minimum is known, f itself otherwise.

    With ``bands`` (noise seeds per optimizer), each banded optimizer gets its seeds' median and 10–90%
    band, and its own-seed curve is drawn thin and faint behind them."""
    bands = bands or {}
    data = []
    for path in paths:
        idx = sample_steps(path.last + 1, DRAWN_POINTS)
        y = path.loss[idx] if min_value is None else loss_gap(path.loss[idx], min_value)
        banded = loss_band_traces(path, bands[path.name]) if path.name in bands else []
        own = {"hovertemplate": f"<b>{path.label}</b> %{{y:.4g}}<extra></extra>"}
        if banded:
            own = {"opacity": 0.45, "hoverinfo": "skip", "name": f"{path.label} (this seed)"}
        line = _line(path, idx, y, **own)
        if banded:
            line["line"] = {**line["line"], "width": 1.2}
        data += [*banded[:2], line, *banded[2:]]
        if path.diverged_at is not None:
            data.append(_end_mark(path, idx[-1], y[-1]))
    log = min_value is not None
    shown = {n: b for n, b in bands.items() if n in {p.name for p in paths}}
    layout = theme.layout(
        height,
        title=_title(band_title(shown) if shown else "Loss", theme),
        xaxis={"title": {"text": "step"}, "gridcolor": theme.grid, "zeroline": False},
        yaxis={
            "title": {"text": "f − f* (log scale)" if log else "f"},
            "type": "log" if log else "linear",
            "gridcolor": theme.grid,
            "exponentformat": "power",
        },
        hovermode="x unified",
        showlegend=False,
    )
    return SpecFigure(data, layout)


def effective_lr_figure(
    paths: Sequence[PathData],
    theme: Theme = LIGHT,
    height: int = 380,
    dominance: Mapping[str, DenominatorTerms | None] | None = None,
) -> SpecFigure:
    """Effective learning rate per axis (left panel: x, right panel: y), log scale, shared y axis.

    With ``dominance`` (denominator terms per optimizer), the steps where eps dominates an optimizer's
    denominator are highlighted under its line, and a note under the title says so."""
    dominance = dominance or {}
    marked: list[dict] = []

    def marks(path: PathData, idx: np.ndarray) -> list[dict]:
        terms = dominance.get(path.name)
        traces = [] if terms is None else dominance_traces(path, terms, idx, theme)
        marked.extend(traces)
        return traces

    fig = _per_axis_figure(paths, lambda p: p.effective_lr, "Effective learning rate", theme, height, marks)
    if marked:
        add_note(fig.spec["layout"], theme)
    return fig


def step_size_figure(paths: Sequence[PathData], theme: Theme = LIGHT, height: int = 380) -> SpecFigure:
    """Length of each update per axis, |θ_k+1 − θ_k| (left panel: x, right panel: y), log scale."""
    return _per_axis_figure(paths, lambda p: np.abs(np.diff(p.xy, axis=0)), "Step size |Δθ|", theme, height)


def _per_axis_figure(
    paths: Sequence[PathData], values_of, title: str, theme: Theme, height: int, under=None
) -> SpecFigure:
    """One line per optimizer and axis over the steps; step k is the update from iterate k to k+1.

    ``under(path, idx)`` may return traces drawn beneath that optimizer's lines."""
    data = []
    for path in paths:
        count = max(path.last, 0)
        if count == 0:
            continue
        idx = sample_steps(count, DRAWN_POINTS)
        if under is not None:
            data += under(path, idx)
        per_step = values_of(path)
        for axis, suffix in ((0, ""), (1, "2")):
            values = per_step[idx, axis]
            data.append(
                _line(
                    path,
                    idx,
                    np.where(values > 0, values, np.nan),
                    xaxis=f"x{suffix}",
                    yaxis="y",
                    showlegend=False,
                    hovertemplate=f"<b>{path.label}</b> %{{y:.4g}}<extra></extra>",
                )
            )
    axis = {"title": {"text": "step"}, "gridcolor": theme.grid, "zeroline": False}
    layout = theme.layout(
        height,
        title=_title(title, theme),
        xaxis={**axis, "domain": [0.0, 0.48]},
        xaxis2={**axis, "domain": [0.52, 1.0], "anchor": "y"},
        yaxis={
            "type": "log",
            "gridcolor": theme.grid,
            "exponentformat": "power",
            "dtick": 1,
            "title": {"text": "per axis"},
        },
        annotations=[
            _panel_title("along x", 0.24, theme),
            _panel_title("along y", 0.76, theme),
        ],
        hovermode="x unified",
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 64, "b": 10},
    )
    return SpecFigure(data, layout)


def _panel_title(text: str, x: float, theme: Theme) -> dict:
    return {
        "text": text,
        "x": x,
        "y": 1.0,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": theme.font(13),
    }


def _end_mark(path: PathData, x: float, y: float) -> dict:
    style = optimizer_style(path.name)
    return {
        "type": "scatter",
        "x": [x],
        "y": [y],
        "mode": "markers",
        "marker": {
            "symbol": "x-thin-open",
            "size": 16,
            "color": style.color,
            "line": {"width": 3, "color": style.color},
        },
        "name": f"{path.label} diverged",
        "legendgroup": path.name,
        "showlegend": False,
        "hovertemplate": f"<b>{path.label}</b> diverged at step {path.diverged_at}<extra></extra>",
    }
