"""Stepping optimizers on a surface: ``run`` keeps whole trajectories, ``sweep`` only O(B) summaries.

Internally points are stored component-first, shape (2, B), so x and y are contiguous and a
per-run hyperparameter of shape (B,) broadcasts against them. Divergence is a result: a run whose
iterate leaves ``surface.bounds`` or whose value becomes non-finite is frozen at its last good
point and reported in ``diverged_at`` (the index of the first bad iterate).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import landscapes
from landscapes import Surface

from .base import Optimizer
from .registry import get
from .schedules import Schedule, coerce

#: (state, hyperparameters of the update, form) -> the values to record, floats or (2, B) arrays each.
Reader = Callable[[Any, dict[str, Any], Any], Sequence[Any]]

#: Largest number of steps a run or sweep accepts.
MAX_STEPS = 1_000_000
#: Largest steps x runs a ``run`` keeps in memory (each costs about 40 bytes).
MAX_RUN_CELLS = 20_000_000
#: Configurations stepped together by ``sweep``; small enough for the working set to stay in cache.
SWEEP_CHUNK = 16_384


@dataclass(frozen=True)
class Trajectory:
    """The result of ``run``. Arrays have a batch axis after the step axis when the run is batched."""

    xy: np.ndarray  # (steps+1, 2) or (steps+1, B, 2)
    loss: np.ndarray  # (steps+1,) or (steps+1, B)
    effective_lr: np.ndarray  # (steps, 2) or (steps, B, 2)
    diverged_at: int | np.ndarray | None  # first bad iterate; None / -1 if the run stayed finite
    optimizer: str = ""
    convention: str = "pytorch"
    hp: Mapping[str, Any] = field(default_factory=dict)
    schedule: Schedule | None = None  # None: constant learning rate
    # With run_many(read=...): what ``read`` returned after each update, (steps, n, 2), NaN after the run stopped;
    # only for a single run stepped in Python floats (None otherwise: replay the run, optim.replay).
    read: np.ndarray | None = None

    @property
    def steps(self) -> int:
        return self.effective_lr.shape[0]


@dataclass(frozen=True)
class SweepResult:
    """The result of ``sweep``: one entry per configuration."""

    final_xy: np.ndarray  # (B, 2): last iterate (the last good one if the run diverged)
    final_loss: np.ndarray  # (B,)
    steps_to_tol: np.ndarray  # (B,) int: first step with loss - min_loss < tol, -1 if never
    diverged_at: np.ndarray  # (B,) int: first bad iterate, -1 if never


@dataclass(frozen=True)
class _Group:
    """Rows [start, stop) of the batch, stepped by one optimizer."""

    optimizer: Optimizer
    form: Any
    hp: dict[str, Any]
    rows: slice


# ----------------------------------------------------------------------------- validation


def _resolve(optimizer: str | Optimizer, convention: str, hp: Mapping[str, Any]) -> tuple[Optimizer, Any, dict]:
    opt = optimizer if isinstance(optimizer, Optimizer) else get(optimizer)
    values = opt.validate(hp, convention)
    return opt, opt.rule(convention).form, values


def _check_steps(steps: object) -> int:
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)):
        raise ValueError(f"steps must be a whole number, got {steps!r}")
    if not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 0 and {MAX_STEPS:,}, got {steps}")
    return int(steps)


def _start_points(surface: Surface, start: object) -> np.ndarray:
    """Start point(s) as an array of shape (B, 2), checked to lie where the surface is defined."""
    if start is None:
        start = surface.start
    try:
        points = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"start must be a point (x, y) or an array of points, got {start!r}") from None
    if points.ndim not in (1, 2) or points.shape[-1] != 2 or points.size == 0:
        raise ValueError(f"start must have shape (2,) or (B, 2), got {points.shape}")
    points = points.reshape(-1, 2)
    (x_low, x_high), (y_low, y_high) = surface.bounds
    inside = (points[:, 0] >= x_low) & (points[:, 0] <= x_high) & (points[:, 1] >= y_low) & (points[:, 1] <= y_high)
    with np.errstate(all="ignore"):
        defined = np.isfinite(surface.value(points)) & np.isfinite(surface.grad(points)).all(-1)
    bad = ~(inside & defined)
    if bad.any():
        x, y = points[np.argmax(bad)]
        raise ValueError(
            f"start ({x:g}, {y:g}) is outside the region x in [{x_low:g}, {x_high:g}], y in [{y_low:g}, {y_high:g}] "
            "or where the surface is undefined"
        )
    return points


def _batch_size(points: np.ndarray, *hps: Mapping[str, Any], extra: Sequence[object] = ()) -> int:
    sizes = {len(points)} if len(points) > 1 else set()
    for value in [v for hp in hps for v in hp.values()] + list(extra):
        if isinstance(value, np.ndarray) and value.ndim == 1:
            sizes.add(len(value))
    if len(sizes) > 1:
        raise ValueError(f"batched arguments disagree in length: {sorted(sizes)}")
    return sizes.pop() if sizes else 1


def _per_run(value: object, name: str, low: float) -> float | np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim > 1 or not np.isfinite(array).all() or (array < low).any():
        raise ValueError(f"{name} must be a number >= {low:g} or a 1-D array of them, got {value!r}")
    return float(array) if array.ndim == 0 else array


def _seeds(seed: object) -> int | np.ndarray:
    array = np.asarray(seed)
    if array.dtype.kind not in "iu" or array.ndim > 1 or (array < 0).any():
        raise ValueError(f"seed must be a non-negative whole number or a 1-D array of them, got {seed!r}")
    return int(array) if array.ndim == 0 else array


# ----------------------------------------------------------------------------- noise


class _Noise:
    """Seeded Gaussian gradient noise. Every run with the same seed sees the same sequence, so
    several optimizers in one view (and every cell of a sweep) are compared on equal terms."""

    def __init__(self, std: float | np.ndarray, seed: int | np.ndarray, steps: int, batch: int):
        self.std = std
        if isinstance(seed, int):
            self.table = np.random.default_rng(seed).standard_normal((steps, 2, 1))
            self.column = None
        else:
            unique, self.column = np.unique(np.broadcast_to(seed, (batch,)), return_inverse=True)
            self.table = np.stack([np.random.default_rng(int(s)).standard_normal((steps, 2)) for s in unique], -1)

    def at(self, step: int, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        z = self.table[step] if self.column is None else self.table[step][:, self.column[rows]]
        std = self.std if isinstance(self.std, float) else self.std[rows]
        return std * z


def _make_noise(noise: object, seed: object, steps: int, batch: int, repeat: int = 1) -> _Noise | None:
    """Noise for ``repeat`` groups of ``batch`` runs each (per-run values repeat across groups)."""
    std = _per_run(noise, "noise", 0.0)
    seeds = _seeds(seed)
    if isinstance(std, float) and std == 0.0:
        return None
    if isinstance(std, np.ndarray):
        std = np.tile(np.broadcast_to(std, (batch,)), repeat)
    if isinstance(seeds, np.ndarray):
        seeds = np.tile(np.broadcast_to(seeds, (batch,)), repeat)
    return _Noise(std, seeds, steps, batch * repeat)


# ----------------------------------------------------------------------------- run


def _expand(hp: dict[str, Any], batch: int) -> dict[str, Any]:
    """Per-run arrays must match the batch; scalars stay scalars (cheaper to broadcast). The arrays are the run's
    own copies, read-only, so ``_ops.power`` may take each one's distinct values apart once per run."""
    return {k: _frozen_copy(v, batch) if isinstance(v, np.ndarray) else v for k, v in hp.items()}


