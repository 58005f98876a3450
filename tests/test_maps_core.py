"""Basin classification, learning-rate sensitivity and the Maps page's URL settings (no Streamlit)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import landscapes
from analysis import basins, sensitivity
from views.maps.settings import DEFAULT_RES, MapsSettings
from viz.basins import Panel, basin_figure, grid_shape
from viz.sensitivity import sensitivity_figure

HIMMELBLAU = landscapes.get("himmelblau")


def _classify(surface, grid, **runs_hp):
    runs = {name: basins.run_endpoints(name, surface, grid, 300, **hp) for name, hp in runs_hp.items()}
    return basins.classify(surface, grid, runs, radius=0.02)


def test_gd_from_near_each_himmelblau_minimum_reaches_it():
    starts = HIMMELBLAU.minima + 0.3
    ends = basins.Endpoints(optim_final(starts), np.zeros(len(starts), bool), np.ones(len(starts), bool))
    grid = basins.StartGrid(np.arange(4.0), np.zeros(1))  # shape (1, 4): one row of the four starts
    attractors, labels = basins.classify(HIMMELBLAU, grid, {"sgd": ends})
    assert [a.kind for a in attractors] == ["global"] * 4
    assert labels["sgd"].ravel().tolist() == [0, 1, 2, 3]
    assert attractors[0].label == "1: min (3, 2)"


def optim_final(starts: np.ndarray) -> np.ndarray:
    import optim

    return optim.sweep("sgd", HIMMELBLAU, start=starts, steps=300, lr=0.005).final_xy


def test_symmetric_surface_gives_a_symmetric_map():
    # Six-hump camel is symmetric under (x, y) -> (-x, -y); the grid is too, so the map is point-symmetric.
    camel = landscapes.get("six_hump_camel")
    grid = basins.StartGrid.over(camel, 40)  # even: the saddle at the origin is not a start
    attractors, labels = _classify(camel, grid, sgd={"lr": 0.03})
    label = labels["sgd"]
    mirror = {a.number - 1: _mirror_index(a, attractors) for a in attractors}
    mapped = np.vectorize(lambda c: mirror.get(c, c))(label[::-1, ::-1])
    assert (mapped == label).mean() > 0.99
    assert {a.kind for a in attractors} == {"global", "local"}  # local minima are listed and reached


def _mirror_index(attractor, attractors) -> int:
    target = -np.asarray(attractor.point)
    return int(np.argmin([np.hypot(*(np.asarray(a.point) - target)) for a in attractors]))


def test_unlisted_minima_are_found_by_clustering():
    rastrigin = landscapes.get("rastrigin")
    grid = basins.StartGrid.over(rastrigin, 40)
    attractors, labels = _classify(rastrigin, grid, sgd={"lr": 0.002})
    found = [a for a in attractors if a.kind == "found minimum"]
    assert found and len(attractors) <= basins.MAX_ATTRACTORS + 1
    for a in found:  # local minima of Rastrigin sit near integer points
        assert np.allclose(np.round(a.point), a.point, atol=0.05)
    assert attractors[-1].kind == "other minima"
    assert (labels["sgd"] >= 0).mean() > 0.95


def test_saddle_has_no_attractor_and_diverging_runs_are_flagged():
    saddle = landscapes.get("saddle")
    grid = basins.StartGrid.over(saddle, 20)  # even: no start exactly on the stable line y = 0
    attractors, labels = _classify(saddle, grid, sgd={"lr": 0.05})
    assert attractors == ()
    assert set(np.unique(labels["sgd"])) <= {basins.DIVERGED, basins.NOT_CONVERGED}
    assert (labels["sgd"] == basins.DIVERGED).any()


def test_a_saddle_point_reached_on_its_stable_line_is_not_called_a_minimum():
    saddle = landscapes.get("saddle")
    ends = basins.Endpoints(np.array([[1e-12, 0.0]]), np.array([False]), np.array([True]))
    attractors, labels = basins.classify(saddle, basins.StartGrid(np.zeros(1), np.zeros(1)), {"sgd": ends})
    assert [a.kind for a in attractors] == ["stationary"] and labels["sgd"][0, 0] == 0


def test_undefined_starts_are_skipped_not_fatal():
    surface = landscapes.from_expression("log(x) + y**2", domain=((-1.0, 3.0), (-1.0, 1.0)))
    grid = basins.StartGrid.over(surface, 12)
    _, labels = _classify(surface, grid, sgd={"lr": 0.01})
    assert (labels["sgd"][:, grid.xs <= 0] == basins.UNDEFINED).all()


def test_shares_add_up():
    attractors, labels = _classify(HIMMELBLAU, basins.StartGrid.over(HIMMELBLAU, 20), sgd={"lr": 0.01})
    assert sum(basins.shares(labels["sgd"], attractors).values()) == pytest.approx(1.0)


def test_sensitivity_windows_and_divergence_edge_on_the_bowl():
    bowl = landscapes.get("bowl", condition=10.0)
    curve = sensitivity.sensitivity("sgd", bowl, (1.0, 1.0), sensitivity.lr_grid("sgd", 60), 300)
    # Gradient descent on 1/2 (x^2 + 10 y^2) is stable iff lr < 2/10.
    assert curve.edge == pytest.approx(0.2, rel=0.25)
    [(_, high)] = curve.windows(curve.stable)
    assert high < 0.2 < curve.edge * 1.3
    assert curve.windows(curve.ends_within_tol)[-1][1] < 0.2
    assert 0.05 < curve.lrs[curve.best()] < 0.2


def test_segments():
    assert sensitivity.segments(np.array([0, 1, 1, 0, 1], bool)) == [(1, 2), (4, 4)]
    assert sensitivity.segments(np.zeros(3, bool)) == []


def test_figures_validate():
    grid = basins.StartGrid.over(HIMMELBLAU, 30)
    attractors, labels = _classify(HIMMELBLAU, grid, sgd={"lr": 0.01}, adam={"lr": 0.2})
    panels = [Panel(n, n, labels[n]) for n in labels]
    go.Figure(basin_figure(HIMMELBLAU, grid.xs, grid.ys, panels, attractors).to_dict())
    curves = [
        sensitivity.sensitivity(n, HIMMELBLAU, (0.0, 0.0), sensitivity.lr_grid(n, 20), 100) for n in ("sgd", "adam")
    ]
    for metric in ("loss", "steps"):
        go.Figure(sensitivity_figure(curves, metric, 100).to_dict())
    assert grid_shape(6) == (2, 3) and grid_shape(4) == (1, 4) and grid_shape(4, aspect=2.0) == (2, 2)


def test_every_hoverable_point_of_a_basin_map_picks_a_start():
    """A click reports only the point under the cursor: every trace a click can land on (the invisible click
    layer and the numbered minima on top of it) names its panel, or the click would be lost."""
    grid = basins.StartGrid.over(HIMMELBLAU, 30)
    attractors, labels = _classify(HIMMELBLAU, grid, sgd={"lr": 0.01}, adam={"lr": 0.2})
    panels = [Panel(n, n, labels[n]) for n in labels]
    spec = basin_figure(HIMMELBLAU, grid.xs, grid.ys, panels, attractors).spec
    hoverable = [t for t in spec["data"] if t.get("hoverinfo") != "skip" and t["x"] != [None]]
    minima = [t for t in hoverable if t["name"] == "minimum (numbered)"]
    assert len(minima) == len(panels)
    assert [t["meta"] for t in minima] == [p.name for p in panels]
    assert all(t.get("meta") in labels for t in hoverable)


# ----------------------------------------------------------------------------- settings


def test_default_settings_round_trip():
    settings, warnings = MapsSettings.from_query({})
    assert warnings == []
    assert settings.scenario.surface == "himmelblau" and settings.resolution == DEFAULT_RES
    assert MapsSettings.from_query(settings.to_query()) == (settings, [])


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ({"res": "5000"}, "resolution", 200),
        ({"res": "3"}, "resolution", 20),
        ({"res": "abc"}, "resolution", DEFAULT_RES),
        ({"radius": "nan"}, "radius", 0.02),
        ({"radius": "9"}, "radius", 0.2),
        ({"metric": "speed"}, "metric", "loss"),
        ({"lrs": "1e9"}, "lr_count", 200),
        ({"lrs": "30.5"}, "lr_count", 30),
    ],
)
def test_bad_values_are_clamped_with_a_warning(query, field, expected):
    settings, warnings = MapsSettings.from_query(query)
    assert getattr(settings, field) == expected
    assert len(warnings) >= 1


def test_scenario_parameters_are_parsed_by_the_scenario():
    settings, warnings = MapsSettings.from_query(
        {"surface": "bowl", "bowl.condition": "50", "opt": "adam,bogus", "adam.lr": "0.3", "steps": "99999",
         "conv": "keras", "metric": "steps"}
    )  # fmt: skip
    s = settings.scenario
    assert (s.surface, s.params()["condition"], s.optimizers, s.hp("adam")["lr"]) == ("bowl", 50.0, ("adam",), 0.3)
    assert s.steps == 2000 and s.convention == "keras" and settings.metric == "steps"
    assert len(warnings) == 2  # the unknown optimizer and the clamped steps
