"""The Playground's curvature read-out and small multiples through AppTest: toggles, URL, numbers."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
from tests.apptest import charts
from tests.test_playground_page import open_app, open_tab, query_of
from views.common.scenario import Scenario
from views.playground import state


def readout(at) -> dict[str, dict[str, str]]:
    """The curvature table: {optimizer label: {row: text}}."""
    table = next(
        d.value for d in at.dataframe if "λ_min, λ_max" in d.value.index or "α·λ vs its limit" in d.value.index
    )
    return {column: table[column].to_dict() for column in table.columns}


def numbers(text: str) -> list[float]:
    return [float(v) for v in text.split(",")]


def test_scenario_fields_round_trip_through_the_url():
    scenario = Scenario.default("rosenbrock").with_changes(curv=True, k=42, multi=True, steps=300)
    query = scenario.to_query()
    assert (query["curv"], query["k"], query["multi"]) == ("1", "42", "1")
    assert Scenario.from_query(query) == (scenario, [])
    plain = Scenario.default()
    assert not {"curv", "k", "multi"} & set(plain.to_query())  # defaults leave the link short
    k_only = plain.with_changes(k=7)  # the inspector's step travels on its own too
    assert Scenario.from_query(k_only.to_query()) == (k_only, [])


@pytest.mark.parametrize(
    ("query", "expect", "warned"),
    [
        ({"curv": "maybe"}, {"curv": False}, "not on/off"),
        ({"multi": "2"}, {"multi": False}, "not on/off"),
        ({"k": "abc", "curv": "1"}, {"k": 0, "curv": True}, "not a number"),
        ({"k": "-3"}, {"k": 0}, "outside"),
        ({"k": "2.5"}, {"k": 2}, "whole number"),
        ({"k": "500", "steps": "100"}, {"k": 99}, "beyond the run"),
    ],
)
def test_bad_fields_are_fixed_with_a_warning(query, expect, warned):
    scenario, warnings = Scenario.from_query({"surface": "bowl", **query})
    assert {name: getattr(scenario, name) for name in expect} == expect
    assert any(warned in w for w in warnings), warnings


def test_readout_equals_the_analytic_values_on_the_bowl():
    at = open_app({"opt": "sgd,rmsprop", "curv": "1", "k": "5", "steps": "50"})
    assert not at.exception
    assert query_of(at)["curv"] == "1" and query_of(at)["k"] == "5"
    table = readout(at)
    scenario = at.session_state[state.STORED]
    lr = scenario.hp("sgd")["lr"]
    for label in ("SGD", "RMSProp"):
        assert numbers(table[label]["λ_min, λ_max"]) == [1.0, 100.0]
        assert table[label]["condition number"] == "100"
        assert float(table[label]["GD limit 2/λ_max"]) == pytest.approx(0.02)
        assert numbers(table[label]["2/λ per axis (x, y)"]) == [2.0, 0.02]
    assert numbers(table["SGD"]["α at step k (x, y)"]) == pytest.approx([lr, lr], rel=1e-3)
    verdict = table["SGD"]["α·λ vs its limit"]
    assert float(verdict.split()[0]) == pytest.approx(100 * lr, rel=1e-3)
    assert ("stable" in verdict) == (100 * lr < 2)
    contour = charts(at)[0]
    names = [t.get("name") for t in contour["data"]]
    assert "SGD: curvature at step 5" in names and "iterate at step k" in names


def test_toggles_change_the_view_and_the_link():
    at = open_app({"opt": "sgd,momentum,adagrad,rmsprop,adam"})
    assert not at.exception
    at.toggle(key=state.MULTI).set_value(True).run()
    assert not at.exception and query_of(at)["multi"] == "1"
    spec = charts(at)[0]
    assert {f"xaxis{i}" for i in range(2, 6)} <= set(spec["layout"])
    at.toggle(key=state.CURV).set_value(True).run()
    assert not at.exception and query_of(at)["curv"] == "1"
    at.slider(key=state.STEP_K).set_value(12).run()
    assert not at.exception and query_of(at)["k"] == "12"
    spec = charts(at)[0]
    assert sum(1 for t in spec["data"] if str(t.get("name", "")).endswith("curvature at step 12")) == 5
    assert len(readout(at)) == 5


def test_inspector_follows_the_curvature_step():
    at = open_tab(open_app({"opt": "sgd,adam", "curv": "1", "k": "7", "steps": "40"}), "Step inspector")
    assert not at.exception
    assert any("Step k = 7" in c.value for c in at.caption)
    tables = [d.value for d in at.dataframe if "position θ (step k)" in d.value.index]
    assert len(tables) == 2
    scenario = at.session_state[state.STORED]
    sgd = next(p for p in tables)
    assert np.isfinite(sgd.loc["position θ (step k)"].to_numpy()).all() and scenario.k == 7


def test_no_readout_beyond_divergence():
    at = open_app({"opt": "sgd,adam", "sgd.lr": "0.05", "curv": "1", "k": "40", "steps": "60"})
    assert not at.exception
    table = readout(at)
    assert "left the region at step" in table["SGD"]["iterate θ_k"]
    assert table["SGD"]["λ_min, λ_max"] == "—" and table["SGD"]["α·λ vs its limit"] == "no read-out"
    assert "Adam" in table and table["Adam"]["λ_min, λ_max"] == "1, 100"


def test_saddle_and_custom_surfaces():
    at = open_app({"surface": "saddle", "curv": "1", "k": "3"})
    assert not at.exception
    assert all(col["condition number"] == "indefinite (saddle)" for col in readout(at).values())
    at = open_app({"surface": "custom", "custom.expr": "x**2+10*y**2+x*y", "curv": "1", "k": "2", "multi": "1"})
    assert not at.exception
    for col in readout(at).values():
        lo, hi = numbers(col["λ_min, λ_max"])
        assert lo == pytest.approx(11 - np.sqrt(82), rel=1e-3) and hi == pytest.approx(11 + np.sqrt(82), rel=1e-3)


@pytest.mark.parametrize("surface", landscapes.names())
def test_every_surface_renders_with_both_options(surface):
    at = open_app({"surface": surface, "curv": "1", "k": "10", "multi": "1"})
    assert not at.exception, [e.value for e in at.exception]
    assert len(charts(at)) == 3