def _frozen_copy(value: np.ndarray, batch: int) -> np.ndarray:
    array = np.broadcast_to(value, (batch,)).copy()
    array.flags.writeable = False
    return array


def _lr_factors(schedule: Schedule | None, steps: int) -> list[float] | None:
    """The schedule's factor for each update (Python floats, so a scalar lr stays a float), or None."""
    return None if schedule is None else schedule.factors(steps).tolist()


def _at_step(hp: dict[str, Any], factor: float) -> dict[str, Any]:
    """Hyperparameters of one update: the scheduled lr enters each rule where the framework puts lr."""
    return {**hp, "lr": hp["lr"] * factor}


def _simulate(
    groups: list[_Group],
    surface: Surface,
    start: np.ndarray,
    steps: int,
    noise: _Noise | None,
    factors: list[float] | None = None,
):
    """Step every group together; returns iterates (steps+1, 2, B) and effective lrs (steps, 2, B)."""
    batch = start.shape[1]
    xy = np.empty((steps + 1, 2, batch))
    scales = np.empty((steps, 2, batch))
    xy[0] = start
    states = [g.optimizer.init(start[:, g.rows], g.hp, g.form) for g in groups]
    # Per-group views, sliced once: (updates, form, hp, rows of the gradient, iterates, scales).
    plan = [(g.optimizer.update, g.form, g.hp, g.rows, xy[:, :, g.rows], scales[:, :, g.rows]) for g in groups]
    single = len(groups) == 1
    with np.errstate(all="ignore"):
        for k in range(steps):
            here = xy[k]
            grads = surface.grad_xy(here[0], here[1])
            if noise is not None:
                grads += noise.at(k)
            for i, (update, form, hp, rows, points, scale_out) in enumerate(plan):
                if factors is not None:
                    hp = _at_step(hp, factors[k])
                step, states[i], scale = update(grads if single else grads[:, rows], states[i], hp, form)
                np.add(points[k], step, out=points[k + 1])
                scale_out[k] = scale()
    return xy, scales


