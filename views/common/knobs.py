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
from viz.contour import mark_point
from viz.curves import end_point, loss_gap
from viz.paths import PathData, sample_steps

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
    return stop_runs(spec, [(knob, stops)])[0]


def stop_runs(spec: RunSpec, requests: Sequence[tuple[str, Sequence[float]]]) -> list[list[PathData]]:
    """The runs at every stop of several knobs in ONE batched run (its cost is mostly per step, not per row):
    the rows of knob k hold k at each of its stops and every other hyperparameter at ``spec``'s value. Each row
    is exactly the run ``stop_paths`` gives for its knob (Adam's bias corrections too: ``optim._ops.power``)."""
    return _one_run(spec, requests) if requests else []


def _one_run(spec: RunSpec, requests: Sequence[tuple[str, Sequence[float]]]) -> list[list[PathData]]:
    base = spec.hyperparams()
    bounds = np.cumsum([0, *(len(stops) for _, stops in requests)])
    hp = dict(base)
    for i, (name, stops) in enumerate(requests):
        column = np.full(bounds[-1], float(base.get(name, 0.0)))
        column[bounds[i] : bounds[i + 1]] = stops
        hp[name] = column
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
    diverged = np.broadcast_to(np.asarray(traj.diverged_at if traj.diverged_at is not None else -1), (bounds[-1],))
    paths = [
        PathData(
            spec.optimizer,
            label,
            traj.xy[:, b],
            traj.loss[:, b],
            traj.effective_lr[:, b],
            None if diverged[b] < 0 else int(diverged[b]),
        )
        for b in range(bounds[-1])
    ]
    return [paths[bounds[i] : bounds[i + 1]] for i in range(len(requests))]


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

    def arrays(self, x_dtype: str | None) -> dict[str, np.ndarray]:
        """The concatenated arrays; x as ``x_dtype`` (None: x holds steps, as the smallest type that holds them)."""
        sizes = np.array([0] + [len(x) for x in self.xs])
        x = np.concatenate(self.xs)
        out = {
            "x": x.astype(x_dtype or _step_dtype(x)),
            "y": np.concatenate(self.ys).astype(np.float32),
            "offsets": np.cumsum(sizes).astype(np.int32),
        }
        if self.cs is not None:
            steps = np.concatenate(self.cs)
            out["c"] = steps.astype(_step_dtype(steps))
        return out


def _step_dtype(steps: np.ndarray) -> type:
    """The smallest unsigned type that holds every step index (steps travel as integers)."""
    top = int(steps.max()) if len(steps) else 0
    return np.uint16 if top < 2**16 else np.uint32


def _by_stop(values: np.ndarray, lasts: np.ndarray, count_of, limit: int, axis: int | None = None):
    """For every stop b (column b of ``values``, shape (steps, B[, 2])): the sampled step indices
    ``sample_steps(count_of(lasts[b]), limit)`` and ``values`` at them, as the per-path functions of viz/ pick
    them. Stops that end at the same step share one fancy-indexing (most stops: all of them)."""
    idx_of: list[np.ndarray] = [np.zeros(0, int)] * len(lasts)
    col_of: list[np.ndarray] = [np.zeros(0)] * len(lasts)
    for last in np.unique(lasts):
        count = count_of(int(last))
        if count <= 0:
            continue
        rows = np.flatnonzero(lasts == last)
        idx = sample_steps(count, limit)
        block = values[np.ix_(idx, rows)] if axis is None else values[np.ix_(idx, rows, [axis])][..., 0]
        for j, b in enumerate(rows):
            idx_of[b], col_of[b] = idx, block[:, j]
    return idx_of, col_of


def knob_series(paths: Sequence[PathData], min_value: float | None, charts: Sequence[str] = CHARTS) -> dict:
    """Per chart, the focus optimizer's traces at every stop: ``{chart: {"series": {uid: arrays},
    "marks": {uid: {"x", "y", "text"}}}}`` (x, y float32; steps as unsigned integers).

    The points are those the figure builders draw for each path (``path_points``, ``loss_points``,
    ``per_axis_points``, ``mark_point``, ``end_point``), picked for all stops at once."""
    name = paths[0].name
    lasts = np.array([p.last for p in paths])
    xy = np.stack([p.xy for p in paths], axis=1)  # (steps + 1, B, 2)
    out: dict[str, dict] = {}
    if "map" in charts:
        idx, xs = _by_stop(xy, lasts, lambda last: last + 1, PATH_POINTS, axis=0)
        _, ys = _by_stop(xy, lasts, lambda last: last + 1, PATH_POINTS, axis=1)
        marks: dict[str, list] = {"x": [], "y": [], "text": []}
        for path in paths:
            point = mark_point(path)
            for key, value in zip(("x", "y", "text"), point or (None, None, None), strict=True):
                marks[key].append(value)
        line = _Series(xs, ys, idx)
        out["map"] = {"series": {f"path.{name}": line.arrays("float32")}, "marks": {f"mark.{name}": marks}}
    if "loss" in charts:
        loss = np.stack([p.loss for p in paths], axis=1)
        if min_value is not None:
            loss = loss_gap(loss, min_value)
        idx, ys = _by_stop(loss, lasts, lambda last: last + 1, CURVE_POINTS)
        ends: dict[str, list] = {"x": [], "y": []}
        for path in paths:
            point = end_point(path, min_value)
            ends["x"].append(None if point is None else point[0])
            ends["y"].append(None if point is None else point[1])
        line = _Series(idx, ys, None)
        out["loss"] = {"series": {f"loss.{name}": line.arrays(None)}, "marks": {f"end.{name}": ends}}
    for chart in ("lr", "step"):  # the chart's name is also its traces' uid prefix
        if chart not in charts:
            continue
        per_step = np.stack([p.effective_lr for p in paths], axis=1) if chart == "lr" else step_sizes_of(xy)
        per_step = np.where(per_step > 0, per_step, np.nan)  # a log axis shows no value <= 0: a gap
        series = {}
        for axis, suffix in ((0, "x"), (1, "y")):
            idx, ys = _by_stop(per_step, lasts, lambda last: max(last, 0), CURVE_POINTS, axis=axis)
            series[f"{chart}.{name}.{suffix}"] = _Series(idx, ys, None).arrays(None)
        out[chart] = {"series": series, "marks": {}}
    return out


def axis_scale(chart: str, min_value: float | None) -> str:
    """The value axis of ``chart`` as its figure builder draws it: the map's coordinates are linear; the loss is
    on a log scale when the minimum is known (f − f*), the effective lr and the step sizes always are."""
    if chart == "map" or (chart == "loss" and min_value is None):
        return "linear"
    return "log"


def step_sizes_of(xy: np.ndarray) -> np.ndarray:
    """``step_sizes`` of every stop at once: |θ_k+1 − θ_k| per axis, for xy of shape (steps + 1, B, 2)."""
    return np.abs(np.diff(xy, axis=0))
