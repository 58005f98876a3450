"""The Sweep page with a learning-rate schedule: kept in the URL and the Playground links, applied to
every cell, the fair comparison and the chosen run (each equal to ``optim.run(..., schedule=...)``)."""

from __future__ import annotations

import urllib.parse
from dataclasses import replace
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

import landscapes
import optim
from analysis import tuning
from tests.apptest import open_page
from views.common.links import PAGES
from views.common.scenario import Scenario
from views.sweep import grid as sweep_grid
from views.sweep.settings import SweepSettings

APP = str(Path(__file__).resolve().parents[1] / "app.py")
COSINE = optim.Schedule.make("cosine", T=60, floor=0.1, warmup=10, warmup_start=0.2)


def test_a_schedule_in_the_link_round_trips():
    query = {"surface": "bowl", "nx": "12", "ny": "8", "steps": "100", "sched": "step", "sched.every": "25",
             "sched.gamma": "0.5", "sched.warmup": "5"}  # fmt: skip
    settings, warnings = SweepSettings.from_query(query)
    assert warnings == []
    assert settings.job.schedule == optim.Schedule.make("step", every=25, gamma=0.5, warmup=5)
    out = settings.to_query()
    assert (out["sched"], out["sched.every"], out["sched.gamma"], out["sched.warmup"]) == ("step", "25", "0.5", "5")
    assert SweepSettings.from_query(out) == (settings, [])
    assert settings.cell_scenario(0, 0).schedule == settings.job.schedule


def test_a_bad_schedule_parameter_is_warned_about_once_not_as_unknown():
    settings, warnings = SweepSettings.from_query({"sched": "cosine", "sched.T": "100", "sched.every": "3"})
    assert settings.job.schedule == optim.Schedule.make("cosine", T=100)
    assert len(warnings) == 1 and "every" in warnings[0] and "unknown URL" not in warnings[0]


def test_seeded_from_a_playground_view_with_a_schedule():
    scenario = Scenario.default("bowl").with_changes(schedule=COSINE)
    settings = SweepSettings.from_scenario(scenario)
    assert settings.job.schedule == COSINE
    assert settings.job.scenario().schedule == COSINE
    assert SweepSettings.from_query(settings.to_query()) == (settings, [])


def test_a_cell_with_a_schedule_equals_optim_run_exactly():
    job = SweepSettings.default("rosenbrock", "rmsprop").job
    job = replace(job, steps=120, schedule=COSINE, x=replace(job.x, count=9, high=3.0), y=replace(job.y, count=5))
    surface = landscapes.get(job.surface, **dict(job.surface_params))
    parts = [sweep_grid.run_chunk(job, surface, a, b) for a, b in sweep_grid.chunks(job)]
    grid = sweep_grid.Grid.combine(job, parts, surface.min_value)
    plain = sweep_grid.run_chunk(replace(job, schedule=None), surface, 0, job.cells)
    assert not np.array_equal(grid.final_loss.ravel(), plain.final_loss)  # the schedule matters
    axes = {job.x.name, job.y.name}
    for i, j in [(0, 0), (4, 2), (8, 4), (8, 0)]:
        hp = {k: np.array([v]) if k in axes else v for k, v in job.cell_hp(i, j).items()}
        traj = optim.run(job.optimizer, surface, job.start, job.steps, job.convention, schedule=COSINE, **hp)
        assert grid.final_loss[j, i] == traj.loss[-1, 0]
        assert grid.diverged_at[j, i] == traj.diverged_at[0]


def test_the_lr_search_follows_the_schedule():
    surface = landscapes.get("bowl")
    args = ("adam", surface, (-1.5, 1.0), 80, 1e-6, "pytorch", {"lr": 0.1}, "loss")
    scheduled = tuning.tune_lr(*args, schedule=COSINE)
    direct = optim.sweep(
        "adam", surface, (-1.5, 1.0), 80, 1e-6, "pytorch", schedule=COSINE, lr=tuning.lr_grid("adam", tuning.LR_POINTS)
    )
    np.testing.assert_array_equal(scheduled.result.final_loss, direct.final_loss)
    assert not np.array_equal(tuning.tune_lr(*args).result.final_loss, direct.final_loss)


def test_the_page_applies_and_keeps_a_schedule_from_the_link():
    at = open_page("sweep", timeout=120)
    query = {"surface": "bowl", "nx": "10", "ny": "8", "steps": "100", "cmp": "sgd,adam", "sched": "cosine",
             "sched.T": "100"}  # fmt: skip
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]
    assert at.query_params["sched"] in ("cosine", ["cosine"])
    assert any("cosine decay schedule (T=100" in m.value for m in at.markdown)
    links = {link.proto.label: dict(urllib.parse.parse_qsl(link.proto.query_string)) for link in at.get("page_link")}
    for label in ("Open this run in the Playground", "Open the tuned optimizers in the Playground"):
        assert (links[label]["sched"], links[label]["sched.T"]) == ("cosine", "100"), label
    at.selectbox(key="sw.optimizer").set_value("adam").run()  # a widget change keeps the schedule
    assert not at.exception
    assert at.query_params["sched"] in ("cosine", ["cosine"])


def test_the_page_seeded_from_the_playground_keeps_its_schedule():
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in {"surface": "bowl", "steps": "100", "sched": "exponential", "sched.gamma": "0.98"}.items():
        at.query_params[key] = value
    at.run()
    assert at.session_state["pg.scenario"].schedule == optim.Schedule.make("exponential", gamma=0.98)
    at.query_params.clear()
    at.switch_page(PAGES["sweep"].file).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["sched"] in ("exponential", ["exponential"])
    assert at.query_params["sched.gamma"] in ("0.98", ["0.98"])
