"""Noise bands (analysis.seed_bands, viz.bands) and eps dominance on the page: core, figures, URL, AppTest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import landscapes
import optim
from analysis.seed_bands import LOSS_FLOOR, PATHS_DRAWN, QUANTILES, seed_band, seed_list, summarise
from optim.denominator import trajectory_terms
from tests.apptest import charts
from views.common import presets
from views.common.scenario import BANDS_DEFAULT, BANDS_MIN, Scenario
from views.playground import state
from viz.bands import seed_path_traces
from viz.curves import effective_lr_figure, loss_figure
from viz.paths import PathData
from viz.style import LIGHT, Theme

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DIVERGING = {"optimizer": "momentum", "landscape": "rosenbrock", "lr": 0.003, "noise": 3.0, "steps": 150}


# ----------------------------------------------------------------------------- core


def test_band_quantiles_equal_a_direct_computation_over_single_runs():
    surface = landscapes.get("bowl")
    hp = presets.default_hp("bowl", "rmsprop")
    band = seed_band("rmsprop", surface, None, 80, "keras", 0.3, 5, 12, hp)
    singles = [optim.run("rmsprop", surface, None, 80, "keras", 0.3, s, **hp) for s in range(5, 17)]
    gaps = np.maximum(np.stack([t.loss for t in singles], axis=1) - surface.min_value, LOSS_FLOOR)
    expected = np.quantile(gaps, QUANTILES, axis=1)
    np.testing.assert_allclose(np.stack([band.low, band.median, band.high]), expected[:, band.steps], rtol=1e-12)
    assert band.seeds == 12 and band.diverged == 0
    assert band.paths.shape[0] == 11 and band.paths.dtype == np.float32
    np.testing.assert_allclose(band.paths[0, -1], singles[1].xy[-1], rtol=1e-6)  # row 0 of paths: the 2nd seed


def test_first_seed_is_the_scenarios_own_run():
    traj = optim.run("adam", "rosenbrock", steps=50, noise=0.2, seed=seed_list(9, 5))
    own = optim.run("adam", "rosenbrock", steps=50, noise=0.2, seed=9)
    np.testing.assert_array_equal(traj.xy[:, 0], own.xy)


def test_diverged_seeds_are_left_out_of_the_band_and_counted():
    d = DIVERGING
    traj = optim.run(
        d["optimizer"], d["landscape"], None, d["steps"], noise=d["noise"], seed=seed_list(0, 20), lr=d["lr"]
    )
    gone = traj.diverged_at >= 0
    assert 0 < gone.sum() < 20
    band = summarise(traj, 0.0)
    assert band.diverged == gone.sum() and band.survivors == 20 - gone.sum()
    expected = np.quantile(np.maximum(traj.loss[:, ~gone], LOSS_FLOOR), QUANTILES, axis=1)[:, band.steps]
    np.testing.assert_allclose(np.stack([band.low, band.median, band.high]), expected, rtol=1e-12)
    for row, i in enumerate(range(1, 20)):  # other seeds' paths end at their last good iterate
        if gone[i]:
            assert np.isnan(band.paths[row, -1]).all()
        else:
            assert np.isfinite(band.paths[row]).all()


def test_all_diverged_gives_an_empty_band_and_unknown_minimum_uses_f():
    traj = optim.run("sgd", "bowl", steps=30, noise=0.1, seed=seed_list(0, 6), lr=5.0)
    band = summarise(traj, 0.0)
    assert band.diverged == 6 and np.isnan(band.median).all()
    saddle = landscapes.get("saddle")
    traj = optim.run("adam", saddle, steps=30, noise=0.1, seed=seed_list(0, 6))
    band = summarise(traj, saddle.min_value)
    np.testing.assert_allclose(band.median, np.median(traj.loss[band.steps], axis=1))


def test_drawn_paths_are_capped():
    band = seed_band("sgd", "bowl", None, 20, "pytorch", 0.1, 0, 60, {"lr": 0.01})
    assert band.seeds == 60 and band.paths.shape[0] == PATHS_DRAWN


# ----------------------------------------------------------------------------- figures


def _path(traj: optim.Trajectory) -> PathData:
    return PathData(
        traj.optimizer, optim.get(traj.optimizer).label, traj.xy, traj.loss, traj.effective_lr, traj.diverged_at
    )


@pytest.mark.parametrize("theme", [LIGHT, Theme(dark=True, font_scale=1.35)])
def test_figures_with_bands_and_dominance_validate(theme):
    bowl = landscapes.get("bowl", condition=4)
    paths, bands, terms = [], {}, {}
    for name, hp in [("rmsprop", {"lr": 0.01, "eps": 3e-2}), ("sgd", {"lr": 0.1}), ("adam", {})]:
        traj = optim.run(name, bowl, None, 300, noise=0.01, seed=0, **hp)
        paths.append(_path(traj))
        bands[name] = seed_band(name, bowl, None, 300, "pytorch", 0.01, 0, 20, hp)
        terms[name] = trajectory_terms(traj, bowl, 0.01, 0)
    loss = loss_figure(paths, bowl.min_value, theme, bands=bands)
    loss.validated()
    names = [t["name"] for t in loss.spec["data"]]
    assert {"RMSProp median", "SGD median", "Adam median"} <= set(names)
    assert "median of 20 seeds" in loss.spec["layout"]["title"]["text"]
    lr = effective_lr_figure(paths, theme, dominance=terms)
    lr.validated()
    marked = [t["name"] for t in lr.spec["data"] if "eps dominates" in t["name"]]
    assert marked == ["RMSProp: eps dominates along x", "RMSProp: eps dominates along y"]
    assert any("eps dominates" in a["text"] for a in lr.spec["layout"]["annotations"])
    traces = seed_path_traces(paths, bands, theme)
    assert len(traces) == 3 and all(t["hoverinfo"] == "skip" for t in traces)


def test_without_bands_or_dominance_the_figures_are_unchanged():
    traj = optim.run("rmsprop", "bowl", steps=50)
    path = _path(traj)
    assert loss_figure([path], 0.0).spec == loss_figure([path], 0.0, bands={}).spec
    plain = effective_lr_figure([path])
    assert plain.spec == effective_lr_figure([path], dominance={"rmsprop": trajectory_terms(traj, "bowl")}).spec


# ----------------------------------------------------------------------------- scenario and URL


def test_bands_round_trip_and_stay_out_of_default_links():
    base = Scenario.default()
    assert base.bands == BANDS_DEFAULT and "bands" not in base.to_query()
    for count in (0, 5, 37, 100):
        scenario = base.with_changes(noise=0.1, bands=count)
        again, warnings = Scenario.from_query(scenario.to_query())
        assert again == scenario and not warnings


@pytest.mark.parametrize(
    ("text", "expected", "warned"),
    [
        ("off", 0, False),
        ("0", 0, False),
        ("3", BANDS_MIN, True),
        ("500", 100, True),
        ("abc", 20, True),
        ("7.5", 8, True),
    ],
)
def test_bad_band_counts_are_clamped_with_a_warning(text, expected, warned):
    scenario, warnings = Scenario.from_query({"noise": "0.1", "bands": text})
    assert scenario.bands == expected
    assert bool(warnings) == warned


# ----------------------------------------------------------------------------- page


def open_app(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def names(spec: dict) -> list[str]:
    return [t.get("name", "") for t in spec["data"]]


def test_noise_bands_render_and_follow_the_control():
    at = open_app({"noise": "0.1"})
    assert not at.exception, [e.value for e in at.exception]
    contour, loss, _ = charts(at)
    labels = [optim.get(n).label for n in presets.preset("bowl").optimizers]
    assert {f"{label} median" for label in labels} <= set(names(loss))
    assert {f"{label}: other seeds" for label in labels} <= set(names(contour))
    assert any("Noise bands" in c.value for c in at.caption)
    at.select_slider(key=state.BANDS).set_value(0).run()
    contour, loss, _ = charts(at)
    assert not [n for n in names(loss) if n.endswith("median")] and not [n for n in names(contour) if "seeds" in n]
    assert at.query_params["bands"] == ["0"] or at.query_params["bands"] == "0"
    at.select_slider(key=state.BANDS).set_value(50).run()
    assert "median of 50 seeds" in charts(at)[1]["layout"]["title"]["text"]


def test_no_bands_without_noise():
    at = open_app({"bands": "30"})
    assert not at.exception
    assert not [n for n in names(charts(at)[1]) if n.endswith("median")]
    assert at.select_slider(key=state.BANDS).disabled


def test_diverged_seeds_are_counted_on_the_page():
    d = DIVERGING
    at = open_app(
        {"surface": d["landscape"], "opt": d["optimizer"], "momentum.lr": str(d["lr"]), "noise": "3.0", "steps": "150"}
    )
    assert not at.exception
    assert any("Diverged (left out of the band): Momentum" in c.value for c in at.caption)


@pytest.mark.parametrize(("eps", "marked"), [("0.03", True), ("1e-08", False)])
def test_eps_dominance_marks_appear_exactly_when_eps_dominates(eps, marked):
    query = {"bowl.condition": "4", "opt": "sgd,rmsprop", "rmsprop.lr": "0.01", "rmsprop.rho": "0.9"}
    query |= {"rmsprop.eps": eps, "steps": "300"}
    at = open_app(query)
    assert not at.exception
    lr = charts(at)[2]
    found = [n for n in names(lr) if "eps dominates" in n]
    assert found == (["RMSProp: eps dominates along x", "RMSProp: eps dominates along y"] if marked else [])
    text = " ".join(c.value for c in at.caption)
    assert ("Thick shaded bands: eps dominates" in text) == marked
    assert ("eps never dominates" in text) == (not marked)


def test_no_eps_caption_for_optimizers_without_eps():
    at = open_app({"opt": "sgd,momentum"})
    assert not at.exception
    assert not [c for c in at.caption if "eps dominates" in c.value or "eps never dominates" in c.value]
