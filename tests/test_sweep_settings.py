"""SweepSettings: URL round trip, and every kind of bad input clamped with a warning (never raised)."""

from __future__ import annotations

import numpy as np
import pytest

import optim
from views.common.scenario import Scenario
from views.sweep.settings import MAX_RESOLUTION, Axis, SweepSettings, default_axes, fit_axis, scales_for


def hp(optimizer: str, name: str):
    return next(p for p in optim.get(optimizer).hyperparams if p.name == name)


def parse(query: dict[str, str]) -> tuple[SweepSettings, list[str]]:
    return SweepSettings.from_query(query)


def test_defaults_are_lr_by_rho_for_rmsprop_on_rosenbrock():
    settings, warnings = parse({})
    assert warnings == []
    job = settings.job
    assert (job.surface, job.optimizer, job.steps) == ("rosenbrock", "rmsprop", 1000)
    assert (job.x.name, job.x.scale, job.y.name, job.y.scale) == ("lr", "log", "rho", "log1m")
    assert dict(job.fixed).keys() == {"eps", "momentum", "centered"}
    assert settings == SweepSettings.default()


@pytest.mark.parametrize(
    "settings",
    [
        SweepSettings.default(),
        SweepSettings.default("bowl", "adam").with_changes(metric="steps", cell=(3, 7), compare=("sgd", "adam")),
        SweepSettings.default("saddle", "sgd").with_changes(best="loss", present=True, compare=()),
        SweepSettings.from_scenario(
            Scenario.default("himmelblau").with_changes(convention="keras", start=(1.5, -2.25), steps=333, tol=1e-4)
        ),
    ],
)
def test_url_round_trip_is_identity(settings):
    parsed, warnings = parse(settings.to_query())
    assert warnings == []
    assert parsed == settings


def test_custom_axes_round_trip_exactly():
    job = SweepSettings.default().job
    x = Axis("eps", 1e-10, 0.1, 37, "log")
    y = Axis("momentum", 0.0, 0.99, 13, "linear")
    fixed = tuple((k, v) for k, v in (("centered", True), ("lr", 0.0123), ("rho", 0.95)))
    settings = SweepSettings(job.__class__(**{**job.__dict__, "x": x, "y": y, "fixed": fixed}))
    parsed, warnings = parse(settings.to_query())
    assert warnings == [] and parsed == settings
    np.testing.assert_array_equal(parsed.job.x.values(), x.values())


def test_seeded_from_the_playground_view():
    scenario = Scenario.default("bowl").with_changes(start=(1.0, -1.5), convention="optax", steps=300)
    job = SweepSettings.from_scenario(scenario).job
    assert (job.surface, job.start, job.convention, job.steps, job.optimizer) == (
        "bowl",
        (1.0, -1.5),
        "optax",
        300,
        "rmsprop",
    )
    assert dict(job.fixed)["eps"] == scenario.hp("rmsprop")["eps"]
    only_adam = scenario.with_changes(optimizers=("adam",), hyperparams=(("adam", (("lr", 0.3),)),))
    assert SweepSettings.from_scenario(only_adam).job.optimizer == "adam"


def test_gradient_noise_comes_from_the_playground_and_travels_in_the_link():
    scenario = Scenario.default("saddle").with_changes(noise=0.3, seed=7)
    settings = SweepSettings.from_scenario(scenario)
    assert (settings.job.noise, settings.job.seed) == (0.3, 7)
    query = settings.to_query()
    assert (query["noise"], query["seed"]) == ("0.3", "7")
    assert parse(query) == (settings, [])
    cell = settings.cell_scenario(3, 4)
    assert (cell.noise, cell.seed) == (0.3, 7)  # "Open this run in the Playground" is the same noisy run
    clamped, warnings = parse(query | {"noise": "-1"})
    assert clamped.job.noise == 0.0 and any("noise" in w for w in warnings)


def test_sgd_has_a_single_row():
    x, y = default_axes("sgd")
    assert x.name == "lr" and y is None
    settings, warnings = parse({"opt": "sgd"})
    assert warnings == [] and settings.job.y is None and settings.job.shape == (1, 100)


