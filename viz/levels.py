"""How loss values are put on a colour or height scale: log of the gap to the minimum when it is
known (log-spaced contour levels), otherwise a symmetric log so negative values keep their sign."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LossScale:
    """``forward`` maps f to the plotted quantity; ``label`` names it for axes and hovers."""

    min_value: float | None
    offset: float  # the gap floor (log case) or the linear-region width (symlog case)

    @classmethod
    def fit(cls, z: np.ndarray, min_value: float | None) -> LossScale:
        finite = z[np.isfinite(z)]
        spread = float(np.ptp(finite)) if finite.size else 1.0
        if min_value is not None:
            return cls(min_value, max(spread * 1e-6, 1e-12))
        return cls(None, max(float(np.median(np.abs(finite))) * 0.05, 1e-9) if finite.size else 1.0)

    @property
    def label(self) -> str:
        return "log10(f − f*)" if self.min_value is not None else "symlog(f)"

    def forward(self, f: np.ndarray) -> np.ndarray:
        f = np.asarray(f, dtype=float)
        if self.min_value is not None:
            return np.log10(np.maximum(f - self.min_value, 0.0) + self.offset)
        return np.sign(f) * np.log10(1.0 + np.abs(f) / self.offset)
