"""Hyperparameters, each described once: the UI, URL parsing and validation are generated from this."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HyperParam:
    """One hyperparameter of an optimizer.

    ``low``/``high`` bound what the core accepts; ``ui_low``/``ui_high`` bound the slider (a
    subrange chosen for teaching). ``low_open`` excludes ``low`` itself (lr must be > 0).
    """

    name: str
    label: str
    symbol: str  # LaTeX symbol used in the equations
    default: float | bool
    help: str
    kind: str = "float"  # "float" or "bool"
    low: float = 0.0
    high: float = 1.0
    low_open: bool = False
    log: bool = False
    ui_low: float | None = None
    ui_high: float | None = None

    @property
    def slider_range(self) -> tuple[float, float]:
        return (self.low if self.ui_low is None else self.ui_low, self.high if self.ui_high is None else self.ui_high)

    def validate(self, value: object) -> float | bool | np.ndarray:
        """Return ``value`` checked against this description, or raise ValueError.

        Floats may be a scalar or a 1-D array (one value per run); flags must be a single bool.
        """
        if self.kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            raise ValueError(f"{self.name} must be True or False, got {value!r}")
        if isinstance(value, (bool, np.bool_, str, bytes)):
            raise ValueError(f"{self.name} must be a number, got {value!r}")
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number or a 1-D array of numbers, got {value!r}") from None
        if array.ndim > 1:
            raise ValueError(f"{self.name} must be a number or a 1-D array, got shape {array.shape}")
        if array.size == 0:
            raise ValueError(f"{self.name} must not be empty")
        bad = ~np.isfinite(array) | (array > self.high) | ((array <= self.low) if self.low_open else (array < self.low))
        if bad.any():
            example = array.reshape(-1)[np.argmax(bad.reshape(-1))]
            lower = f"greater than {self.low:g}" if self.low_open else f"at least {self.low:g}"
            raise ValueError(f"{self.name} must be {lower} and at most {self.high:g}, got {example:g}")
        return float(array) if array.ndim == 0 else array.copy()


def lr_param(default: float) -> HyperParam:
    return HyperParam(
        "lr", "learning rate", r"\eta", default, "Step size: how far each update moves.",
        low=0.0, high=1e4, low_open=True, log=True, ui_low=1e-5, ui_high=10.0,
    )  # fmt: skip


def eps_param(default: float) -> HyperParam:
    return HyperParam(
        "eps", "epsilon", r"\epsilon", default, "Small constant in the denominator that keeps the step finite.",
        low=0.0, high=1.0, log=True, ui_low=1e-12, ui_high=1.0,
    )  # fmt: skip


def rho_param(default: float, help: str = "Decay rate of the moving average of squared gradients.") -> HyperParam:
    return HyperParam("rho", "decay rate rho", r"\rho", default, help, low=0.0, high=1.0, ui_high=0.9999)


def momentum_param(default: float) -> HyperParam:
    return HyperParam(
        "momentum", "momentum", r"\mu", default, "Fraction of the previous step carried into the next.",
        low=0.0, high=1.0, ui_high=0.999,
    )  # fmt: skip


def beta1_param(default: float = 0.9) -> HyperParam:
    return HyperParam(
        "beta1", "beta1", r"\beta_1", default, "Decay rate of the moving average of gradients (momentum).",
        low=0.0, high=0.9999, ui_high=0.999,
    )  # fmt: skip


def beta2_param(default: float = 0.999) -> HyperParam:
    return HyperParam(
        "beta2", "beta2", r"\beta_2", default, "Decay rate of the moving average of squared gradients.",
        low=0.0, high=0.99999, ui_high=0.9999,
    )  # fmt: skip


def flag_param(name: str, label: str, help: str, default: bool = False) -> HyperParam:
    return HyperParam(name, label, "", default, help, kind="bool")
