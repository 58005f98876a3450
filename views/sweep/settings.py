"""SweepSettings: a frozen, validated description of one Sweep page view, and its URL form.

A sweep runs one optimizer over a grid of two hyperparameters (the axes); every other
hyperparameter is fixed. ``SweepJob`` is what is computed (and keys the caches); the rest of
``SweepSettings`` only changes what is shown. ``from_query`` never raises: it returns the nearest
valid settings and a warning for each fix (the surface, start, steps, tolerance and fixed
hyperparameters are parsed by ``Scenario.from_query``, so they follow the Playground's rules).

URL parameters (all optional; see README):
    surface=rosenbrock  rosenbrock.b=100  conv=pytorch  start=-1.2,1  steps=1000  tol=1e-06
    opt=rmsprop  rmsprop.eps=1e-08 ...                  the optimizer and its fixed hyperparameters
    x=lr  xmin=0.0001  xmax=1  nx=100  xscale=log       the x axis (scale: linear, log, log1m)
    y=rho ymin=0  ymax=0.9999  ny=100  yscale=log1m     the y axis (y=none: a single row)
    metric=loss|steps|diverged  cell=12,40  cmp=sgd,momentum,rmsprop,adam  best=steps|loss  present=1
    sched=cosine  sched.T=500 ...                       a learning-rate schedule for every run (the Scenario's)
    noise=0.1  seed=0                                    gradient noise: every cell sees the same sequence
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

import optim
from analysis.decimals import short_grid, tidy
from optim import HyperParam
from views.common import presets
from views.common.query import flat, parse_integer, parse_number
from views.common.run_spec import Items, RunSpec, SurfaceKey
from views.common.scenario import IGNORED_KEYS, Scenario

MAX_RESOLUTION = 200
MIN_RESOLUTION = 2
DEFAULT_RESOLUTION = 100
DEFAULT_SURFACE = "rosenbrock"
DEFAULT_OPTIMIZER = "rmsprop"
DEFAULT_COMPARE = ("sgd", "momentum", "rmsprop", "adam")
#: How to space an axis: evenly, evenly in log10(v), or evenly in log10(1 - v) (0.9, 0.99, 0.999, ...).
SCALES = {"linear": "linear", "log": "log", "log1m": "log of 1 − value"}
METRICS = {"loss": "final loss", "steps": "steps to tolerance", "diverged": "diverged or not"}
CRITERIA = {"steps": "fewest steps to tolerance", "loss": "lowest final loss"}
#: Decay rates: their interesting values crowd near 1, so they default to the log1m scale.
DECAY_NAMES = {"rho", "beta1", "beta2", "momentum"}
#: Keys that ``Scenario.from_query`` reads for us (plus "<surface>.*", "<optimizer>.*" and "sched.*").
SCENARIO_KEYS = {"surface", "conv", "start", "steps", "tol", "present", "opt", "sched", "noise", "seed"}
AXIS_KEYS = {f"{a}{k}" for a in "xy" for k in ("", "min", "max", "scale")} | {"nx", "ny"}
OWN_KEYS = AXIS_KEYS | {"metric", "cell", "cmp", "best"}


def _fmt(value: float) -> str:
    return repr(float(value))


def numeric_hyperparams(optimizer: str) -> list[HyperParam]:
    """The hyperparameters that can be an axis (every number; flags stay fixed)."""
    return [p for p in optim.get(optimizer).hyperparams if p.kind == "float"]


def scales_for(p: HyperParam) -> list[str]:
    """The spacings that make sense for ``p``, the default first."""
    low, high = p.slider_range
    if p.log:
        return ["log", "linear"]
    if low >= 0.0 and high < 1.0 and p.name in DECAY_NAMES:
        return ["log1m", "linear"]
    return ["linear"]


def default_range(p: HyperParam) -> tuple[float, float]:
    low, high = p.slider_range
    if p.name == "lr":
        return max(low, 1e-4), min(high, max(1.0, 10 * float(p.default)))
    return low, high


# ----------------------------------------------------------------------------- axes


@dataclass(frozen=True)
class Axis:
    """One axis of the grid: which hyperparameter, its range, how many values, how spaced."""

    name: str
    low: float
    high: float
    count: int
    scale: str = "linear"

    def __post_init__(self) -> None:
        object.__setattr__(self, "low", tidy(self.low))
        object.__setattr__(self, "high", tidy(self.high))

    def values(self) -> np.ndarray:
        """The axis' values, spaced by its scale, each a short decimal (``short_grid``: a cell's lr is 0.0811,
        not 0.08111308307896872, in the sweep and in the link that opens it in the Playground)."""
        return _axis_values(self.low, self.high, self.count, self.scale)

    @classmethod
    def default(cls, p: HyperParam, count: int = DEFAULT_RESOLUTION) -> Axis:
        low, high = default_range(p)
        return cls(p.name, low, high, count, scales_for(p)[0])


@functools.lru_cache(maxsize=256)
def _axis_values(low: float, high: float, count: int, scale: str) -> np.ndarray:
    if scale == "log":
        values = np.geomspace(low, high, count)
    elif scale == "log1m":
        values = 1.0 - np.geomspace(1.0 - low, 1.0 - high, count)
    else:
        values = np.linspace(low, high, count)
    values = short_grid(values)
    values.flags.writeable = False  # shared by every caller (cached)
    return values


def axis_range(p: HyperParam, scale: str) -> tuple[float, float]:
    """The range an axis of ``p`` spaced by ``scale`` has when a link does not give one."""
    default = Axis.default(p)
    if scale == default.scale:
        return default.low, default.high
    low, high = p.slider_range
    return (max(low, 1e-12) if scale == "log" else low), high


def fit_axis(
    p: HyperParam, low: object, high: object, count: object, scale: object, what: str
) -> tuple[Axis, list[str]]:
    """The nearest valid axis for ``p`` to the values given, and a warning for each fix."""
    warnings: list[str] = []
    if scale not in scales_for(p):
        if scale is not None:
            warnings.append(f"{what}: spacing {scale!r} does not suit {p.name}; using {scales_for(p)[0]}.")
        scale = scales_for(p)[0]
    bound_low, bound_high = p.slider_range
    if scale == "log":
        bound_low = max(bound_low, 1e-12)

    def number(value: object, fallback: float, end: str) -> float:
        return parse_number(value, fallback, bound_low, bound_high, f"{what} {end}", warnings, positive=scale == "log")

    default_low, default_high = axis_range(p, str(scale))
    lo, hi = number(low, default_low, "from"), number(high, default_high, "to")
    if lo > hi:
        warnings.append(f"{what}: the range {lo:g} … {hi:g} is reversed; swapped.")
        lo, hi = hi, lo
    if lo == hi:
        warnings.append(f"{what}: the range {lo:g} … {hi:g} is empty; using {default_low:g} … {default_high:g}.")
        lo, hi = default_low, default_high

    n = parse_integer(count, DEFAULT_RESOLUTION, MIN_RESOLUTION, MAX_RESOLUTION, f"{what} resolution", warnings)
    return Axis(p.name, lo, hi, n, str(scale)), warnings


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class SweepJob:
    """What a sweep computes: hashable, so it keys the caches."""

    surface: str
    surface_params: Items
    optimizer: str
    convention: str
    start: tuple[float, float]
    steps: int
    tol: float
    x: Axis
    y: Axis | None  # None: the optimizer has a single number to sweep (SGD's lr)
    fixed: Items  # every hyperparameter that is not an axis
    schedule: optim.Schedule | None = None  # one learning-rate schedule for every cell; None = constant
    noise: float = 0.0  # gradient noise (std); every cell sees the same sequence, that of ``seed``
    seed: int = 0

    def __post_init__(self) -> None:
        """Numbers within float noise of a short decimal become it (as in a Scenario)."""
        set_ = object.__setattr__
        set_(self, "start", (tidy(self.start[0]), tidy(self.start[1])))
        set_(self, "fixed", tuple((k, tidy(v) if isinstance(v, float) else v) for k, v in self.fixed))
        set_(self, "tol", tidy(self.tol))
        set_(self, "noise", tidy(self.noise))

    @property
    def surface_key(self) -> SurfaceKey:
        return (self.surface, self.surface_params)

    def run_spec(self, optimizer: str, hp: Mapping[str, Any] | Items) -> RunSpec:
        """One run of ``optimizer`` with ``hp`` under this job's surface, start, steps, noise and schedule."""
        return RunSpec.of(self, optimizer, dict(hp))

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns): y values down, x values across."""
        return (1 if self.y is None else self.y.count, self.x.count)

    @property
    def cells(self) -> int:
        rows, cols = self.shape
        return rows * cols

    def grid_hp(self) -> dict[str, Any]:
        """Hyperparameters of every cell, flattened row by row (cell (i, j) is number j * nx + i)."""
        rows, cols = self.shape
        hp: dict[str, Any] = dict(self.fixed)
        hp[self.x.name] = np.tile(self.x.values(), rows)
        if self.y is not None:
            hp[self.y.name] = np.repeat(self.y.values(), cols)
        return hp

    def cell_hp(self, i: int, j: int) -> dict[str, Any]:
        """Hyperparameters of cell (column i, row j), exactly as the sweep used them."""
        hp: dict[str, Any] = dict(self.fixed)
        hp[self.x.name] = float(self.x.values()[i])
        if self.y is not None:
            hp[self.y.name] = float(self.y.values()[j])
        return hp

    def scenario(self, hp: Mapping[str, Any] | None = None, present: bool = False) -> Scenario:
        """The Playground view of this job's optimizer with ``hp`` (default: the fixed values plus
        the axes' defaults)."""
        values = presets.default_hp(self.surface, self.optimizer) | dict(self.fixed) | dict(hp or {})
        return Scenario(
            surface=self.surface,
            surface_params=self.surface_params,
            optimizers=(self.optimizer,),
            hyperparams=((self.optimizer, tuple(sorted(values.items()))),),
            convention=self.convention,
            start=self.start,
            steps=self.steps,
            tol=self.tol,
            present=present,
            schedule=self.schedule,
            noise=self.noise,
            seed=self.seed,
        )


