"""Per-surface defaults for the Playground: which optimizers, their hyperparameters and the steps.

Chosen so that the first picture on each surface tells its story (see each surface's ``story``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import optim

DEFAULT_SURFACE = "bowl"
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")


@dataclass(frozen=True)
class SurfacePreset:
    steps: int
    hp: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # optimizer -> overrides
    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS


PRESETS: dict[str, SurfacePreset] = {
    # The first screen: RMSProp against SGD where no single learning rate suits both axes (issue 14; the numbers
    # are in tests/test_first_screen.py). rho = 0.99 (PyTorch's default) keeps RMSProp from bouncing back within
    # the 150 steps, which rho = 0.9 does at step ~100.
    "bowl": SurfacePreset(
        steps=150,
        optimizers=("sgd", "rmsprop"),
        hp={
            "sgd": {"lr": 0.019},
            "momentum": {"lr": 0.005, "momentum": 0.9},
            "nesterov": {"lr": 0.005, "momentum": 0.9},
            "adagrad": {"lr": 0.3},
            "rmsprop": {"lr": 0.05, "rho": 0.99},
            "adam": {"lr": 0.2},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.1},
        },
    ),
    "rosenbrock": SurfacePreset(
        steps=1000,
        hp={
            "sgd": {"lr": 0.002},
            "momentum": {"lr": 0.001, "momentum": 0.9},
            "nesterov": {"lr": 0.001, "momentum": 0.9},
            "adagrad": {"lr": 0.5},
            "rmsprop": {"lr": 0.005, "rho": 0.9},
            "adam": {"lr": 0.05},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.05},
        },
    ),
    "saddle": SurfacePreset(
        steps=60,
        hp={
            "sgd": {"lr": 0.05},
            "momentum": {"lr": 0.01},
            "nesterov": {"lr": 0.01},
            "adagrad": {"lr": 0.1},
            "rmsprop": {"lr": 0.02},
            "adam": {"lr": 0.05},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.05},
        },
    ),
    "monkey_saddle": SurfacePreset(
        steps=80,
        hp={
            "sgd": {"lr": 0.05},
            "momentum": {"lr": 0.01},
            "nesterov": {"lr": 0.01},
            "adagrad": {"lr": 0.1},
            "rmsprop": {"lr": 0.01},
            "adam": {"lr": 0.02},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.02},
        },
    ),
    "beale": SurfacePreset(
        steps=500,
        hp={
            "sgd": {"lr": 0.01},
            "momentum": {"lr": 0.005},
            "nesterov": {"lr": 0.005},
            "adagrad": {"lr": 0.5},
            "rmsprop": {"lr": 0.005},
            "adam": {"lr": 0.05},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.05},
        },
    ),
    "himmelblau": SurfacePreset(
        steps=150,
        hp={
            "sgd": {"lr": 0.01},
            "momentum": {"lr": 0.002},
            "nesterov": {"lr": 0.002},
            "adagrad": {"lr": 0.5},
            "rmsprop": {"lr": 0.05},
            "adam": {"lr": 0.2},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.2},
        },
    ),
    "rastrigin": SurfacePreset(
        steps=200,
        hp={
            "sgd": {"lr": 0.005},
            "momentum": {"lr": 0.002},
            "nesterov": {"lr": 0.002},
            "adagrad": {"lr": 1.0},
            "rmsprop": {"lr": 0.05},
            "adam": {"lr": 0.3},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.3},
        },
    ),
    "booth": SurfacePreset(
        steps=150,
        hp={
            "sgd": {"lr": 0.05},
            "momentum": {"lr": 0.01},
            "nesterov": {"lr": 0.01},
            "adagrad": {"lr": 2.0},
            "rmsprop": {"lr": 0.1},
            "adam": {"lr": 0.5},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.5},
        },
    ),
    "styblinski_tang": SurfacePreset(
        steps=150,
        hp={
            "sgd": {"lr": 0.02},
            "momentum": {"lr": 0.01},
            "nesterov": {"lr": 0.01},
            "adagrad": {"lr": 0.5},
            "rmsprop": {"lr": 0.1},
            "adam": {"lr": 0.5},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.5},
        },
    ),
    "six_hump_camel": SurfacePreset(
        steps=150,
        hp={
            "sgd": {"lr": 0.03},
            "momentum": {"lr": 0.01},
            "nesterov": {"lr": 0.01},
            "adagrad": {"lr": 0.2},
            "rmsprop": {"lr": 0.02},
            "adam": {"lr": 0.1},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.1},
        },
    ),
    # A typed formula (default x**2 + 10*y**2): rates that suit surfaces whose curvature is of order 1-20.
    "custom": SurfacePreset(
        steps=150,
        hp={
            "sgd": {"lr": 0.04},
            "momentum": {"lr": 0.01, "momentum": 0.9},
            "nesterov": {"lr": 0.01, "momentum": 0.9},
            "adagrad": {"lr": 0.3},
            "rmsprop": {"lr": 0.02, "rho": 0.9},
            "adam": {"lr": 0.1},
            "adadelta": {"lr": 1.0},
            "nadam": {"lr": 0.1},
        },
    ),
}

_FALLBACK = SurfacePreset(steps=200)


def preset(surface: str) -> SurfacePreset:
    return PRESETS.get(surface, _FALLBACK)


def default_hp(surface: str, optimizer: str) -> dict[str, Any]:
    """The optimizer's own defaults with this surface's overrides applied."""
    values = optim.get(optimizer).defaults()
    values.update(preset(surface).hp.get(optimizer, {}))
    return values
