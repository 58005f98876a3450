"""Live knobs: the focus optimizer's sliders whose every stop is run ahead of time, in one batched run each.

Pure, no Streamlit. ``knobs_for`` says which sliders an optimizer gets beside the contour (its learning rate,
its decay rates and eps) and where they stand; ``knob_series`` runs every stop of one slider in a single
``optim.run`` (the core is batched: B = number of stops) and keeps, per stop, only the points the charts draw
(the same functions as the figure builders, so a stop shows what the page shows once that value is set).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import optim
from views.common.run_spec import RunSpec
from views.common.stops import format_number, options_for
from viz.contour import mark_point, path_points
from viz.curves import end_point, loss_points, per_axis_points, step_sizes
from viz.paths import PathData

#: The hyperparameters that get a live slider, in this order, when the optimizer has them.
LIVE = ("lr", "rho", "momentum", "beta1", "beta2", "eps")
#: Options rather than the optimizer's defining knobs: they stay in the sidebar.
OPTIONAL = {"rmsprop": {"momentum"}}
#: Points per drawn line of a stop (the figures draw up to 400-600; a stop is only shown while dragging).
PATH_POINTS, CURVE_POINTS = 200, 250
#: Charts a knob's runs are prepared for, and the traces of each (uid patterns of viz/contour, viz/curves).
CHARTS = ("map", "loss", "lr", "step")


@dataclass(frozen=True)
class Knob:
    """One live slider: a hyperparameter, its stops and the stop the view shows."""

    name: str
    label: str
    stops: tuple[float, ...]
    index: int
    disabled: bool = False

    @property
    def labels(self) -> list[str]:
        return [format_number(v) for v in self.stops]


def knob_names(optimizer: str) -> list[str]:
    """The hyperparameters of ``optimizer`` that get a live slider."""
    names = {p.name for p in optim.get(optimizer).hyperparams if p.kind == "float"}
    return [n for n in LIVE if n in names and n not in OPTIONAL.get(optimizer, set())]


def stops_for(param: optim.HyperParam, value: float) -> tuple[float, ...]:
    """The slider's stops, with ``value`` among them (a value between stops, e.g. from a link, is kept)."""
    return tuple(sorted(set(options_for(param)) | {float(value)}))


def knobs_for(optimizer: str, hp: dict[str, Any], convention: str, locked: Sequence[str] = ()) -> list[Knob]:
    """The live sliders of ``optimizer`` at its hyperparameters ``hp``; a knob the convention's rule ignores,
    or one named in ``locked``, is disabled."""
    opt = optim.get(optimizer)
    ignored = opt.rule(convention).ignores if opt.supports(convention) else ()
    knobs = []
    for name in knob_names(optimizer):
        param = opt.param(name)
        stops = stops_for(param, hp[name])
        label = f"{param.label} {_SYMBOLS.get(name, '')}".strip()
        knobs.append(Knob(name, label, stops, stops.index(float(hp[name])), name in ignored or name in locked))
    return knobs


_SYMBOLS = {"lr": "η", "rho": "", "eps": "ε", "momentum": "μ", "beta1": "β₁", "beta2": "β₂"}


def stop_paths(spec: RunSpec, knob: str, stops: Sequence[float]) -> list[PathData]:
    """The run at every stop of ``knob`` (one batched run; the other settings are ``spec``'s)."""
    hp = spec.hyperparams() | {knob: np.asarray(stops, dtype=float)}
    traj = optim.run(
        spec.optimizer,
        spec.surface(),
        spec.start,
        spec.steps,
        spec.convention,
        spec.noise,
        spec.seed,
        schedule=spec.schedule,
        **hp,
    )
    label = optim.get(spec.optimizer).label
    diverged = np.broadcast_to(np.asarray(traj.diverged_at if traj.diverged_at is not None else -1), (len(stops),))
    return [
        PathData(
            spec.optimizer,
            label,
            traj.xy[:, b],
            traj.loss[:, b],
            traj.effective_lr[:, b],
            None if diverged[b] < 0 else int(diverged[b]),
        )
        for b in range(len(stops))
    ]


@dataclass
class _Series:
    """One trace's points for every stop, concatenated (stop i is [offsets[i], offsets[i+1]))."""

    xs: list[np.ndarray]
    ys: list[np.ndarray]
    cs: list[np.ndarray] | None

    def add(self, x: np.ndarray, y: np.ndarray, c: np.ndarray | None = None) -> None:
        self.xs.append(x)
        self.ys.append(y)
        if self.cs is not None:
            self.cs.append(c)

    def arrays(self, x_dtype: str) -> dict[str, np.ndarray]:
        sizes = np.array([0] + [len(x) for x in self.xs])
        out = {
            "x": np.concatenate(self.xs).astype(x_dtype),
            "y": np.concatenate(self.ys).astype(np.float32),
            "offsets": np.cumsum(sizes).astype(np.int32),
        }
        if self.cs is not None:
            out["c"] = np.concatenate(self.cs).astype(_step_dtype(self.cs))
        return out


def _step_dtype(steps: list[np.ndarray]) -> type:
    """The smallest unsigned type that holds every step index (steps travel as integers)."""
    top = max((int(s.max()) for s in steps if len(s)), default=0)
    return np.uint16 if top < 2**16 else np.uint32


def knob_series(paths: Sequence[PathData], min_value: float | None, charts: Sequence[str] = CHARTS) -> dict:
    """Per chart, the focus optimizer's traces at every stop: ``{chart: {"series": {uid: arrays},
    "marks": {uid: {"x", "y", "text"}}}}`` (x, y float32; steps as unsigned integers)."""
    name = paths[0].name
    out: dict[str, dict] = {}
    if "map" in charts:
        line = _Series([], [], [])
        marks: dict[str, list] = {"x": [], "y": [], "text": []}
        for path in paths:
            x, y, steps = path_points(path, PATH_POINTS)
            line.add(x, y, steps)
            point = mark_point(path)
            for key, value in zip(("x", "y", "text"), point or (None, None, None), strict=True):
                marks[key].append(value)
        out["map"] = {"series": {f"path.{name}": line.arrays("float32")}, "marks": {f"mark.{name}": marks}}
    if "loss" in charts:
        line = _Series([], [], None)
        ends: dict[str, list] = {"x": [], "y": []}
        for path in paths:
            line.add(*loss_points(path, min_value, CURVE_POINTS))
            point = end_point(path, min_value)
            ends["x"].append(None if point is None else point[0])
            ends["y"].append(None if point is None else point[1])
        steps_dtype = _step_dtype(line.xs)
        out["loss"] = {"series": {f"loss.{name}": line.arrays(steps_dtype)}, "marks": {f"end.{name}": ends}}
    for chart, prefix, values_of in (("lr", "lr", lambda p: p.effective_lr), ("step", "step", step_sizes)):
        if chart not in charts:
            continue
        series = {}
        for axis, suffix in ((0, "x"), (1, "y")):
            line = _Series([], [], None)
            for path in paths:
                points = per_axis_points(path, values_of(path), axis, CURVE_POINTS)
                line.add(*(points or (np.zeros(0, int), np.zeros(0))))
            series[f"{prefix}.{name}.{suffix}"] = line.arrays(_step_dtype(line.xs))
        out[chart] = {"series": series, "marks": {}}
    return out
