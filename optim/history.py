"""The accumulators of an adaptive optimizer over a whole run, per axis, in the run's convention.

RMSProp's moving average v (and, centered, its mean gradient ḡ); Adagrad's sum s; Adam's and Nadam's
first moment m, second moment v and bias-corrected v̂ = v / (1 − β₂ᵗ) (and AMSGrad's maximum);
Adadelta's averages of squared gradients (v) and of squared steps (u). Row t is the state after t
updates, so row 0 is where the framework starts the accumulator (TF1's RMSProp at 1, Keras's Adagrad
at 0.1). The run is replayed by the rule itself (``optim.replay``), so these are the numbers the core
used. SGD, momentum and Nesterov keep no accumulator: ``accumulator_history`` returns None for them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import landscapes

from ._ops import power
from .base import Optimizer
from .registry import get
from .replay import replay
from .runner import Trajectory, _lr_factors, _make_noise, _resolve
from .schedules import Schedule, coerce


@dataclass(frozen=True)
class Series:
    """One accumulator per axis over the run: ``values[t]`` is its value after t updates, shape (steps+1, 2)."""

    key: str  # the state field ("mean_sq", "sum_sq", "m", ...) or "v_hat"
    symbol: str  # as in the equations: "v", "ḡ", "s", "m", "v̂", "u", "v_max"
    label: str  # "v: moving average of g²"
    values: np.ndarray


@dataclass(frozen=True)
class AccumulatorHistory:
    """Every accumulator of one run, and the squared gradients that fed them.

    ``grad_sq[t - 1]`` is g_t², the squared gradient (noise included) of update t, which produced row t
    of each series; shape (steps, 2). Rows from the update a diverged run failed on are NaN, as are
    values that are not finite or not defined (v̂ before the first update)."""

    optimizer: str
    convention: str
    series: tuple[Series, ...]
    grad_sq: np.ndarray

    def __getitem__(self, key: str) -> Series:
        for s in self.series:
            if s.key == key:
                return s
        raise KeyError(key)

    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.series)


#: (state field or "v_hat", symbol, label) of each accumulator, by optimizer; options add some (below).
_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "rmsprop": (("mean_sq", "v", "v: moving average of g²"),),
    "adagrad": (("sum_sq", "s", "s: sum of g²"),),
    "adam": (
        ("m", "m", "m: moving average of g"),
        ("v", "v", "v: moving average of g²"),
        ("v_hat", "v̂", "v̂ = v / (1 − β₂ᵗ), bias-corrected"),
    ),
    "nadam": (
        ("m", "m", "m: moving average of g"),
        ("v", "v", "v: moving average of g²"),
        ("v_hat", "v̂", "v̂ = v / (1 − β₂ᵗ), bias-corrected"),
    ),
    "adadelta": (
        ("mean_sq_grad", "v", "v: moving average of g²"),
        ("mean_sq_step", "u", "u: moving average of Δ²"),
    ),
}
_CENTERED = ("mean_grad", "ḡ", "ḡ: moving average of g (centered)")
_AMSGRAD = {
    "optax": ("v_max", "v̂_max", "v̂_max: running maximum of v̂ (AMSGrad)"),
    "other": ("v_max", "v_max", "v_max: running maximum of v (AMSGrad)"),
}


def fields(optimizer: str | Optimizer, convention: str, hp: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """The accumulators ``optimizer`` keeps with these (validated) hyperparameters: (key, symbol, label) each.
    Empty for SGD, momentum and Nesterov."""
    name = optimizer.name if isinstance(optimizer, Optimizer) else optimizer
    chosen = _FIELDS.get(name, ())
    if name == "rmsprop" and hp.get("centered"):
        chosen = (*chosen, _CENTERED)
    if name == "adam" and hp.get("amsgrad"):
        chosen = (*chosen, _AMSGRAD["optax" if convention == "optax" else "other"])
    return chosen


def _reader(keys: tuple[str, ...]):
    def read(state, hp, form):
        return tuple(_v_hat(state, hp) if key == "v_hat" else getattr(state, key) for key in keys)

    return read


def _v_hat(state, hp):
    """v / (1 − β₂ᵗ) after t = state.count updates (as Optax and Nadam divide); undefined before the first."""
    if state.count == 0:
        return math.nan
    return state.v / (1.0 - power(hp["beta2"], state.count))


def accumulator_history(
    optimizer: str | Optimizer,
    landscape: str | landscapes.Surface,
    xy: np.ndarray,
    convention: str = "pytorch",
    noise: float = 0.0,
    seed: int = 0,
    diverged_at: int | None = None,
    schedule: Schedule | str | Mapping[str, Any] | None = None,
    **hp: Any,
) -> AccumulatorHistory | None:
    """The accumulators along one recorded run (``xy`` of shape (steps+1, 2), as ``run`` returned it with these
    arguments). None for optimizers without an accumulator (SGD, momentum, Nesterov)."""
    opt, form, values = _resolve(optimizer, convention, hp)
    chosen = fields(opt, convention, values)
    if not chosen:
        return None
    points = np.asarray(xy, dtype=float)
    if points.ndim != 2 or points.shape[-1] != 2 or len(points) == 0:
        raise ValueError(f"xy must be one run's iterates, shape (steps+1, 2), got {points.shape}")
    if any(isinstance(v, np.ndarray) for v in values.values()):
        raise ValueError("accumulator_history takes scalar hyperparameters (one run)")
    surface = landscapes.get(landscape)
    steps = len(points) - 1
    keys = tuple(key for key, _, _ in chosen)
    read = _reader(keys)
    source = _make_noise(noise, seed, steps, 1)
    factors = _lr_factors(coerce(schedule), steps)
    states, grads = replay(opt, form, values, surface, points[:, None, :], read, source, factors, initial=True)
    states, grads = states[..., 0], grads[..., 0]  # (steps+1, n, 2), (steps, 2)
    with np.errstate(all="ignore"):
        grad_sq = grads * grads
    if diverged_at is not None:  # the update that left the region was not drawn; nor are its states
        states[max(int(diverged_at), 0) :] = np.nan
        grad_sq[max(int(diverged_at) - 1, 0) :] = np.nan
    states = np.where(np.isfinite(states), states, np.nan)
    grad_sq = np.where(np.isfinite(grad_sq), grad_sq, np.nan)
    series = tuple(
        Series(key, symbol, label, np.ascontiguousarray(states[:, i])) for i, (key, symbol, label) in enumerate(chosen)
    )
    return AccumulatorHistory(opt.name, convention, series, grad_sq)


def trajectory_history(
    traj: Trajectory, landscape: str | landscapes.Surface, noise: float = 0.0, seed: int = 0
) -> AccumulatorHistory | None:
    """``accumulator_history`` of a single-run Trajectory from ``run`` (pass the run's ``noise`` and ``seed``)."""
    opt = get(traj.optimizer)
    hp = {p.name: traj.hp[p.name] for p in opt.hyperparams if p.name in traj.hp}
    return accumulator_history(
        opt, landscape, traj.xy, traj.convention, noise, seed, traj.diverged_at, traj.schedule, **hp
    )