@dataclass(frozen=True)
class SweepSettings:
    """Everything the Sweep page shows: the job plus view choices (none of which recompute it)."""

    job: SweepJob
    metric: str = "loss"
    cell: tuple[int, int] | None = None  # (column, row) picked by the user; None: the best cell
    compare: tuple[str, ...] = DEFAULT_COMPARE
    best: str = "steps"
    present: bool = False

    def with_changes(self, **changes: Any) -> SweepSettings:
        return replace(self, **changes)

    def cell_scenario(self, i: int, j: int) -> Scenario:
        return self.job.scenario(self.job.cell_hp(i, j), self.present)

    # ------------------------------------------------------------------ defaults

    @classmethod
    def default(cls, surface: str = DEFAULT_SURFACE, optimizer: str = DEFAULT_OPTIMIZER) -> SweepSettings:
        return cls.from_scenario(Scenario.default(surface), optimizer).with_changes(compare=DEFAULT_COMPARE)

    @classmethod
    def from_scenario(cls, scenario: Scenario, optimizer: str | None = None) -> SweepSettings:
        """Settings seeded from a Playground view: its surface, start, steps, convention, tolerance, noise;
        RMSProp (or its first optimizer) with its hyperparameters; its optimizers for the comparison."""
        if optimizer is None:
            shown = scenario.optimizers
            optimizer = DEFAULT_OPTIMIZER if DEFAULT_OPTIMIZER in shown or not shown else shown[0]
        hp = presets.default_hp(scenario.surface, optimizer) | scenario.hp(optimizer)
        x, y = default_axes(optimizer)
        axes = {x.name} | ({y.name} if y else set())
        job = SweepJob(
            surface=scenario.surface,
            surface_params=scenario.surface_params,
            optimizer=optimizer,
            convention=scenario.convention,
            start=scenario.start,
            steps=scenario.steps,
            tol=scenario.tol,
            x=x,
            y=y,
            fixed=tuple(sorted((k, v) for k, v in hp.items() if k not in axes)),
            schedule=scenario.schedule,
            noise=scenario.noise,
            seed=scenario.seed,
        )
        compare = scenario.optimizers if len(scenario.optimizers) >= 2 else DEFAULT_COMPARE
        best = "steps" if scenario.landscape().min_value is not None else "loss"
        return cls(job, compare=tuple(compare), best=best, present=scenario.present)

    # ------------------------------------------------------------------ URL

    def to_query(self) -> dict[str, str]:
        """Flat string parameters; ``from_query`` inverts it exactly. Like the Scenario's, values the parser
        restores by definition are left out (an axis' range, spacing and resolution at their defaults, the final
        loss metric, the default comparison)."""
        job = self.job
        query = {k: v for k, v in job.scenario(dict(job.fixed), self.present).to_query().items()}
        axes = {job.x.name} | ({job.y.name} if job.y else set())
        for name in axes:
            query.pop(f"{job.optimizer}.{name}", None)
        numeric = {p.name: p for p in numeric_hyperparams(job.optimizer)}
        for letter, axis in (("x", job.x), ("y", job.y)):
            if axis is None:
                query[letter] = "none"
                continue
            query[letter] = axis.name
            p = numeric[axis.name]
            if axis.scale != scales_for(p)[0]:  # the parser's defaults are left out
                query[f"{letter}scale"] = axis.scale
            if (axis.low, axis.high) != axis_range(p, axis.scale):
                query |= {f"{letter}min": _fmt(axis.low), f"{letter}max": _fmt(axis.high)}
            if axis.count != DEFAULT_RESOLUTION:
                query[f"n{letter}"] = str(axis.count)
        if self.metric != "loss":
            query["metric"] = self.metric
        if self.compare != DEFAULT_COMPARE:
            query["cmp"] = ",".join(self.compare)
        query["best"] = self.best
        if self.cell is not None:
            query["cell"] = f"{self.cell[0]},{self.cell[1]}"
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, str | list[str]]) -> tuple[SweepSettings, list[str]]:
        """Parse URL parameters into the nearest valid settings, with a warning for each fix."""
        own = {k: v for k, v in flat(query).items() if k not in IGNORED_KEYS}
        return _Parser(own).settings()


