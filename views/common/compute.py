"""Cached computations that several pages share: surface grids, contour backgrounds and optimizer runs.

Runs are cached per optimizer (one RunSpec each), so moving one optimizer's slider recomputes only that
optimizer. Caches are bounded; their keys are plain hashable values (never Surface objects).

The caches that every rerun hits (``run_path``, the surface grid and contour background here, ``eps_terms`` in
views/playground/compute.py) use ``functools.lru_cache`` rather than ``st.cache_data``: st.cache_data hashes
each argument through ``inspect.signature`` and unpickles a copy of the value on every hit, about 1.2 ms a
call, a third of a warm rerun. These are pure functions of small hashable arguments, and their results
are made read-only (arrays) or never edited (figure traces: the builders copy what they change), so one bounded,
thread-safe, process-wide LRU serves every session safely. The live knobs' runs (``live_runs``) have a bounded
cache of their own, filled several knobs at a time.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

import optim
from optim.denominator import DenominatorTerms
from views.common import knobs, live_payload
from views.common.run_spec import RunSpec, SurfaceKey, surface_of
from views.common.scenario import Scenario
from viz.contour import background_layers
from viz.figure import pack_arrays
from viz.paths import PathData
from viz.style import Theme

__all__ = [
    "SurfaceKey",
    "contour_background",
    "live_runs",
    "paths_for",
    "read_only",
    "run_path",
    "run_terms",
    "surface_grid",
    "surface_of",
]


@functools.lru_cache(maxsize=32)  # hit on every rerun: not st.cache_data, which unpickles a copy each time
def surface_grid(key: SurfaceKey, resolution: int = 121):
    """xs, ys and f on a grid over the plotting domain (read-only: shared by every session)."""
    return read_only(*surface_of(key).grid(resolution))


def contour_background(key: SurfaceKey, theme: Theme) -> list[dict]:
    """The contour's surface-only traces (filled levels, click layer), ready to send: their arrays already packed
    as Plotly typed arrays (``viz.figure.pack_arrays``), so a rerun does not encode the 121 x 121 levels again."""
    return list(_contour_background(key, theme))


@functools.lru_cache(maxsize=32)
def _contour_background(key: SurfaceKey, theme: Theme) -> tuple[dict, ...]:
    return tuple(pack_arrays(background_layers(surface_of(key), surface_grid(key), theme)))


def read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays, marked read-only: a cached result is shared by every session that asks for it."""
    for array in arrays:
        array.flags.writeable = False
    return arrays


def run_path(spec: RunSpec) -> PathData | str:
    """One optimizer's trajectory, or the reason it cannot run (e.g. the framework lacks it)."""
    return _run(spec)[0]


def run_terms(spec: RunSpec) -> DenominatorTerms | None:
    """The denominator's terms along ``run_path(spec)`` (None: no eps denominator, or it cannot run)."""
    return _run(spec)[1]


# 1024: a class of 100 asks for a few hundred new runs while one student thinks (12 KB for 300 steps; bounded by
# count, so long runs weigh more: 512 evicted a student's runs under load, 2048 of 10 000-step runs would be 0.8 GB).
@functools.lru_cache(maxsize=1024)
def _run(spec: RunSpec) -> tuple[PathData | str, DenominatorTerms | None]:
    # The terms are read while the run steps (RunSpec.run_with_terms): replaying a run for them cost as much as
    # the run itself, for every new run of an adaptive optimizer (~1 ms at 300 steps).
    try:
        traj, terms = spec.run_with_terms()
    except ValueError as error:
        return str(error), None
    arrays = read_only(traj.xy, traj.loss, traj.effective_lr)
    if terms is not None:
        read_only(terms.accumulator, terms.eps)
    return PathData(spec.optimizer, optim.get(spec.optimizer).label, *arrays, traj.diverged_at), terms


def paths_for(scenario: Scenario) -> tuple[list[PathData], list[str]]:
    """Every shown optimizer's trajectory for ``scenario``, and a note for each that cannot run."""
    paths, notes = [], []
    for name in scenario.optimizers:
        result = run_path(scenario.run_spec(name))
        if isinstance(result, str):
            notes.append(f"**{optim.get(name).label}** is not shown: {result}")
        else:
            paths.append(result)
    return paths, notes


class _Bounded:
    """A thread-safe LRU dict holding at most ``size`` entries (a process-wide cache, like lru_cache, that the
    caller fills itself: ``live_runs`` computes several missing entries in one batched run)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: One knob's series for all its stops, packed: ~0.03-0.15 MB each (lr has ~60 stops). With 100 students each
#: interaction adds up to four while a student thinks: 1024 keep a student's own knobs (the one it just released,
#: and those of its view) until it comes back (384 did not: a third of the knob runs under load were recomputed).
_KNOB_SERIES = _Bounded(1024)


def _knob_series(spec: RunSpec, live: Sequence[knobs.Knob], min_value: float | None, charts: tuple) -> dict:
    """Each knob's series (``knobs.knob_series``), from the cache or computed, the missing ones together in as few
    batched runs as possible. Each is cached without its own knob's value (moving a knob reuses its runs);
    a knob that cannot run (e.g. its stops include values the convention rejects) is left out."""
    keys = {k.name: (_without(spec, k.name), k.name, k.stops, min_value, charts) for k in live}
    found = {name: _KNOB_SERIES.get(key) for name, key in keys.items()}
    missing = [k for k in live if found[k.name] is None]
    if missing:
        try:
            runs = knobs.stop_runs(spec, [(k.name, k.stops) for k in missing])
        except ValueError:  # one knob's stops cannot run: try each knob on its own
            runs = [_or_none(knobs.stop_paths, spec, k.name, k.stops) for k in missing]
        for knob, paths in zip(missing, runs, strict=True):
            if paths is None:
                continue
            series = knobs.knob_series(paths, min_value, charts)
            # Kept only as the payload carries them: laid out once, quantized on each chart's axis scale.
            series = {
                chart: live_payload.pack(part, knobs.axis_scale(chart, min_value)) for chart, part in series.items()
            }
            _KNOB_SERIES.put(keys[knob.name], series)
            found[knob.name] = series
    return {name: series for name, series in found.items() if series is not None}


def _without(spec: RunSpec, name: str) -> RunSpec:
    return spec.with_changes(hp=tuple((k, v) for k, v in spec.hp if k != name))


def _or_none(function, *args):
    try:
        return function(*args)
    except ValueError:
        return None


def live_runs(spec: RunSpec, live: Sequence[knobs.Knob], min_value: float | None, charts: tuple[str, ...]) -> dict:
    """Per chart and knob, the focus optimizer's traces at every stop of that knob (``knobs.knob_series``), packed
    as the payload carries them (``live_payload.pack``; ``live_payload.series_of`` reads the arrays back).
    Each knob's runs are cached without its own value, so moving it reuses them; a knob that cannot run (e.g.
    its stops include values the convention rejects) is left out."""
    out: dict[str, dict] = {chart: {} for chart in charts}
    series = _knob_series(spec, [k for k in live if not k.disabled], min_value, tuple(charts))
    for name, by_chart in series.items():
        for chart in charts:
            out[chart][name] = by_chart[chart]
    return out
