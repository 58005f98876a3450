"""eps dominance on the effective-learning-rate chart: a thick shaded highlight under the steps where eps,
not the accumulator, is the larger term of an optimizer's denominator."""

from __future__ import annotations

import numpy as np

from optim.denominator import DenominatorTerms

from .bands import rgba
from .paths import PathData
from .style import Theme, optimizer_style

#: Caption for the highlight (in the figure, so exports and screenshots carry it too).
LEGEND_TEXT = "thick shaded band: eps dominates the denominator"


def dominance_traces(path: PathData, terms: DenominatorTerms, idx: np.ndarray, theme: Theme) -> list[dict]:
    """Per axis, the effective lr at the drawn steps ``idx`` where eps dominates (NaN elsewhere), as a wide
    translucent line under the optimizer's own line; isolated steps show as squares."""
    dominates = terms.eps_dominates
    if not dominates[idx].any():
        return []
    color = rgba(optimizer_style(path.name).color, 0.55 if theme.dark else 0.42)
    traces = []
    for axis, suffix, name in ((0, "", "x"), (1, "2", "y")):
        marked = dominates[idx, axis]
        if not marked.any():
            continue
        values = path.effective_lr[idx, axis]
        acc, eps = terms.accumulator[idx, axis], terms.eps[idx, axis]
        before, after = np.roll(marked, 1), np.roll(marked, -1)
        before[0] = after[-1] = False
        isolated = marked & ~before & ~after  # a line needs two points: these get a square
        traces.append(
            {
                "type": "scatter",
                "x": idx,
                "y": np.where(marked & (values > 0), values, np.nan),
                "mode": "lines+markers",
                "line": {"color": color, "width": 12},
                "marker": {"symbol": "square", "size": np.where(isolated, 10, 0), "color": color},
                "xaxis": f"x{suffix}",
                "yaxis": "y",
                "customdata": np.stack([acc, eps], axis=-1),
                "name": f"{path.label}: eps dominates along {name}",
                "legendgroup": path.name,
                "showlegend": False,
                "hovertemplate": f"<b>{path.label}</b> eps dominates: eps %{{customdata[1]:.2g}} > "
                f"{terms.symbol} %{{customdata[0]:.2g}}<extra></extra>",
            }
        )
    return traces


#: Extra top margin that makes room for the note between the title and the panel titles.
NOTE_ROOM = 22


def add_note(layout: dict, theme: Theme) -> None:
    """Say what the highlight means (not by colour alone): a line of its own under the chart's title."""
    layout["margin"] = {**layout["margin"], "t": layout["margin"]["t"] + NOTE_ROOM}
    layout["title"] = {**layout["title"], "y": 1.0, "yref": "container", "yanchor": "top", "pad": {"t": 6}}
    layout["annotations"].append(
        {
            "text": LEGEND_TEXT,
            "x": 0.0,
            "y": 1.0,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "bottom",
            "yshift": 22,
            "showarrow": False,
            "font": theme.font(12),
        }
    )


def first_dominance(terms: DenominatorTerms) -> tuple[int | None, int | None]:
    """Per axis, the first step at which eps dominates (None if it never does)."""
    dominates = terms.eps_dominates
    return tuple(int(np.argmax(dominates[:, a])) if dominates[:, a].any() else None for a in (0, 1))
