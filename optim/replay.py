"""Replaying a recorded run: the optimizer's state after every update, read out by the caller.

One loop serves every question asked of a run's state (the denominator's terms, the accumulators'
history). It steps the rule itself (``Optimizer.init`` / ``update``) on the gradients at the recorded
iterates, with the run's noise and learning-rate schedule, so the states are exactly those behind the
drawn trajectory: a single run steps in Python floats one axis at a time, as ``run`` does, and falls
back to arrays where floats differ from NumPy (a division by zero), as ``run`` does too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np

import landscapes

from .base import Optimizer
from .runner import Reader, _at_step, _Noise


def replay(
    opt: Optimizer,
    form: Any,
    hp: dict[str, Any],
    surface: landscapes.Surface,
    points: np.ndarray,
    read: Reader,
    noise: _Noise | None = None,
    factors: Sequence[float] | None = None,
    initial: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Step ``opt`` along recorded iterates ``points`` (steps+1, B, 2) and read each state after an update.

    ``hp`` holds validated hyperparameters (scalars, or arrays of shape (B,)); ``noise`` and ``factors``
    (the schedule's factor per update) are the run's own. Returns ``values`` of shape (steps, n, 2, B),
    ``read``'s n values after each update (steps+1 rows, the initial state first, when ``initial``), and
    the gradients each update used, noise included, shape (steps, 2, B). Non-finite values pass through.
    """
    with np.errstate(all="ignore"):
        if points.shape[1] == 1 and surface.grad_pair is not None and _scalars(hp):
            with contextlib.suppress(ArithmeticError, ValueError):  # where floats differ from NumPy: arrays
                return _replay_floats(opt, form, hp, surface, points[:, 0], read, noise, factors, initial)
        return _replay_arrays(opt, form, hp, surface, points, read, noise, factors, initial)


def _scalars(hp: dict[str, Any]) -> bool:
    return all(isinstance(v, (bool, int, float)) for v in hp.values())


def _replay_arrays(opt, form, hp, surface, points, read, noise, factors, initial):
    """The replay on arrays of shape (2, B), one step at a time, as ``runner._simulate`` steps."""
    steps, batch = points.shape[0] - 1, points.shape[1]
    grads = np.empty((steps, 2, batch))
    here = points[0].T.copy()
    state = opt.init(here, hp, form)
    rows = [_stack(read(state, hp, form), here.shape)] if initial else []
    for k in range(steps):
        here = points[k].T.copy()
        g = surface.grad_xy(here[0], here[1])
        if noise is not None:
            g += noise.at(k)
        grads[k] = g
        hp_k = hp if factors is None else _at_step(hp, factors[k])
        _, state, _ = opt.update(g, state, hp_k, form)
        rows.append(_stack(read(state, hp_k, form), here.shape))
    values = np.array(rows).reshape(len(rows), -1, 2, batch)
    return values, grads


def _stack(values: Sequence[Any], shape: tuple[int, ...]) -> np.ndarray:
    return np.stack([np.broadcast_to(np.asarray(v, dtype=float), shape) for v in values])


def _replay_floats(opt, form, hp, surface, points, read, noise, factors, initial):
    """The replay of one run in Python floats, one axis at a time, as ``runner._simulate_floats`` steps.
    Raises where floats differ from NumPy (a division by zero)."""
    steps = points.shape[0] - 1
    pair = surface.grad_pair
    grads = [pair(x, y) for x, y in points[:-1].tolist()]
    if noise is not None:
        std = float(noise.std)
        shifts = noise.table[:steps, :, 0].tolist()
        grads = [(gx + std * zx, gy + std * zy) for (gx, gy), (zx, zy) in zip(grads, shifts, strict=True)]
    per_axis = []
    for axis in range(2):
        state = opt.init(float(points[0, axis]), hp, form)
        rows = [tuple(read(state, hp, form))] if initial else []
        for k in range(steps):
            hp_k = hp if factors is None else _at_step(hp, factors[k])
            _, state, _ = opt.update(grads[k][axis], state, hp_k, form)
            rows.append(tuple(read(state, hp_k, form)))
        per_axis.append(np.array(rows, dtype=float).reshape(len(rows), -1))
    values = np.stack(per_axis, axis=-1)[..., None]  # (rows, n, 2, 1)
    return values, np.array(grads, dtype=float).reshape(steps, 2, 1)
