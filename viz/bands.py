"""Noise bands: the seeds' spread on the loss chart and their paths, faintly, on the contour."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from analysis.seed_bands import QUANTILES, SeedBand

from .figure import pack_arrays
from .paths import PathData
from .style import Theme, optimizer_style

#: Opacity of the band's fill and of the other seeds' paths on the contour.
BAND_OPACITY = 0.16
PATH_OPACITY = 0.3


def rgba(color: str, alpha: float) -> str:
    """'#RRGGBB' -> 'rgba(r,g,b,alpha)'."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:g})"


def band_title(bands: Mapping[str, SeedBand]) -> str:
    """The loss chart's title when bands are drawn, e.g. 'Loss: median of 20 seeds, band 10–90%'."""
    seeds = max(b.seeds for b in bands.values())
    low, high = round(100 * QUANTILES[0]), round(100 * QUANTILES[-1])
    return f"Loss: median of {seeds} seeds, band {low}–{high}%"


def loss_band_traces(path: PathData, band: SeedBand) -> list[dict]:
    """Lower edge, upper edge filled down to it, and the median line (in the optimizer's own style)."""
    if band.survivors == 0:
        return []
    style = optimizer_style(path.name)
    edge = {"type": "scatter", "x": band.steps, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
    common = {"legendgroup": path.name, "showlegend": False}
    lost = f" ({band.diverged} of {band.seeds} diverged, left out)" if band.diverged else ""
    return [
        {**edge, **common, "y": band.low, "name": f"{path.label} 10%"},
        {
            **edge,
            **common,
            "y": band.high,
            "fill": "tonexty",
            "fillcolor": rgba(style.color, BAND_OPACITY),
            "name": f"{path.label} 90%",
        },
        {
            "type": "scatter",
            "x": band.steps,
            "y": band.median,
            "mode": "lines",
            "line": {"color": style.color, "width": 2.4, "dash": style.dash},
            "name": f"{path.label} median",
            "customdata": np.stack([band.low, band.high], axis=-1),
            "hovertemplate": f"<b>{path.label}</b> median %{{y:.3g}} (10–90%: %{{customdata[0]:.2g}}–"
            f"%{{customdata[1]:.2g}}){lost}<extra></extra>",
            **common,
        },
    ]


def seed_path_traces(paths: Sequence[PathData], bands: Mapping[str, SeedBand], theme: Theme) -> list[dict]:
    """One faint trace per optimizer holding all its other seeds' paths (NaN-separated), packed for sending.

    Drawn under the main paths; they take no hover or clicks, so the click-to-start layer still works."""
    traces = []
    for path in paths:
        band = bands.get(path.name)
        if band is None or len(band.paths) == 0:
            continue
        gap = np.full((len(band.paths), 1, 2), np.nan, dtype=np.float32)
        joined = np.concatenate([band.paths, gap], axis=1).reshape(-1, 2)
        traces.append(
            {
                "type": "scatter",
                "x": joined[:, 0],
                "y": joined[:, 1],
                "mode": "lines",
                "line": {"color": optimizer_style(path.name).color, "width": 1},
                "opacity": PATH_OPACITY if not theme.dark else PATH_OPACITY + 0.1,
                "hoverinfo": "skip",
                "name": f"{path.label}: other seeds",
                "legendgroup": path.name,
                "showlegend": False,
            }
        )
    return pack_arrays(traces)
