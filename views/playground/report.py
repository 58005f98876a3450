"""Tables and files about a set of runs: the summary table (its numbers, and as the page shows them) and the
CSV download."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.runs import gap as shown_gap
from analysis.runs import steps_to
from landscapes import Surface, is_estimated_minimum
from viz.curves import LOSS_FLOOR
from viz.paths import PathData

#: What an empty cell of the summary means, per column kind (as on the Sweep page).
NEVER, NONE = "never", "—"


def summary_columns(paths: Sequence[PathData], surface: Surface, tol: float) -> dict[str, list]:
    """One value per optimizer and column: final and best loss, distance to the nearest minimum, speed,
    divergence (None: never reached the tolerance / did not diverge; NaN: no distance)."""
    known = surface.min_value is not None
    gap = ("f − f̂*" if is_estimated_minimum(surface) else "f − f*") if known else "f"
    distances = [float(surface.nearest_minimum_distance(path.xy[path.last])) for path in paths]
    return {
        f"final {gap}": [float(shown_gap(path.loss[path.last], surface.min_value)) for path in paths],
        f"best {gap}": [float(shown_gap(path.loss[: path.last + 1].min(), surface.min_value)) for path in paths],
        "distance to nearest minimum": [d if np.isfinite(d) else math.nan for d in distances],
        f"steps to {gap} < {tol:g}": [steps_to(path, surface.min_value, tol) for path in paths],
        "diverged at step": [path.diverged_at for path in paths],
    }


def _is_count(column: str) -> bool:
    return column.startswith(("steps", "diverged"))


def three_figures(value: float) -> str:
    """A number as the summary table shows it: 3 significant figures, scientific below 1e-3 and from 1e4 on
    (1.99e-35, 0.00123, 12.3, 1230, 1.23e+04)."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    if abs(value) < 1e-3 or abs(value) >= 1e4:
        return f"{value:.2e}"
    rounded = float(f"{value:.3g}")
    decimals = max(0, 2 - math.floor(math.log10(abs(rounded))))
    return f"{rounded:.{decimals}f}"


def summary_text(columns: Mapping[str, Sequence], min_known: bool) -> dict[str, list[str]]:
    """``summary_columns`` as the page shows them: one number format (``three_figures``), step counts as
    integers, and words for the empty cells: "never" reached the tolerance, "—" did not diverge / no minimum."""

    def cell(column: str, value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return NEVER if column.startswith("steps") and min_known else NONE
        if _is_count(column):
            return str(int(value))
        return three_figures(float(value))

    return {c: [cell(c, v) for v in values] for c, values in columns.items()}


def floor_note(columns: Mapping[str, Sequence], min_known: bool) -> str | None:
    """Where the loss chart's floor is, when the gaps of ``summary_columns`` go below it (else None)."""
    gaps = [v for c, values in columns.items() if c.startswith(("final", "best")) for v in values]
    if not min_known or not any(v < LOSS_FLOOR for v in gaps):
        return None
    return (
        f"The loss chart stops at {LOSS_FLOOR:.0e}: it draws a smaller gap (round-off on most surfaces) on that "
        "floor. The table gives the gaps as computed."
    )


def trajectories_csv(paths: Sequence[PathData], meta: dict[str, object] | None = None) -> str:
    """All trajectories, one row per optimizer and step: optimizer, step, x, y, loss, effective lr.

    The effective lr of step k is the one that moved iterate k to k+1 (empty on the last row).
    Rows after a divergence are left out."""
    frames = []
    for path in paths:
        count = path.last + 1
        lr = np.full((count, 2), np.nan)
        lr[: min(count - 1, len(path.effective_lr))] = path.effective_lr[: count - 1]
        frames.append(
            pd.DataFrame(
                {
                    "optimizer": path.name,
                    "step": np.arange(count),
                    "x": path.xy[:count, 0],
                    "y": path.xy[:count, 1],
                    "loss": path.loss[:count],
                    "effective_lr_x": lr[:, 0],
                    "effective_lr_y": lr[:, 1],
                }
            )
        )
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    header = "".join(f"# {k}: {v}\n" for k, v in (meta or {}).items())
    return header + table.to_csv(index=False, float_format="%.17g")