def _simulate_floats(
    groups: list[_Group],
    surface: Surface,
    start: np.ndarray,
    steps: int,
    noise: _Noise | None,
    factors: list[float] | None = None,
    read: Reader | None = None,
):
    """``_simulate`` for runs of one configuration each, stepped in Python floats one axis at a time.

    For a handful of runs NumPy's per-call overhead dominates; every rule is per-axis and floats give
    the same IEEE results as arrays (``_ops``), so this returns exactly what ``_simulate`` would, 2-4x
    faster. A run stops being stepped once its iterate leaves the box (``_finish`` freezes it there
    anyway). Raises ArithmeticError or ValueError where Python floats differ from NumPy (a division by
    zero, an overflowing power); the caller then uses ``_simulate``. With ``read``, also returns what it read
    of each state after each update (as ``optim.replay`` would along the returned path), (steps, n, 2, runs).
    """
    pair = surface.grad_pair
    (x_low, x_high), (y_low, y_high) = surface.bounds
    if noise is None:
        shifts = None
    else:
        std = float(noise.std)
        shifts = [(std * zx, std * zy) for zx, zy in noise.table[:steps, :, 0].tolist()]
    xy = np.empty((steps + 1, 2, len(groups)))
    scales = np.empty((steps, 2, len(groups)))
    recorded = []
    for i, group in enumerate(groups):
        init, update, form, hp = group.optimizer.init, group.optimizer.update, group.form, group.hp
        x, y = (float(v) for v in start[:, i])
        state_x, state_y = init(x, hp, form), init(y, hp, form)
        xs, ys, lr_x, lr_y = [x], [y], [], []
        read_x: list = []
        read_y: list = []
        for k in range(steps):
            gx, gy = pair(x, y)
            if shifts is not None:
                gx, gy = gx + shifts[k][0], gy + shifts[k][1]
            hp_k = hp if factors is None else _at_step(hp, factors[k])
            dx, state_x, scale_x = update(gx, state_x, hp_k, form)
            dy, state_y, scale_y = update(gy, state_y, hp_k, form)
            if read is not None:
                read_x.append(tuple(read(state_x, hp_k, form)))
                read_y.append(tuple(read(state_y, hp_k, form)))
            x, y = x + dx, y + dy
            xs.append(x)
            ys.append(y)
            lr_x.append(scale_x())
            lr_y.append(scale_y())
            if not (x_low <= x <= x_high and y_low <= y <= y_high):
                break
        done = len(xs)
        xy[:done, 0, i], xy[:done, 1, i] = xs, ys
        xy[done:, :, i] = xy[done - 1, :, i]  # past the box: frozen by _finish
        scales[: done - 1, 0, i], scales[: done - 1, 1, i] = lr_x, lr_y
        scales[done - 1 :, :, i] = 0.0
        if read is not None:
            recorded.append(_padded([read_x, read_y], steps))
    return xy, scales, (np.stack(recorded, axis=-1) if read is not None else None)


