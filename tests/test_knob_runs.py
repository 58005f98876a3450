"""The live knobs' runs, made cheap for a server that carries a class: several knobs in one batched run, the
series of every stop picked at once, a seed that does not matter left out of the cache keys.

Each shortcut must give exactly what the straightforward way gives: the run of each knob on its own, and the
points the figure builders pick for each path (path_points, loss_points, per_axis_points).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes
import optim
from views.common import compute, knobs, live_payload
from views.common.run_spec import RunSpec
from views.common.scenario import Scenario
from viz.contour import mark_point, path_points
from viz.curves import end_point, loss_points, per_axis_points, step_sizes


def _scenario(surface: str, optimizer: str, convention: str = "pytorch", steps: int = 80, noise: float = 0.0, **hp):
    s = Scenario.default(surface).with_changes(optimizers=(optimizer,), steps=steps, convention=convention, noise=noise)
    values = optim.get(optimizer).defaults() | hp
    return s.with_changes(hyperparams=((optimizer, tuple(sorted(values.items()))),))


def _live(s: Scenario, optimizer: str) -> list[knobs.Knob]:
    return [k for k in knobs.knobs_for(optimizer, s.hp(optimizer), s.convention) if not k.disabled]


def _same_path(a, b) -> bool:
    return (
        np.array_equal(a.xy, b.xy, equal_nan=True)
        and np.array_equal(a.loss, b.loss, equal_nan=True)
        and np.array_equal(a.effective_lr, b.effective_lr, equal_nan=True)
        and a.diverged_at == b.diverged_at
    )


def _reference_series(paths, min_value, charts=knobs.CHARTS) -> dict:
    """The series as the figure builders' per-path functions give them, one path at a time."""
    name = paths[0].name

    def pack(xs, ys, cs=None, x_dtype=None):
        top = max((int(s.max()) for s in (cs if cs is not None else xs) if len(s)), default=0)
        steps = np.uint16 if top < 2**16 else np.uint32
        out = {
            "x": np.concatenate(xs).astype(x_dtype or steps),
            "y": np.concatenate(ys).astype(np.float32),
            "offsets": np.cumsum([0] + [len(x) for x in xs]).astype(np.int32),
        }
        if cs is not None:
            out["c"] = np.concatenate(cs).astype(steps)
        return out

    out = {}
    if "map" in charts:
        points = [path_points(p, knobs.PATH_POINTS) for p in paths]
        marks = [mark_point(p) or (None, None, None) for p in paths]
        out["map"] = {
            "series": {f"path.{name}": pack(*zip(*points, strict=True), x_dtype="float32")},
            "marks": {f"mark.{name}": {k: [m[i] for m in marks] for i, k in enumerate(("x", "y", "text"))}},
        }
    if "loss" in charts:
        points = [loss_points(p, min_value, knobs.CURVE_POINTS) for p in paths]
        ends = [end_point(p, min_value) or (None, None) for p in paths]
        out["loss"] = {
            "series": {f"loss.{name}": pack(*zip(*points, strict=True))},
            "marks": {f"end.{name}": {"x": [e[0] for e in ends], "y": [e[1] for e in ends]}},
        }
    for chart, values_of in (("lr", lambda p: p.effective_lr), ("step", step_sizes)):
        if chart in charts:
            series = {}
            for axis, suffix in ((0, "x"), (1, "y")):
                points = [per_axis_points(p, values_of(p), axis, knobs.CURVE_POINTS) for p in paths]
                points = [q or (np.zeros(0, int), np.zeros(0)) for q in points]
                series[f"{chart}.{name}.{suffix}"] = pack(*zip(*points, strict=True))
            out[chart] = {"series": series, "marks": {}}
    return out


