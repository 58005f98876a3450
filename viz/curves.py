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


#: Line width and opacity by role (views with a focus optimizer: it stands out, the others are context).
ROLE_STYLE = {None: (2.4, 1.0), "focus": (3.2, 1.0), "context": (1.6, 0.55)}


def _line(path: PathData, x, y, role: str | None = None, **extra) -> dict:
    style = optimizer_style(path.name)
    width, opacity = ROLE_STYLE[role]
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "lines",
        "line": {"color": style.color, "width": width, "dash": style.dash},
        "opacity": opacity,
        "name": path.label,
        "legendgroup": path.name,
        "meta": {"trail": True, "steps": "x"},
        **extra,
    }


def _role(name: str, focus: str | None) -> str | None:
    return None if focus is None else "focus" if name == focus else "context"


def _ordered(paths: Sequence[PathData], focus: str | None) -> list[PathData]:
    return [p for p in paths if p.name != focus] + [p for p in paths if p.name == focus]


def _title(text: str, theme: Theme) -> dict:
    return {"text": text, "font": theme.font(15), "x": 0.0, "xanchor": "left"}


def loss_points(path: PathData, min_value: float | None, limit: int = DRAWN_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """The steps and values the loss chart draws for a path: f − f* floored for the log axis (f itself when
    the minimum is unknown), at most ``limit`` steps up to its last good iterate."""
    idx = sample_steps(path.last + 1, limit)
    return idx, path.loss[idx] if min_value is None else loss_gap(path.loss[idx], min_value)


def per_axis_points(path: PathData, values: np.ndarray, axis: int, limit: int = DRAWN_POINTS):
    """The steps and values of one axis of a per-step quantity (effective lr, step size) for a path; values
    that a log axis cannot show (<= 0) are gaps. None when the path takes no step."""
    count = max(path.last, 0)
    if count == 0:
        return None
    idx = sample_steps(count, limit)
    column = values[idx, axis]
    return idx, np.where(column > 0, column, np.nan)


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
    focus: str | None = None,
    live: Sequence[str] = (),
) -> SpecFigure:
    """Loss per step: log scale of f − f* when the minimum is known, f itself otherwise.

    ``focus``: that optimizer's line is drawn on top and stands out. ``live``: optimizers whose end mark trace
    is kept even when they do not diverge (for the browser to fill while a slider moves).

    With ``bands`` (noise seeds per optimizer), each banded optimizer gets its seeds' median and 10–90%
    band, and its own-seed curve is drawn thin and faint behind them."""
    bands = bands or {}
    data = []
    for path in _ordered(paths, focus):
        idx, y = loss_points(path, min_value)
        banded = loss_band_traces(path, bands[path.name]) if path.name in bands else []
        own = {"hovertemplate": f"<b>{path.label}</b> %{{y:.4g}}<extra></extra>"}
        if banded:
            own = {"opacity": 0.45, "hoverinfo": "skip", "name": f"{path.label} (this seed)"}
        line = _line(path, idx, y, _role(path.name, focus), uid=f"loss.{path.name}", **own)
        if banded:
            line["line"] = {**line["line"], "width": 1.2}
        data += [*banded[:2], line, *banded[2:]]
        if path.diverged_at is not None or path.name in live:
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
    focus: str | None = None,
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

    fig = _per_axis_figure(
        _ordered(paths, focus),
        lambda p: p.effective_lr,
        "Effective learning rate η<sub>eff</sub>",
        theme,
        height,
        marks,
        focus,
        "lr",
        "η<sub>eff</sub> (log scale)",
    )
    if marked:
        add_note(fig.spec["layout"], theme)
    return fig


def step_size_figure(
    paths: Sequence[PathData], theme: Theme = LIGHT, height: int = 380, focus: str | None = None
) -> SpecFigure:
    """Length of each update per axis, |θ_k+1 − θ_k| (left panel: x, right panel: y), log scale."""
    return _per_axis_figure(
        _ordered(paths, focus),
        step_sizes,
        "Step size |Δθ|",
        theme,
        height,
        focus=focus,
        prefix="step",
        y_title="|Δθ| (log scale)",
    )


def step_sizes(path: PathData) -> np.ndarray:
    """|θ_k+1 − θ_k| per axis for every step of a path."""
    return np.abs(np.diff(path.xy, axis=0))


def _per_axis_figure(
    paths: Sequence[PathData],
    values_of,
    title: str,
    theme: Theme,
    height: int,
    under=None,
    focus: str | None = None,
    prefix: str = "lr",
    y_title: str = "per axis (log scale)",
) -> SpecFigure:
    """One line per optimizer and axis over the steps; step k is the update from iterate k to k+1.

    ``under(path, idx)`` may return traces drawn beneath that optimizer's lines. Lines have uids
    "<prefix>.<name>.x" and "<prefix>.<name>.y"."""
    data = []
    for path in paths:
        per_step = values_of(path)
        for axis, suffix, name in ((0, "", "x"), (1, "2", "y")):
            points = per_axis_points(path, per_step, axis)
            if points is None:
                break
            idx, values = points
            if under is not None and axis == 0:
                data += under(path, idx)
            data.append(
                _line(
                    path,
                    idx,
                    values,
                    _role(path.name, focus),
                    xaxis=f"x{suffix}",
                    yaxis="y",
                    showlegend=False,
                    uid=f"{prefix}.{path.name}.{name}",
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
            "title": {"text": y_title},
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


def end_point(path: PathData, min_value: float | None) -> tuple[float, float] | None:
    """Where a diverged path's loss line ends (its end mark); None for a path that did not diverge."""
    if path.diverged_at is None:
        return None
    idx, y = loss_points(path, min_value)
    return float(idx[-1]), float(y[-1])


def _end_mark(path: PathData, x: float, y: float) -> dict:
    """An x at the end of a diverged path's loss line (empty for a path that did not diverge)."""
    style = optimizer_style(path.name)
    shown = path.diverged_at is not None
    return {
        "type": "scatter",
        "x": [x] if shown else [],
        "y": [y] if shown else [],
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
        "uid": f"end.{path.name}",
        "hovertemplate": f"<b>{path.label}</b> left the region after step %{{x}}<extra></extra>",
    }
