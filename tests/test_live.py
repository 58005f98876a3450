"""Live charts, server side: the two-layer map, the focus optimizer's knobs and their precomputed runs, and the
payload the browser reads. (tests/browser/test_live_e2e.py drives the real thing in Chromium.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes
import optim
from tests.apptest import live_payloads, open_page
from views.common import compute, knobs, live_payload
from views.common.scenario import Scenario
from viz import layers
from viz.contour import contour_figure, path_points
from viz.curves import effective_lr_figure, loss_figure, loss_points
from viz.paths import PathData

GEOMETRY = ("height", "margin", "dragmode")


def paths(scenario: Scenario) -> list[PathData]:
    return compute.paths_for(scenario)[0]


def test_a_map_splits_into_a_surface_layer_and_a_moving_layer_with_the_same_geometry():
    s = Scenario.default("rosenbrock")
    surface = s.landscape()
    figure = contour_figure(surface, surface.grid(61), paths(s), s.start, focus="rmsprop", live=["rmsprop"])
    lower, upper = layers.split(figure.spec)
    assert [t["type"] for t in lower["data"]] == ["contour"]
    assert "contour" not in {t["type"] for t in upper["data"]} and len(upper["data"]) == len(figure.spec["data"]) - 1
    for key in GEOMETRY:
        assert lower["layout"].get(key) == upper["layout"].get(key), key
    for axis in ("xaxis", "yaxis"):
        low, up = lower["layout"][axis], upper["layout"][axis]
        for prop in ("range", "scaleanchor", "scaleratio", "constrain", "domain"):
            assert low.get(prop) == up.get(prop), (axis, prop)
        assert low["automargin"] is False and up["automargin"] is False  # labels may not size the margins
        assert up["showticklabels"] is False and low["title"]["text"] in "xy"
    assert upper["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)" and not lower["layout"]["showlegend"]
    assert lower["layout"]["margin"]["l"] >= layers.MARGIN["l"] and lower["layout"]["margin"]["b"] >= layers.MARGIN["b"]


def test_a_chart_without_a_surface_stays_one_layer():
    s = Scenario.default()
    spec = loss_figure(paths(s), 0.0).spec
    assert layers.split(spec) == [spec]


def test_layer_versions_change_with_the_surface_only():
    bowl = Scenario.default()
    surface = bowl.landscape()
    grid = surface.grid(41)
    one = layers.split(contour_figure(surface, grid, paths(bowl), bowl.start).spec)[0]
    moved = bowl.with_changes(start=(1.0, 1.0))
    two = layers.split(contour_figure(surface, grid, paths(moved), moved.start).spec)[0]
    other = landscapes.get("bowl", condition=10.0)
    three = layers.split(contour_figure(other, other.grid(41), paths(bowl), bowl.start).spec)[0]
    assert layers.version(one) == layers.version(two) != layers.version(three)


@pytest.mark.parametrize(
    ("optimizer", "names"),
    [
        ("sgd", ["lr"]),
        ("momentum", ["lr", "momentum"]),
        ("rmsprop", ["lr", "rho", "eps"]),
        ("adam", ["lr", "beta1", "beta2", "eps"]),
        ("adadelta", ["lr", "rho", "eps"]),
    ],
)
def test_every_optimizer_gets_its_defining_knobs(optimizer, names):
    hp = optim.get(optimizer).defaults()
    found = knobs.knobs_for(optimizer, hp, "pytorch")
    assert [k.name for k in found] == names
    for knob in found:
        assert knob.stops[knob.index] == hp[knob.name] and list(knob.stops) == sorted(knob.stops)


def test_a_value_between_stops_is_kept_as_a_stop():
    knob = knobs.knobs_for("rmsprop", optim.get("rmsprop").defaults() | {"lr": 0.0123}, "pytorch")[0]
    assert knob.stops[knob.index] == 0.0123


@pytest.mark.parametrize("surface", ["bowl", "rosenbrock", "saddle"])
@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop", "adam"])
def test_each_stop_is_exactly_the_run_at_that_value(surface, optimizer):
    """The batched run of a knob's stops equals, stop by stop, the run the page shows once that value is set
    (the core's batched runs are bit-identical to single ones), and the series hold what the charts draw."""
    s = Scenario.default(surface).with_changes(optimizers=(optimizer,), steps=120)
    s = s.with_changes(hyperparams=((optimizer, tuple(sorted(optim.get(optimizer).defaults().items()))),))
    knob = knobs.knobs_for(optimizer, s.hp(optimizer), s.convention)[0]
    picks = [0, knob.index, len(knob.stops) - 1]
    stops = [knob.stops[i] for i in picks]
    batch = knobs.stop_paths(s.run_spec(optimizer), knob.name, stops)
    series = knobs.knob_series(batch, s.landscape().min_value)
    for b, value in enumerate(stops):
        single = compute.run_path(
            s.with_changes(
                hyperparams=((optimizer, tuple(sorted((s.hp(optimizer) | {knob.name: value}).items()))),)
            ).run_spec(optimizer)
        )
        np.testing.assert_array_equal(batch[b].xy[: batch[b].last + 1], single.xy[: single.last + 1])
        assert batch[b].diverged_at == single.diverged_at
        line = series["map"]["series"][f"path.{optimizer}"]
        a, z = line["offsets"][b], line["offsets"][b + 1]
        x, y, steps = path_points(single, knobs.PATH_POINTS)
        np.testing.assert_allclose(line["x"][a:z], x.astype(np.float32))
        np.testing.assert_allclose(line["y"][a:z], y.astype(np.float32))
        np.testing.assert_array_equal(line["c"][a:z], steps)
        loss = series["loss"]["series"][f"loss.{optimizer}"]
        a, z = loss["offsets"][b], loss["offsets"][b + 1]
        np.testing.assert_allclose(
            loss["y"][a:z], loss_points(single, s.landscape().min_value, knobs.CURVE_POINTS)[1].astype(np.float32)
        )


def test_a_diverging_stop_carries_its_mark():
    s = Scenario.default().with_changes(optimizers=("sgd",), hyperparams=(("sgd", (("lr", 0.019),)),))
    stops = (0.019, 0.021, 0.05)
    series = knobs.knob_series(knobs.stop_paths(s.run_spec("sgd"), "lr", stops), 0.0)
    marks = series["map"]["marks"]["mark.sgd"]
    assert marks["x"][0] is None and marks["x"][1] is not None and "diverged (step" in marks["text"][2]
    ends = series["loss"]["marks"]["end.sgd"]
    assert ends["x"][0] is None and ends["x"][2] is not None


def assert_sent_faithfully(sent: np.ndarray, array: np.ndarray, scale: str | None) -> None:
    """``sent`` (decoded from a payload) is ``array``: exactly, or quantized on ``scale`` (live_payload.Q16) to
    within half a step of 1/65534 of the array's range (of its log10 on a log axis), with the same gaps."""
    assert sent.shape == array.shape
    if scale is None or array.dtype.kind != "f":
        np.testing.assert_array_equal(sent, array)
        assert sent.dtype == array.dtype
        return
    values = np.asarray(array, float)
    shown = np.asarray(sent, float)
    if scale == "log":
        with np.errstate(all="ignore"):
            values, shown = np.where(values > 0, np.log10(values), np.nan), np.log10(shown)
    finite = np.isfinite(values)
    assert np.array_equal(finite, np.isfinite(shown))  # gaps (and only gaps) stay gaps
    if finite.any():
        span = values[finite].max() - values[finite].min()
        assert np.abs(shown[finite] - values[finite]).max() <= span / 65534 / 2 + 1e-6 * max(span, 1e-3)


def test_payload_round_trips():
    s = Scenario.default()
    figure = effective_lr_figure(paths(s), focus="rmsprop")
    runs = compute.live_runs(
        s.run_spec("rmsprop"), knobs.knobs_for("rmsprop", s.hp("rmsprop"), "pytorch"), 0.0, ("lr",)
    )
    header = {"group": "g", "layers": [{"figure": figure.spec, "version": ""}]}
    decoded = live_payload.decode(live_payload.encode(header, runs["lr"]))
    for name, part in runs["lr"].items():
        knob = next(k for k in knobs.knobs_for("rmsprop", s.hp("rmsprop"), "pytorch") if k.name == name)
        exact = knobs.knob_series(knobs.stop_paths(s.run_spec("rmsprop"), name, knob.stops), 0.0, ("lr",))["lr"]
        for uid, arrays in exact["series"].items():
            for key, array in arrays.items():
                assert_sent_faithfully(decoded["live"][name]["series"][uid][key], array, "log")
                np.testing.assert_array_equal(
                    live_payload.series_of(part)[uid][key], decoded["live"][name]["series"][uid][key]
                )
    assert decoded["layers"][0]["figure"]["layout"]["title"]["text"].startswith("Effective learning rate")


@pytest.mark.parametrize(("surface", "steps"), [("rosenbrock", 300), ("saddle", 80), ("bowl", 40)])
def test_every_chart_travels_quantized_on_its_axis_scale(surface, steps):
    """Each chart's runs are laid out once, quantized on that chart's value axis (linear map and, without a known
    minimum, loss; log loss, effective lr and step sizes); a payload of packed runs decodes to within a step of
    1/65534 of each line's range, and runs that were never packed travel exactly (float32)."""
    s = Scenario.default(surface).with_changes(steps=steps)
    focus = s.focused
    spec = s.run_spec(focus)
    min_value = s.landscape().min_value
    header = {"group": "g", "layers": []}
    for knob in knobs.knobs_for(focus, s.hp(focus), s.convention)[:2]:
        raw = knobs.knob_series(knobs.stop_paths(spec, knob.name, knob.stops), min_value, knobs.CHARTS)
        for chart, part in raw.items():
            scale = knobs.axis_scale(chart, min_value)
            packed = live_payload.pack(part, scale)
            assert "series" not in packed and packed["marks"] == part["marks"]  # the bytes only, held once
            two = live_payload.decode(live_payload.encode(header, {"a": packed, "b": part}))
            for uid, arrays in part["series"].items():
                for key, array in arrays.items():
                    assert_sent_faithfully(two["live"]["a"]["series"][uid][key], array, scale)
                    assert_sent_faithfully(two["live"]["b"]["series"][uid][key], array, None)
            plain = len(live_payload.encode(header, {"b": part}))
            assert len(live_payload.encode(header, {"a": packed})) < 0.75 * plain  # floats travel in half the bytes
    assert knobs.axis_scale("loss", None) == "linear" and knobs.axis_scale("loss", 0.0) == "log"


def test_a_knob_whose_lines_are_all_gaps_flat_whole_or_empty_travels_too():
    flat = {"series": {"u": {"y": np.array([2.0, 2.0, np.nan], np.float32), "x": np.arange(3, dtype=np.uint16)}}}
    gaps = {"series": {"u": {"y": np.array([np.nan, -1.0, 0.0], np.float32), "x": np.arange(3, dtype=np.uint16)}}}
    whole = {"series": {"u": {"y": np.array([3.0, 1.0, 2.0], np.float32), "x": np.arange(3, dtype=np.uint16)}}}
    empty = {"series": {"u": {"y": np.zeros(0, np.float32), "x": np.zeros(0, np.uint16)}}}  # e.g. a 1-step run
    cases = [(flat, "linear"), (flat, "log"), (gaps, "log"), (whole, "linear"), (whole, "log"), (empty, "log")]
    for part, scale in cases:
        sent = live_payload.decode(live_payload.encode({}, {"k": live_payload.pack(part, scale)}))
        y = sent["live"]["k"]["series"]["u"]["y"]
        expected = part["series"]["u"]["y"]
        if scale == "log":
            expected = np.where(expected > 0, expected, np.nan)
        # Within half a quantization step of the range (exact for flat lines and gaps).
        np.testing.assert_allclose(y, expected, rtol=1e-6 if part is not whole else 2e-5)
        np.testing.assert_array_equal(sent["live"]["k"]["series"]["u"]["x"], part["series"]["u"]["x"])


@settings(max_examples=25, deadline=None)
@given(
    optimizer=st.sampled_from(optim.names()),
    convention=st.sampled_from(list(optim.CONVENTIONS)),
    surface=st.sampled_from(landscapes.names()),
    steps=st.integers(1, 60),
    noise=st.sampled_from([0.0, 0.3]),
)
def test_knob_runs_never_raise_or_leave_non_finite_points(optimizer, convention, surface, steps, noise):
    s = Scenario.default(surface).with_changes(steps=steps, noise=noise, convention=convention, optimizers=(optimizer,))
    s = s.with_changes(hyperparams=((optimizer, tuple(sorted(optim.get(optimizer).defaults().items()))),))
    found = knobs.knobs_for(optimizer, s.hp(optimizer), convention)
    runs = compute.live_runs(s.run_spec(optimizer), found, s.landscape().min_value, ("map", "loss", "lr"))
    for chart in runs.values():
        for knob in chart.values():
            for arrays in live_payload.series_of(knob).values():
                assert np.isfinite(arrays["x"]).all()
                assert arrays["offsets"][0] == 0 and np.all(np.diff(arrays["offsets"]) >= 0)


def test_the_playground_sends_the_focus_knobs_and_their_runs():
    at = open_page("playground").run()
    payloads = list(live_payloads(at).values())
    sliders = [p for p in payloads if p["knobs"]]
    charts_ = [p for p in payloads if p["layers"]]
    assert len(sliders) == 1 and len(charts_) == 3 and not sliders[0]["layers"]  # the sliders beside the map
    knobs = sliders[0]["knobs"]
    names = [k["name"] for k in knobs["items"]]
    assert names == ["lr", "rho", "eps"] and "RMSProp" in knobs["title"]
    for chart in charts_:  # every chart holds its own traces at every stop of every knob
        assert set(chart["live"]) == set(names)
    lr = knobs["items"][0]
    assert lr["stops"][lr["index"]] == 0.05 and charts_[0]["play"]["last"] == 150
