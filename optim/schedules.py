"""Learning-rate schedules: the factor that multiplies the base learning rate at each step.

Convention (the one PyTorch, Keras and Optax share): update ``t`` (0-based, so ``t = 0`` is the
first update) uses ``lr * factor(t)``.

* PyTorch: ``scheduler.step()`` runs after ``optimizer.step()``; constructing the scheduler sets the
  lr for update 0, so update ``t`` uses the scheduler's value at ``last_epoch = t``.
* Keras 3: a ``LearningRateSchedule`` is called with ``optimizer.iterations``, 0 for the first update.
* Optax: ``scale_by_learning_rate(schedule)`` calls the schedule with its count, 0 for the first update.

Kinds (``warmup`` and ``warmup_start`` combine with every kind):

* ``constant``: 1.
* ``step``: ``gamma ** (t // every)`` (torch StepLR, Keras/Optax exponential decay with staircase).
* ``exponential``: ``gamma ** t`` (torch ExponentialLR, Keras ExponentialDecay with decay_steps=1).
* ``cosine``: ``(1 - floor) * 0.5 * (1 + cos(pi * min(t, T) / T)) + floor``: from 1 down to ``floor``
  over ``T`` steps, then held there (Keras CosineDecay, Optax cosine_decay_schedule; torch's
  CosineAnnealingLR would climb back up after ``T_max``).
* linear warm-up over ``W = warmup`` steps: for ``t < W`` the factor is
  ``warmup_start + (1 - warmup_start) * t / W``; afterwards the kind above runs with its own clock
  ``t - W`` (torch SequentialLR, Keras CosineDecay's warmup_steps, Optax join_schedules).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Largest step count a schedule parameter accepts (the runner's own step limit).
MAX_LENGTH = 1_000_000


@dataclass(frozen=True)
class ScheduleParam:
    """One schedule parameter: its range, default and meaning (UI, URL and validation use this)."""

    name: str
    label: str
    default: float | int
    low: float
    high: float
    help: str
    integer: bool = False
    low_open: bool = False


PARAMS: dict[str, ScheduleParam] = {
    p.name: p
    for p in (
        ScheduleParam("gamma", "decay factor γ", 0.5, 0.0, 1.0, "Multiplies the learning rate at each decay.",
                      low_open=True),
        ScheduleParam("every", "decay every N steps", 100, 1, MAX_LENGTH, "Steps between two decays.", integer=True),
        ScheduleParam("T", "decay steps T", 500, 1, MAX_LENGTH, "Steps from the full rate down to the floor.",
                      integer=True),
        ScheduleParam("floor", "floor (fraction of lr)", 0.0, 0.0, 1.0, "Where the cosine ends, as a fraction of lr."),
        ScheduleParam("warmup", "warm-up steps W", 0, 0, MAX_LENGTH, "Linear warm-up before the schedule starts.",
                      integer=True),
        ScheduleParam("warmup_start", "warm-up start (fraction of lr)", 0.0, 0.0, 1.0,
                      "The learning rate of the first update, as a fraction of lr."),
    )
}  # fmt: skip

WARMUP_PARAMS = ("warmup", "warmup_start")
#: Each kind and the parameters it takes (besides the warm-up ones, which every kind takes).
KINDS: dict[str, tuple[str, ...]] = {
    "constant": (),
    "step": ("every", "gamma"),
    "exponential": ("gamma",),
    "cosine": ("T", "floor"),
}
LABELS = {"constant": "constant", "step": "step decay", "exponential": "exponential decay", "cosine": "cosine decay"}
#: Defaults that differ by kind (exponential decays per step, so its gamma sits near 1).
KIND_DEFAULTS: dict[str, dict[str, float]] = {"exponential": {"gamma": 0.99}}


def param_names(kind: str) -> tuple[str, ...]:
    """The parameters ``kind`` takes, warm-up included."""
    _check_kind(kind)
    return KINDS[kind] + WARMUP_PARAMS


def defaults(kind: str) -> dict[str, float | int]:
    return {name: KIND_DEFAULTS.get(kind, {}).get(name, PARAMS[name].default) for name in param_names(kind)}


def _check_kind(kind: object) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown schedule {kind!r}; known schedules: {', '.join(KINDS)}")


def _check_value(p: ScheduleParam, value: object) -> float | int:
    if isinstance(value, (bool, np.bool_, str, bytes)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"schedule parameter {p.name} must be a number, got {value!r}")
    if p.integer:
        if not float(value).is_integer():
            raise ValueError(f"schedule parameter {p.name} must be a whole number, got {value!r}")
        value = int(value)
    else:
        value = float(value)
    too_low = value <= p.low if p.low_open else value < p.low
    if not math.isfinite(value) or too_low or value > p.high:
        bound = f"greater than {p.low:g}" if p.low_open else f"at least {p.low:g}"
        raise ValueError(f"schedule parameter {p.name} must be {bound} and at most {p.high:g}, got {value!r}")
    return value


def validate(kind: str, params: Mapping[str, Any]) -> dict[str, float | int]:
    """``params`` checked for ``kind`` and completed with defaults; ValueError on anything else."""
    _check_kind(kind)
    allowed = param_names(kind)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"the {kind} schedule takes no {', '.join(unknown)}; it takes {', '.join(allowed)}")
    values = defaults(kind)
    values.update({name: _check_value(PARAMS[name], value) for name, value in params.items()})
    return values


def _decay(kind: str, t: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    """The kind's own factor at its clock ``t`` (float array, t >= 0)."""
    if kind == "constant":
        return np.ones_like(t)
    if kind == "step":
        return np.power(p["gamma"], np.floor_divide(t, p["every"]))
    if kind == "exponential":
        return np.power(p["gamma"], t)
    floor, length = p["floor"], float(p["T"])
    return (1.0 - floor) * (0.5 * (1.0 + np.cos((math.pi * np.minimum(t, length)) / length))) + floor


