"""A class poll's answers as horizontal bars: one bar per option, its count and share; after the reveal the
right answer(s) in green with a check mark (a second cue besides colour)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .figure import SpecFigure
from .style import Theme

RIGHT, OTHER, OPEN = "#009E73", "#9AA5B1", "#1F77B4"  # right answer, wrong answer, before the reveal


def votes_figure(
    options: Mapping[str, str],
    counts: Mapping[str, int],
    theme: Theme,
    correct: Sequence[str] | None = None,
    height: int | None = None,
) -> SpecFigure:
    """Bars of ``counts`` for ``options`` (option id -> label, top to bottom); ``correct`` (after the reveal)
    marks the right answer(s). Labels are cut to 40 characters."""
    ids = list(options)
    total = sum(counts.get(o, 0) for o in ids)
    values = [counts.get(o, 0) for o in ids]
    right = set(correct or ())
    labels = [("✓ " if o in right else "") + _short(options[o]) for o in ids]
    colors = [OPEN] * len(ids) if correct is None else [RIGHT if o in right else OTHER for o in ids]
    texts = [f"{n} ({n / total:.0%})" if total else "0" for n in values]
    bars = {
        "type": "bar",
        "orientation": "h",
        "x": values,
        "y": labels,
        "marker": {"color": colors},
        "text": texts,
        "textposition": "auto",
        "textfont": theme.font(15),
        "cliponaxis": False,
        "hovertemplate": "%{y}: %{x}<extra></extra>",
        "name": "answers",
    }
    rows = max(1, len(ids))
    xaxis = {
        "rangemode": "tozero",
        "gridcolor": theme.grid,
        "showticklabels": False,  # the bars carry their counts
        "title": {"text": f"{total} answer{'s' * (total != 1)}", "font": theme.font(14)},
    }
    if max(values, default=0) <= 10:
        xaxis["dtick"] = 1  # a grid line per vote
    layout = theme.layout(
        height or 70 + 46 * rows,
        showlegend=False,
        xaxis=xaxis,
        yaxis={"autorange": "reversed", "automargin": True, "tickfont": theme.font(15)},
        bargap=0.3,
    )
    layout["margin"] = {"l": 10, "r": 20, "t": 10, "b": 10}
    return SpecFigure([bars], layout)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