def _padded(per_axis: list[list[tuple]], steps: int) -> np.ndarray:
    """What was read after each update of one run, per axis, as (steps, n, 2): NaN after the run stopped."""
    taken = len(per_axis[0])
    width = len(per_axis[0][0]) if taken else 1
    out = np.full((steps, width, 2), np.nan)
    for axis, rows in enumerate(per_axis):
        if taken:
            out[:taken, :, axis] = np.array(rows, dtype=float).reshape(taken, width)
    return out


def _one_config_each(groups: list[_Group], surface: Surface, batch: int, noise: _Noise | None) -> bool:
    """True when ``_simulate_floats`` applies: one run per group, scalar hyperparameters and noise."""
    return (
        batch == 1
        and surface.grad_pair is not None
        and all(isinstance(v, (bool, int, float)) for g in groups for v in g.hp.values())
        and (noise is None or (noise.column is None and isinstance(noise.std, float)))
    )


def _finish(surface: Surface, xy: np.ndarray, scales: np.ndarray):
    """Loss, divergence and freezing; returns xy (steps+1, B, 2), loss, effective lr (steps, B, 2), diverged_at."""
    (x_low, x_high), (y_low, y_high) = surface.bounds
    x, y = xy[:, 0], xy[:, 1]
    with np.errstate(all="ignore"):
        loss = surface.value_xy(x, y)
        bad = ~(np.isfinite(loss) & (x >= x_low) & (x <= x_high) & (y >= y_low) & (y <= y_high))
    diverged = bad.any(0)
    diverged_at = np.where(diverged, bad.argmax(0), -1)
    points = xy.transpose(0, 2, 1)
    effective_lr = np.where(np.isfinite(scales), scales, 0.0).transpose(0, 2, 1)
    points, effective_lr = np.ascontiguousarray(points), np.ascontiguousarray(effective_lr)
    # Freeze each diverged run at its last good iterate (index diverged_at - 1; a run bad from the start takes its
    # last row) and zero its effective lr from that update on: run by run, as only a few of a batch diverge.
    for b in np.flatnonzero(diverged).tolist():
        last_good = int(diverged_at[b]) - 1
        points[last_good + 1 :, b] = points[last_good, b].copy()
        loss[last_good + 1 :, b] = loss[last_good, b]
        effective_lr[max(last_good, 0) :, b] = 0.0
    return points, loss, effective_lr, diverged_at


def run(
    optimizer: str | Optimizer,
    landscape: str | Surface,
    start: object = None,
    steps: int = 200,
    convention: str = "pytorch",
    noise: float | np.ndarray = 0.0,
    seed: int | np.ndarray = 0,
    schedule: Schedule | str | Mapping[str, Any] | None = None,
    **hp: Any,
) -> Trajectory:
    """Run ``optimizer`` on ``landscape`` from ``start`` (default: the surface's story start).

    Batched when ``start`` has shape (B, 2) or any hyperparameter, ``noise`` or ``seed`` is a 1-D
    array of length B: then arrays gain a batch axis after the step axis and ``diverged_at`` is an
    int array (-1 for runs that stayed finite). ``schedule`` (see ``optim.schedules``; None is a
    constant lr) makes update t use ``lr * factor(t)``; ``effective_lr`` includes it. Raises
    ValueError on invalid arguments.
    """
    return run_many([(optimizer, hp)], landscape, start, steps, convention, noise, seed, schedule)[0]