def _assert_same_series(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for chart in want:
        assert got[chart]["marks"] == want[chart]["marks"]
        assert got[chart]["series"].keys() == want[chart]["series"].keys()
        for uid, arrays in want[chart]["series"].items():
            assert got[chart]["series"][uid].keys() == arrays.keys()
            for key, array in arrays.items():
                assert got[chart]["series"][uid][key].dtype == array.dtype, (chart, uid, key)
                np.testing.assert_array_equal(got[chart]["series"][uid][key], array)


@pytest.mark.parametrize("surface", landscapes.names())
@pytest.mark.parametrize("optimizer", optim.names())
def test_knobs_run_together_give_each_knobs_own_runs(surface, optimizer):
    """One batched run of several knobs' stops equals, row for row and bit for bit, the runs of each knob alone
    (Adam's and Nadam's betas too, which go through a power: optim._ops.power takes libm's, value by value)."""
    for convention in optim.CONVENTIONS:
        if not optim.get(optimizer).supports(convention):
            continue
        s = _scenario(surface, optimizer, convention, noise=0.3)
        live = _live(s, optimizer)
        spec = s.run_spec(optimizer)
        together = knobs.stop_runs(spec, [(k.name, k.stops) for k in live])
        for knob, rows in zip(live, together, strict=True):
            alone = knobs.stop_paths(spec, knob.name, knob.stops)
            assert len(rows) == len(alone) == len(knob.stops)
            assert all(_same_path(a, b) for a, b in zip(rows, alone, strict=True)), (convention, knob.name)


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam", "nadam"])
def test_all_knobs_of_an_optimizer_take_one_run(optimizer, monkeypatch):
    s = _scenario("rosenbrock", optimizer)
    calls = []
    real = optim.run
    monkeypatch.setattr(optim, "run", lambda *a, **k: calls.append(k) or real(*a, **k))
    live = _live(s, optimizer)
    knobs.stop_runs(s.run_spec(optimizer), [(k.name, k.stops) for k in live])
    assert len(calls) == 1
    assert {k.name for k in live} <= {name for name, value in calls[0].items() if isinstance(value, np.ndarray)}


@pytest.mark.parametrize(
    ("surface", "optimizer", "hp"),
    [
        ("rosenbrock", "rmsprop", {}),
        ("bowl", "sgd", {"lr": 0.019}),  # some stops diverge, at different steps
        ("saddle", "adam", {}),
        ("himmelblau", "adagrad", {}),
    ],
)
@pytest.mark.parametrize("steps", [1, 60, 700])  # 700: longer than the drawn points (sampled)
def test_series_of_all_stops_at_once_are_the_figure_builders_points(surface, optimizer, hp, steps):
    s = _scenario(surface, optimizer, steps=steps, **hp)
    for knob in _live(s, optimizer):
        paths = knobs.stop_paths(s.run_spec(optimizer), knob.name, knob.stops)
        for min_value in (s.landscape().min_value, None):
            _assert_same_series(knobs.knob_series(paths, min_value, knobs.CHARTS), _reference_series(paths, min_value))


@settings(max_examples=30, deadline=None)
@given(
    optimizer=st.sampled_from(optim.names()),
    surface=st.sampled_from(landscapes.names()),
    steps=st.integers(1, 400),
    lr_scale=st.sampled_from([0.1, 1.0, 30.0, 1000.0]),  # large: stops that diverge early
)
def test_series_match_the_reference_for_any_run(optimizer, surface, steps, lr_scale):
    lr = optim.get(optimizer).defaults()["lr"] * lr_scale
    s = _scenario(surface, optimizer, steps=steps, lr=lr)
    for knob in _live(s, optimizer)[:1]:
        paths = knobs.stop_paths(s.run_spec(optimizer), knob.name, knob.stops)
        min_value = s.landscape().min_value
        _assert_same_series(knobs.knob_series(paths, min_value), _reference_series(paths, min_value))


def test_live_runs_fill_the_cache_with_one_run_per_group_and_reuse_it():
    s = _scenario("booth", "rmsprop", steps=90)
    spec, live = s.run_spec("rmsprop"), _live(s, "rmsprop")
    first = compute.live_runs(spec, live, s.landscape().min_value, ("map", "loss", "lr"))
    again = compute.live_runs(spec, live, s.landscape().min_value, ("map", "loss", "lr"))
    for chart in first:
        for name in first[chart]:
            assert again[chart][name] is first[chart][name]  # served from the cache
    # each knob's runs are those of the knob alone (the reference: one knob per call)
    for knob in live:
        alone = knobs.knob_series(
            knobs.stop_paths(spec, knob.name, knob.stops), s.landscape().min_value, ("map", "loss", "lr")
        )
        for chart in ("map", "loss", "lr"):  # packed as the payload carries them: the same bytes
            scale = knobs.axis_scale(chart, s.landscape().min_value)
            assert first[chart][knob.name] == live_payload.pack(alone[chart], scale)


def test_moving_a_knob_keeps_its_own_runs_and_recomputes_the_others():
    s = _scenario("bowl", "rmsprop", steps=50)
    live = _live(s, "rmsprop")
    before = compute.live_runs(s.run_spec("rmsprop"), live, 0.0, ("map",))
    lr = next(k for k in live if k.name == "lr")
    moved = _scenario("bowl", "rmsprop", steps=50, lr=lr.stops[lr.index + 1])
    after = compute.live_runs(moved.run_spec("rmsprop"), _live(moved, "rmsprop"), 0.0, ("map",))
    assert after["map"]["lr"] is before["map"]["lr"]  # cached without its own value
    assert after["map"]["rho"] is not before["map"]["rho"]


def test_the_seed_is_left_out_of_a_run_without_noise():
    s = _scenario("rosenbrock", "adam")
    quiet = [s.with_changes(seed=seed).run_spec("adam") for seed in (0, 7, 123)]
    assert quiet[0] == quiet[1] == quiet[2]  # one cache entry serves every seed
    noisy = [s.with_changes(noise=0.5, seed=seed).run_spec("adam") for seed in (0, 7)]
    assert noisy[0] != noisy[1] and noisy[1].seed == 7
    # and without noise the seed changes nothing in the run itself
    runs = [RunSpec.run(q.with_changes(seed=seed)) for q, seed in zip(quiet, (0, 99, 4), strict=True)]
    assert all(np.array_equal(r.xy, runs[0].xy) for r in runs)