def factor(kind: str, t: object, **params: Any) -> np.ndarray:
    """The factor multiplying the base learning rate at update ``t`` (0 = the first update).

    ``t`` is a whole number or an array of them (>= 0); returns a float array of ``t``'s shape.
    Raises ValueError for an unknown kind, a parameter the kind does not take, or a value out of range.
    """
    p = validate(kind, params)
    steps = np.asarray(t)
    if steps.dtype.kind not in "iu" and not (steps.dtype.kind == "f" and np.all(np.mod(steps, 1) == 0)):
        raise ValueError(f"t must be whole step counts, got {t!r}")
    if np.any(steps < 0):
        raise ValueError("t must be >= 0 (t = 0 is the first update)")
    steps = steps.astype(float)
    warmup, start = p["warmup"], p["warmup_start"]
    if warmup == 0:
        return _decay(kind, steps, p)
    ramp = start + (1.0 - start) * (steps / warmup)
    return np.where(steps < warmup, ramp, _decay(kind, np.maximum(steps - warmup, 0.0), p))


@dataclass(frozen=True)
class Schedule:
    """A validated schedule (hashable, so it can key caches). Build it with ``Schedule.make``."""

    kind: str = "constant"
    params: tuple[tuple[str, float | int], ...] = ()

    @classmethod
    def make(cls, kind: str = "constant", **params: Any) -> Schedule:
        return cls(kind, tuple(sorted(validate(kind, params).items())))

    def __post_init__(self) -> None:
        values = validate(self.kind, dict(self.params))
        object.__setattr__(self, "params", tuple(sorted(values.items())))

    def values(self) -> dict[str, float | int]:
        return dict(self.params)

    def is_constant(self) -> bool:
        """True if every factor is 1 (the constant schedule without warm-up)."""
        return self.kind == "constant" and self.values()["warmup"] == 0

    def factors(self, steps: int) -> np.ndarray:
        """Factors of updates 0 .. steps-1."""
        return factor(self.kind, np.arange(steps), **self.values())

    def describe(self) -> str:
        """A short label, e.g. 'cosine decay (T=500, floor=0) after a 20-step warm-up'."""
        v = self.values()
        own = ", ".join(f"{name}={v[name]:g}" for name in KINDS[self.kind])
        text = LABELS[self.kind] + (f" ({own})" if own else "")
        if v["warmup"]:
            text += f" after a {v['warmup']}-step warm-up from {v['warmup_start']:g}·lr"
        return text


def coerce(schedule: Schedule | str | Mapping[str, Any] | None) -> Schedule | None:
    """``schedule`` as a Schedule, or None when it is constant (so the runner can skip it).

    Accepts a Schedule, a kind name (default parameters) or a mapping {"kind": ..., params...}."""
    if schedule is None:
        return None
    if isinstance(schedule, str):
        schedule = Schedule.make(schedule)
    elif isinstance(schedule, Mapping):
        params = dict(schedule)
        schedule = Schedule.make(params.pop("kind", "constant"), **params)
    elif not isinstance(schedule, Schedule):
        raise ValueError(f"schedule must be a Schedule, a kind name or a mapping, got {schedule!r}")
    return None if schedule.is_constant() else schedule