def default_axes(optimizer: str) -> tuple[Axis, Axis | None]:
    """lr across and the first other number (rho for RMSProp) down; lr alone for SGD."""
    numeric = numeric_hyperparams(optimizer)
    x = next((p for p in numeric if p.name == "lr"), numeric[0])
    others = [p for p in numeric if p.name != x.name]
    preferred = next((p for p in others if p.name in DECAY_NAMES), others[0] if others else None)
    return Axis.default(x), (Axis.default(preferred) if preferred else None)


@dataclass
class _Parser:
    query: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    def settings(self) -> tuple[SweepSettings, list[str]]:
        q = self.query
        optimizer = q.get("opt", DEFAULT_OPTIMIZER)
        if optimizer not in optim.names():
            self.warnings.append(f"Unknown optimizer {optimizer!r}; sweeping {optim.get(DEFAULT_OPTIMIZER).label}.")
            optimizer = DEFAULT_OPTIMIZER
        surface = q.get("surface", DEFAULT_SURFACE)
        prefixes = (f"{surface}.", f"{optimizer}.", "sched.")
        passed = {k: v for k, v in q.items() if k in SCENARIO_KEYS or k.startswith(prefixes)}
        passed["opt"] = optimizer
        passed.setdefault("surface", DEFAULT_SURFACE)
        scenario, scenario_warnings = Scenario.from_query(passed)
        self.warnings += scenario_warnings
        base = SweepSettings.from_scenario(scenario, optimizer)

        x, y = self._axes(optimizer, base.job)
        hp = scenario.hp(optimizer)
        axes = {x.name} | ({y.name} if y else set())
        job = replace(base.job, x=x, y=y, fixed=tuple(sorted((k, v) for k, v in hp.items() if k not in axes)))
        metric = self._choice("metric", METRICS, "loss", "Metric")
        best = self._choice("best", CRITERIA, base.best, "Fair comparison criterion")
        settings = SweepSettings(
            job=job,
            metric=metric,
            cell=self._cell(job),
            compare=self._compare(base.compare),
            best=best,
            present=scenario.present,
        )
        unknown = sorted(k for k in q if k not in OWN_KEYS and k not in passed)
        if unknown:
            self.warnings.append(f"Ignored unknown URL parameter(s): {', '.join(unknown)}.")
        return settings, self.warnings

    def _axes(self, optimizer: str, job: SweepJob) -> tuple[Axis, Axis | None]:
        numeric = {p.name: p for p in numeric_hyperparams(optimizer)}
        label = optim.get(optimizer).label
        x_name = self.query.get("x", job.x.name)
        if x_name not in numeric:
            self.warnings.append(f"{label} has no number {x_name!r} to sweep on the x axis; using {job.x.name}.")
            x_name = job.x.name
        others = [n for n in numeric if n != x_name]
        preferred = [n for n in others if n in DECAY_NAMES] + others
        y_default = job.y.name if job.y and job.y.name != x_name else (preferred[0] if preferred else None)
        y_name: str | None = self.query.get("y", y_default)
        if y_name == "none":
            y_name = None
        if y_name is not None and (y_name not in numeric or y_name == x_name):
            why = "is the x axis too" if y_name == x_name else f"is not a number of {label}"
            self.warnings.append(f"y axis: {y_name!r} {why}; using {y_default or 'none'}.")
            y_name = y_default
        axes = []
        for letter, name in (("x", x_name), ("y", y_name)):
            if name is None:
                axes.append(None)
                continue
            q = self.query
            axis, warnings = fit_axis(
                numeric[name],
                q.get(f"{letter}min"),
                q.get(f"{letter}max"),
                q.get(f"n{letter}"),
                q.get(f"{letter}scale"),
                f"{letter} axis ({name})",
            )
            self.warnings += warnings
            axes.append(axis)
        return axes[0], axes[1]

    def _choice(self, key: str, options: Mapping[str, str], default: str, what: str) -> str:
        value = self.query.get(key, default)
        if value not in options:
            self.warnings.append(f"{what}: {value!r} is not one of {', '.join(options)}; using {default}.")
            return default
        return value

    def _cell(self, job: SweepJob) -> tuple[int, int] | None:
        text = self.query.get("cell")
        if text is None:
            return None
        rows, cols = job.shape
        try:
            i, j = (int(v) for v in text.split(","))
        except ValueError:
            self.warnings.append(f"Cell {text!r} is not 'column,row'; showing the best cell.")
            return None
        if not (0 <= i < cols and 0 <= j < rows):
            self.warnings.append(f"Cell ({i}, {j}) is outside the {cols} x {rows} grid; showing the best cell.")
            return None
        return (i, j)

    def _compare(self, default: tuple[str, ...]) -> tuple[str, ...]:
        text = self.query.get("cmp")
        if text is None:
            return default
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in optim.names()]
        if unknown:
            self.warnings.append(f"Fair comparison: unknown optimizer(s) {', '.join(unknown)} ignored.")
        return tuple(n for n in optim.names() if n in names)
