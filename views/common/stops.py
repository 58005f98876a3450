"""Slider stops and how their values are written: one set of nice values for every slider of the app.

Pure, no Streamlit (the live knobs and the widgets both use these stops).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

from landscapes import Param
from optim import HyperParam
from views.common.scenario import NOISE_RANGE, TOL_RANGE

_NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
_DECAY = (
    0.0,
    0.1,
    0.2,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.8,
    0.85,
    0.9,
    0.93,
    0.95,
    0.97,
    0.98,
    0.99,
    0.995,
    0.999,
    0.9995,
    0.9999,
)


def log_grid(low: float, high: float, mantissas: Sequence[float] = _NICE) -> list[float]:
    """Nice values (1, 1.2, 1.5, 2, ... per decade) from low to high inclusive."""
    values = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for m in mantissas:
            v = float(f"{m * 10.0**exponent:.6g}")
            if low * (1 - 1e-9) <= v <= high * (1 + 1e-9):
                values.append(v)
    return values


#: Stops of the gradient-noise and tolerance sliders (the same on every page).
NOISE_STOPS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, NOISE_RANGE[1])
TOL_STOPS = tuple(log_grid(TOL_RANGE[0], TOL_RANGE[1], (1.0,)))


@functools.lru_cache(maxsize=256)
def options_for(p: HyperParam | Param) -> tuple[float, ...]:
    """The slider stops for a parameter: log-spaced, decay-like (dense near 1) or linear."""
    low, high = p.slider_range if isinstance(p, HyperParam) else (p.low, p.high)
    if p.log:
        grid = log_grid(max(low, 1e-12), high, _NICE if p.name != "eps" else (1.0, 3.0))
        return tuple(([0.0] if low == 0 else []) + grid)
    if isinstance(p, HyperParam) and high <= 1.0:
        return tuple(v for v in _DECAY if low <= v <= high)
    step = 5.0 if p.name == "angle" else 0.5 if p.name == "A" else 0.1
    count = round((high - low) / step)
    return tuple(round(low + i * step, 10) for i in range(count + 1))


@functools.lru_cache(maxsize=4096)
def format_number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        mantissa, exponent = f"{value:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.6g}"
