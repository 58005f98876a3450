"""The Maps page with a learning-rate schedule: kept in the URL and the Playground links, applied to the
basin map and the sensitivity curves (each equal to a direct ``optim.sweep(..., schedule=...)``)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import numpy as np

import landscapes
import optim
from analysis import basins, sensitivity
from tests.apptest import open_page
from views.maps.settings import MapsSettings

APP = str(Path(__file__).resolve().parents[1] / "app.py")
STEP = optim.Schedule.make("step", every=10, gamma=0.5)


def test_a_schedule_in_the_link_round_trips():
    query = {"surface": "bowl", "sched": "step", "sched.every": "10", "sched.gamma": "0.5", "res": "30"}
    settings, warnings = MapsSettings.from_query(query)
    assert warnings == []
    assert settings.scenario.schedule == STEP
    out = settings.to_query()
    assert (out["sched"], out["sched.every"], out["sched.gamma"]) == ("step", "10", "0.5")
    assert MapsSettings.from_query(out) == (settings, [])


def test_the_basin_map_follows_the_schedule():
    surface = landscapes.get("himmelblau")
    grid = basins.StartGrid.over(surface, 12)
    hp = {"lr": 0.02}
    scheduled = basins.run_endpoints("sgd", surface, grid, 40, schedule=STEP, **hp)
    plain = basins.run_endpoints("sgd", surface, grid, 40, **hp)
    direct = optim.sweep("sgd", surface, start=grid.points, steps=40, schedule=STEP, **hp)
    np.testing.assert_array_equal(scheduled.final_xy, direct.final_xy)
    assert not np.array_equal(scheduled.final_xy, plain.final_xy)


def test_the_sensitivity_curve_follows_the_schedule():
    surface = landscapes.get("rosenbrock")
    lrs = sensitivity.lr_grid("rmsprop", 15)
    args = ("rmsprop", surface, (-1.2, 1.0), lrs, 100, 1e-6, "pytorch")
    scheduled = sensitivity.sensitivity(*args, schedule=STEP, rho=0.9)
    plain = sensitivity.sensitivity(*args, rho=0.9)
    direct = optim.sweep("rmsprop", surface, (-1.2, 1.0), 100, 1e-6, "pytorch", schedule=STEP, lr=lrs, rho=0.9)
    np.testing.assert_array_equal(scheduled.final_loss, direct.final_loss)
    np.testing.assert_array_equal(scheduled.diverged_at, direct.diverged_at)
    assert not np.array_equal(scheduled.final_loss, plain.final_loss)


def test_the_page_applies_and_keeps_a_schedule_from_the_link():
    at = open_page("maps", timeout=120)
    query = {"surface": "bowl", "res": "20", "steps": "100", "lrs": "10", "sched": "step", "sched.every": "20",
             "sched.gamma": "0.5"}  # fmt: skip
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]
    assert any("step decay schedule (every=20, gamma=0.5)" in m.value for m in at.markdown)
    links = [dict(urllib.parse.parse_qsl(link.proto.query_string)) for link in at.get("page_link")]
    playground = [q for q in links if "opt" in q]
    assert len(playground) == 2
    assert all((q["sched"], q["sched.every"], q["sched.gamma"]) == ("step", "20", "0.5") for q in playground)
    at.selectbox(key="maps.surface").set_value("himmelblau").run()  # a widget change keeps the schedule
    assert not at.exception
    assert at.query_params["sched"] in ("step", ["step"])