def run_many(
    entries: Sequence[tuple[str | Optimizer, Mapping[str, Any]]],
    landscape: str | Surface,
    start: object = None,
    steps: int = 200,
    convention: str = "pytorch",
    noise: float | np.ndarray = 0.0,
    seed: int | np.ndarray = 0,
    schedule: Schedule | str | Mapping[str, Any] | None = None,
    read: Reader | None = None,
) -> list[Trajectory]:
    """Run several (optimizer, hyperparameters) entries from the same start(s) in one pass.

    The gradient of every run is evaluated in one call per step; each optimizer updates its own
    rows. All entries see the same noise sequence and the same learning-rate ``schedule``.
    Returns one Trajectory per entry. ``read`` (a function of an optimizer's state after an update, as
    ``optim.replay`` takes) is recorded in ``Trajectory.read`` when the runs step in Python floats.
    """
    surface = landscapes.get(landscape)
    steps = _check_steps(steps)
    schedule = coerce(schedule)
    points = _start_points(surface, start)
    resolved = [_resolve(opt, convention, hp) for opt, hp in entries]
    if not resolved:
        return []
    batch = _batch_size(points, *(values for _, _, values in resolved), extra=(np.asarray(noise), np.asarray(seed)))
    if (steps + 1) * batch * len(resolved) > MAX_RUN_CELLS:
        raise ValueError(f"{steps:,} steps x {batch * len(resolved):,} runs is too large to keep; use sweep()")
    groups, starts = [], []
    for i, (opt, form, values) in enumerate(resolved):
        groups.append(_Group(opt, form, _expand(values, batch), slice(i * batch, (i + 1) * batch)))
        starts.append(np.broadcast_to(points, (batch, 2)))
    start_all = np.concatenate(starts).T.copy()
    noise_source = _make_noise(noise, seed, steps, batch, repeat=len(groups))
    factors = _lr_factors(schedule, steps)
    xy = recorded = None
    if _one_config_each(groups, surface, batch, noise_source):
        with np.errstate(all="ignore"), contextlib.suppress(ArithmeticError, ValueError):
            xy, scales, recorded = _simulate_floats(groups, surface, start_all, steps, noise_source, factors, read)
    if xy is None:
        xy, scales = _simulate(groups, surface, start_all, steps, noise_source, factors)
    points_out, loss, effective_lr, diverged_at = _finish(surface, xy, scales)

    batched = np.ndim(start if start is not None else surface.start) == 2 or any(
        np.ndim(v) == 1 for v in [noise, seed, *(v for _, _, values in resolved for v in values.values())]
    )
    results = []
    for group, (opt, _, values) in zip(groups, resolved, strict=True):
        rows = group.rows
        traj_xy, traj_loss, traj_lr, traj_div = (
            points_out[:, rows],
            loss[:, rows],
            effective_lr[:, rows],
            diverged_at[rows],
        )
        if not batched:
            traj_xy, traj_loss, traj_lr = traj_xy[:, 0], traj_loss[:, 0], traj_lr[:, 0]
            traj_div = None if traj_div[0] < 0 else int(traj_div[0])
        own = None if recorded is None else recorded[..., rows][..., 0]  # floats: one run per group
        results.append(Trajectory(traj_xy, traj_loss, traj_lr, traj_div, opt.name, convention, values, schedule, own))
    return results


# ----------------------------------------------------------------------------- sweep


def _take(value: Any, keep: np.ndarray, width: int) -> Any:
    """Keep the surviving runs of a per-run array (last axis of length ``width``); leave the rest."""
    if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[-1] == width:
        return value[..., keep]
    return value


