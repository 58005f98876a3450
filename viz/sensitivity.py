"""Learning-rate sensitivity: a metric against lr (log axis), one curve per optimizer with its best lr starred,
and below it a strip with each optimizer's windows where the runs end stable (thin bars) and end within the
tolerance (thick bars), and its divergence edge (a cross at the first lr that diverges). Every quantity is the
one ``analysis.sensitivity.Curve`` reports (the Maps page's table shows the same)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import optim
from analysis.sensitivity import Curve, segments

from .figure import SpecFigure
from .style import LIGHT, Theme, optimizer_style

METRICS = {"loss": "final loss", "steps": "steps to tolerance"}


def _status(curve: Curve) -> list[str]:
    """Per lr, in words: how its run ended."""
    out = []
    ends = curve.ends_within_tol
    for k, (reached, diverged) in enumerate(zip(curve.steps_to_tol, curve.diverged_at, strict=True)):
        if diverged >= 0:
            out.append(f"diverged at step {diverged}")
        elif ends[k]:
            out.append(f"ended within the tolerance (below it from step {reached})")
        elif reached >= 0:
            out.append(f"passed below the tolerance at step {reached} but ended above it")
        elif curve.min_value is None:
            out.append("no tolerance (f* unknown)")
        else:
            out.append("did not reach the tolerance")
    return out


def metric_values(curve: Curve, metric: str) -> np.ndarray:
    """What the upper chart plots per lr; NaN where there is nothing to plot (diverged, not within tolerance)."""
    return curve.shown(metric)


def _half_step(lrs: np.ndarray) -> float:
    return float(np.sqrt(lrs[1] / lrs[0])) if len(lrs) > 1 else 1.1


def _bar(curve: Curve, first: int, last: int, width: float, opacity: float, label: str, text: str) -> dict:
    style = optimizer_style(curve.optimizer)
    half = _half_step(curve.lrs)
    low, high = curve.lrs[first] / half, curve.lrs[last] * half
    return {
        "type": "scatter",
        "x": [low, high],
        "y": [label, label],
        "mode": "lines",
        "line": {"color": style.color, "width": width},
        "opacity": opacity,
        "xaxis": "x2",
        "yaxis": "y2",
        "showlegend": False,
        "legendgroup": curve.optimizer,
        "hovertemplate": f"<b>{label}</b> {text}: lr {curve.lrs[first]:.3g} – {curve.lrs[last]:.3g}<extra></extra>",
        "name": f"{label} {text}",
    }


def sensitivity_figure(
    curves: Sequence[Curve], metric: str = "loss", steps: int = 0, theme: Theme = LIGHT, height: int = 560
) -> SpecFigure:
    """Upper panel: the metric per lr (hover: status; click: pick that lr). Lower strip: windows and edges."""
    data: list[dict] = []
    min_known = all(c.min_value is not None for c in curves)
    for curve in curves:
        style = optimizer_style(curve.optimizer)
        label = optim.get(curve.optimizer).label
        y = metric_values(curve, metric)
        data.append(
            {
                "type": "scatter",
                "x": curve.lrs,
                "y": y,
                "mode": "lines+markers",
                "line": {"color": style.color, "width": 2.2, "dash": style.dash},
                "marker": {"symbol": style.marker, "size": 7, "color": style.color,
                           "line": {"width": 1, "color": theme.marker_outline}},
                "selected": {"marker": {"opacity": 1.0}},
                "unselected": {"marker": {"opacity": 1.0}},
                "text": _status(curve),
                "name": label,
                "legendgroup": curve.optimizer,
                "meta": curve.optimizer,
                "hovertemplate": f"<b>{label}</b> lr = %{{x:.3g}}<br>{METRICS[metric]} = %{{y:.3g}}<br>%{{text}}"
                "<br><i>click to pick this lr</i><extra></extra>",
            }
        )  # fmt: skip
    for curve in curves:
        best = curve.best(metric)
        if best is None:
            continue
        style = optimizer_style(curve.optimizer)
        label = optim.get(curve.optimizer).label
        data.append(
            {
                "type": "scatter",
                "x": [float(curve.lrs[best])],
                "y": [float(metric_values(curve, metric)[best])],
                "mode": "markers",
                "marker": {"symbol": "star", "size": 17, "color": style.color,
                           "line": {"width": 1.5, "color": theme.marker_outline}},
                "showlegend": False,
                "legendgroup": curve.optimizer,
                "meta": curve.optimizer,
                "name": f"{label} best lr",
                "hovertemplate": f"<b>{label}</b> best lr = %{{x:.3g}}<br>{METRICS[metric]} = %{{y:.3g}}"
                "<extra></extra>",
            }
        )  # fmt: skip
    for curve in curves:
        label = optim.get(curve.optimizer).label
        for first, last in segments(curve.stable):
            data.append(_bar(curve, first, last, 4, 0.45, label, "ends stable (no blow-up, loss not above start)"))
        for first, last in segments(curve.ends_within_tol):
            data.append(_bar(curve, first, last, 12, 1.0, label, "ends within the tolerance"))
        if curve.edge is not None:
            style = optimizer_style(curve.optimizer)
            data.append(
                {
                    "type": "scatter",
                    "x": [curve.edge],
                    "y": [label],
                    "mode": "markers",
                    "marker": {"symbol": "x-thin-open", "size": 16, "color": style.color,
                               "line": {"width": 3, "color": style.color}},
                    "xaxis": "x2",
                    "yaxis": "y2",
                    "showlegend": False,
                    "legendgroup": curve.optimizer,
                    "hovertemplate": f"<b>{label}</b> diverges from lr = {curve.edge:.3g}<extra></extra>",
                    "name": f"{label} divergence edge",
                }
            )  # fmt: skip
    labels = [optim.get(c.optimizer).label for c in curves]
    strip = max(0.14, min(0.4, 0.06 * len(curves) + 0.04))
    if metric == "steps":
        y_title, y_type = f"steps to f − f* < tol (of {steps}; runs ending within tol)", "log"
    elif min_known:
        y_title, y_type = f"final f − f* after {steps} steps", "log"
    else:
        y_title, y_type = f"final f after {steps} steps", "linear"
    lrs = np.concatenate([c.lrs for c in curves]) if curves else np.array([1e-5, 10.0])
    x_range = [float(np.log10(lrs.min())) - 0.05, float(np.log10(lrs.max())) + 0.05]
    axis = {"gridcolor": theme.grid, "zeroline": False}
    layout = theme.layout(
        height,
        xaxis={"type": "log", "range": x_range, "domain": [0, 1], "anchor": "y", "showticklabels": False,
               "exponentformat": "power", **axis},
        yaxis={"type": y_type, "domain": [strip + 0.1, 1.0], "title": {"text": y_title}, "exponentformat": "power",
               **axis},
        xaxis2={"type": "log", "range": x_range, "domain": [0, 1], "anchor": "y2", "matches": "x",
                "title": {"text": "learning rate (log scale)"}, "exponentformat": "power", **axis},
        yaxis2={"type": "category", "domain": [0, strip], "categoryorder": "array",
                "categoryarray": labels[::-1], "range": [-0.6, len(labels) - 0.4], "fixedrange": True,
                "title": {"text": "windows"}, **axis},
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )  # fmt: skip
    return SpecFigure(data, layout)
