"""Short decimals for numbers the app writes into links: float noise snapped away, grids of short values.

Pure, no Streamlit. ``repr`` of a float is already the shortest decimal that reads back as the same float;
links got long because the floats themselves were noisy: 1.1 + 0.1 = 1.2000000000000002 (a number input's
step), or a grid value such as 0.08111308307896872 (a log-spaced sweep). ``tidy`` snaps the first kind to the
short decimal it is a rounding error away from; ``short_grid`` gives grids short values in the first place.
"""

from __future__ import annotations

import numpy as np

#: Significant digits kept by ``tidy``: float arithmetic noise sits in the 16th-17th digit.
DIGITS = 12
#: A grid value may move by at most this fraction of the gap to its nearest neighbour when it is shortened.
GRID_SHIFT = 0.05


def tidy(value: float) -> float:
    """``value`` rounded to ``DIGITS`` significant digits: a value within float noise of a short decimal becomes
    that decimal (1.2000000000000002 -> 1.2, 0.30000000000000004 -> 0.3); idempotent."""
    return float(f"{float(value):.{DIGITS}g}")


def short_grid(values: np.ndarray) -> np.ndarray:
    """The grid ``values`` (increasing) with each inner value shortened to the fewest significant digits that
    move no value by more than ``GRID_SHIFT`` of the gap to its nearest neighbour; the two ends stay exactly as
    they are (they are the range the user chose). 0.08111308307896872 -> 0.0811 in a 100-point log grid."""
    values = np.asarray(values, dtype=float)
    if len(values) < 3:
        return np.array([tidy(v) for v in values])
    gaps = np.diff(values)
    nearest = np.minimum(np.concatenate([[np.inf], gaps]), np.concatenate([gaps, [np.inf]]))
    out = np.empty_like(values)
    out[0], out[-1] = values[0], values[-1]
    for i in range(1, len(values) - 1):
        for digits in range(1, DIGITS + 1):
            short = float(f"{values[i]:.{digits}g}")
            if abs(short - values[i]) <= GRID_SHIFT * nearest[i]:
                break
        out[i] = short
    return out
