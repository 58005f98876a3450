"""The fair comparison's learning-rate search: final loss against lr, one line per optimizer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .curves import LOSS_FLOOR
from .figure import SpecFigure
from .style import LIGHT, Theme, optimizer_style


@dataclass(frozen=True)
class LrSearch:
    """One optimizer's search: the lrs tried, the final gap of each, which diverged, the best."""

    name: str
    label: str
    lrs: np.ndarray
    final_gap: np.ndarray
    diverged: np.ndarray
    best: int | None


def lr_search_figure(
    searches: Sequence[LrSearch], min_known: bool, theme: Theme = LIGHT, height: int = 380
) -> SpecFigure:
    """Final f − f* (log) against lr (log); diverged lrs leave a gap; ★ marks each optimizer's pick."""
    data = []
    for s in searches:
        style = optimizer_style(s.name)
        gap = np.maximum(s.final_gap, LOSS_FLOOR) if min_known else s.final_gap
        y = np.where(s.diverged, np.nan, gap)
        data.append(
            {
                "type": "scatter",
                "x": s.lrs,
                "y": y,
                "mode": "lines+markers",
                "line": {"color": style.color, "width": 2.2, "dash": style.dash},
                "marker": {"symbol": style.marker, "size": 5, "color": style.color},
                "name": s.label,
                "legendgroup": s.name,
                "connectgaps": False,
                "hovertemplate": f"<b>{s.label}</b> lr = %{{x:.3g}}<br>final = %{{y:.3e}}<extra></extra>",
            }
        )
        if s.best is not None:
            data.append(
                {
                    "type": "scatter",
                    "x": [float(s.lrs[s.best])],
                    "y": [float(gap[s.best])],
                    "mode": "markers",
                    "marker": {
                        "symbol": "star",
                        "size": 17,
                        "color": style.color,
                        "line": {"width": 1.5, "color": theme.text},
                    },
                    "name": f"{s.label} best",
                    "legendgroup": s.name,
                    "showlegend": False,
                    "hovertemplate": f"<b>{s.label}</b> best lr = %{{x:.3g}}<extra></extra>",
                }
            )
    layout = theme.layout(
        height,
        xaxis={"title": {"text": "learning rate"}, "type": "log", "gridcolor": theme.grid, "exponentformat": "power"},
        yaxis={
            "title": {"text": "final f − f*" if min_known else "final f"},
            "type": "log" if min_known else "linear",
            "gridcolor": theme.grid,
            "exponentformat": "power",
        },
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return SpecFigure(data, layout)