def sweep(
    optimizer: str | Optimizer,
    landscape: str | Surface,
    start: object = None,
    steps: int = 1000,
    tol: float = 1e-6,
    convention: str = "pytorch",
    noise: float | np.ndarray = 0.0,
    seed: int | np.ndarray = 0,
    schedule: Schedule | str | Mapping[str, Any] | None = None,
    **hp: Any,
) -> SweepResult:
    """Run many configurations (hyperparameters and/or starts as arrays), keeping O(B) memory.

    Returns the final point and loss, the first step at which ``loss - min_loss < tol`` (-1 if
    never, or if the surface has no known minimum) and ``diverged_at`` (-1 if never). Every
    configuration follows the same learning-rate ``schedule`` (as in ``run``).
    """
    surface = landscapes.get(landscape)
    steps = _check_steps(steps)
    factors = _lr_factors(coerce(schedule), steps)
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    points = _start_points(surface, start)
    opt, form, values = _resolve(optimizer, convention, hp)
    batch = _batch_size(points, values, extra=(np.asarray(noise), np.asarray(seed)))
    values = _expand(values, batch)
    points = np.broadcast_to(points, (batch, 2))
    noise_source = _make_noise(noise, seed, steps, batch)

    final_xy = np.empty((batch, 2))
    final_loss = np.empty(batch)
    steps_to_tol = np.full(batch, -1, dtype=np.int64)
    diverged_at = np.full(batch, -1, dtype=np.int64)
    target = None if surface.min_value is None else surface.min_value + tol
    (x_low, x_high), (y_low, y_high) = surface.bounds
    low, high = np.array([[x_low], [y_low]]), np.array([[x_high], [y_high]])

    with np.errstate(all="ignore"):
        for first in range(0, batch, SWEEP_CHUNK):
            rows = np.arange(first, min(batch, first + SWEEP_CHUNK))
            hp_chunk = {k: _take(v, rows, batch) for k, v in values.items()}
            here = points[rows].T.copy()
            state = opt.init(here, hp_chunk, form)
            threshold = np.full(len(rows), -np.inf if target is None else target)
            previous = previous_loss = None
            for k in range(steps + 1):
                loss, grads = surface.value_and_grad_xy(here[0], here[1])
                if k > 0:
                    in_box = (here.min(axis=1) >= low[:, 0]).all() and (here.max(axis=1) <= high[:, 0]).all()
                    if not (in_box and np.isfinite(loss.sum())):
                        # Freeze the runs whose iterate k is bad at iterate k - 1 and drop them.
                        bad = ~(np.isfinite(loss) & ((here >= low) & (here <= high)).all(0))
                        gone = rows[bad]
                        diverged_at[gone] = k
                        final_xy[gone] = previous[:, bad].T
                        final_loss[gone] = previous_loss[bad]
                        keep, width = ~bad, len(rows)
                        here, loss, grads, threshold, rows = (
                            here[:, keep],
                            loss[keep],
                            grads[:, keep],
                            threshold[keep],
                            rows[keep],
                        )
                        state = type(state)(*(_take(v, keep, width) for v in state))
                        hp_chunk = {name: _take(v, keep, width) for name, v in hp_chunk.items()}
                        if len(rows) == 0:
                            break
                hit = loss < threshold
                if hit.any():
                    steps_to_tol[rows[hit]] = k
                    threshold[hit] = -np.inf
                if k == steps:
                    break
                if noise_source is not None:
                    grads += noise_source.at(k, rows)
                hp_step = hp_chunk if factors is None else _at_step(hp_chunk, factors[k])
                step, state, _ = opt.update(grads, state, hp_step, form)
                previous, previous_loss = here, loss
                here = here + step
            final_xy[rows] = here.T
            final_loss[rows] = loss
    return SweepResult(final_xy, final_loss, steps_to_tol, diverged_at)