def test_cell_hyperparameters_match_the_grid():
    job = SweepSettings.default().with_changes().job
    grid = job.grid_hp()
    rows, cols = job.shape
    for i, j in [(0, 0), (cols - 1, 0), (5, rows - 1), (cols - 1, rows - 1)]:
        cell = job.cell_hp(i, j)
        assert cell["lr"] == grid["lr"][j * cols + i] and cell["rho"] == grid["rho"][j * cols + i]
    assert job.x.values()[0] == 1e-4 and job.y.values()[-1] == pytest.approx(0.9999)


def test_cell_scenario_opens_that_run_in_the_playground():
    settings = SweepSettings.default()
    scenario = settings.cell_scenario(10, 20)
    parsed, warnings = Scenario.from_query(scenario.to_query())
    assert warnings == [] and parsed == scenario
    assert scenario.optimizers == ("rmsprop",)
    assert scenario.hp("rmsprop")["lr"] == settings.job.x.values()[10]
    assert scenario.hp("rmsprop")["rho"] == settings.job.y.values()[20]


@pytest.mark.parametrize(
    "query, expect",
    [
        ({"xmin": "1", "xmax": "0.001"}, "reversed"),
        ({"xmin": "0.01", "xmax": "0.01"}, "empty"),
        ({"xmin": "0"}, "needs positive values"),
        ({"xmin": "-3"}, "needs positive values"),
        ({"xmax": "1e9"}, "outside"),
        ({"nx": "1000"}, "resolution: 1000 is outside"),
        ({"ny": "1"}, "outside"),
        ({"nx": "abc"}, "not a number"),
        ({"ny": "12.5"}, "whole number"),
        ({"xmin": "nan"}, "not a finite number"),
        ({"x": "alpha"}, "no number 'alpha'"),
        ({"y": "lr"}, "x axis too"),
        ({"y": "centered"}, "not a number"),
        ({"yscale": "log"}, "does not suit"),
        ({"opt": "adamw"}, "Unknown optimizer"),
        ({"rmsprop.bogus": "1"}, "no hyperparameter 'bogus'"),
        ({"rmsprop.eps": "-1"}, "outside"),
        ({"metric": "speed"}, "not one of"),
        ({"best": "fastest"}, "not one of"),
        ({"cell": "500,2"}, "outside the"),
        ({"cell": "a,b"}, "not 'column,row'"),
        ({"cmp": "sgd,lion"}, "unknown optimizer"),
        ({"surface": "moon"}, "Unknown surface"),
        ({"steps": "-4"}, "outside"),
        ({"start": "9,9"}, "outside the plotted region"),
        ({"conv": "caffe"}, "Unknown convention"),
        ({"foo": "bar"}, "unknown URL parameter"),
    ],
)
def test_bad_urls_give_the_nearest_valid_settings_and_a_warning(query, expect):
    settings, warnings = parse(query)
    assert any(expect.lower() in w.lower() for w in warnings), warnings
    job = settings.job
    for axis in (job.x, job.y):
        if axis is not None:
            p = hp(job.optimizer, axis.name)
            low, high = p.slider_range
            assert low <= axis.low < axis.high <= high
            assert 2 <= axis.count <= MAX_RESOLUTION
            assert axis.scale in scales_for(p)
            assert np.isfinite(axis.values()).all() and (np.diff(axis.values()) > 0).all()
    assert settings.cell is None or (0 <= settings.cell[0] < job.shape[1] and 0 <= settings.cell[1] < job.shape[0])
    assert parse(settings.to_query()) == (settings, [])  # the fixed-up settings are themselves valid


def test_fit_axis_fixes():
    lr = hp("rmsprop", "lr")
    axis, warnings = fit_axis(lr, "10", "1e-3", "50", "log", "x")
    assert (axis.low, axis.high, axis.count) == (1e-3, 10.0, 50) and "reversed" in warnings[0]
    axis, warnings = fit_axis(lr, 0.0, 1.0, 500, "log", "x")
    assert axis.low == lr.slider_range[0] and axis.count == MAX_RESOLUTION and len(warnings) == 2
    rho = hp("rmsprop", "rho")
    axis, warnings = fit_axis(rho, 0.5, 0.5, 20, "log1m", "y")
    assert axis.low < axis.high and "empty" in warnings[0]
    axis, warnings = fit_axis(rho, None, None, None, None, "y")
    assert warnings == [] and axis == Axis.default(rho)


def test_log1m_axis_crowds_values_near_one():
    values = Axis("rho", 0.0, 0.999, 4, "log1m").values()
    np.testing.assert_allclose(values, [0.0, 0.9, 0.99, 0.999])
