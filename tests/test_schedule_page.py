"""Learning-rate schedules in the Scenario (URL round trip, clamping) and on the Playground page (AppTest)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optim
from optim import Schedule
from tests.apptest import charts
from views.common import schedule as schedule_ui
from views.common.scenario import Scenario

APP = str(Path(__file__).resolve().parents[1] / "app.py")
COSINE = {"sched": "cosine", "sched.T": "120", "sched.floor": "0.05", "sched.warmup": "30", "sched.warmup_start": "0.1"}


@pytest.mark.parametrize(
    "schedule",
    [
        None,
        Schedule.make("step", every=25, gamma=0.3),
        Schedule.make("exponential", gamma=0.995),
        Schedule.make("cosine", T=400, floor=0.02, warmup=50, warmup_start=0.0),
        Schedule.make("constant", warmup=15, warmup_start=0.25),
    ],
)
def test_scenario_round_trip(schedule):
    scenario = Scenario.default("rosenbrock").with_changes(schedule=schedule)
    query = scenario.to_query()
    assert ("sched" in query) == (schedule is not None)
    back, warnings = Scenario.from_query(query)
    assert back == scenario and not warnings
    assert schedule_ui.from_session(schedule_ui.widget_values(schedule)) == schedule


def test_scenario_clamps_and_warns():
    scenario, warnings = Scenario.from_query({"sched": "step", "sched.every": "0", "sched.gamma": "7", "sched.T": "9"})
    assert scenario.schedule == Schedule.make("step", every=1, gamma=1.0)
    assert any("every" in w and "using 1" in w for w in warnings)
    assert any("γ" in w for w in warnings) and any("no parameter 'T'" in w for w in warnings)
    scenario, warnings = Scenario.from_query({"sched": "zigzag", "sched.warmup": "abc"})
    assert scenario.schedule is None and any("zigzag" in w for w in warnings) and any("abc" in w for w in warnings)
    scenario, warnings = Scenario.from_query({"sched": "constant"})
    assert scenario.schedule is None and not warnings  # constant without warm-up is no schedule at all
    scenario, _ = Scenario.from_query({"sched": "cosine", "sched.T": "2.5"})
    assert scenario.schedule.values()["T"] in (2, 3)


# ----------------------------------------------------------------------------- the page


def open_app(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def query_of(at: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def effective_lr_series(at: AppTest) -> list[str]:
    """The effective-lr chart's y data, as sent (Plotly may encode arrays as typed-array dicts)."""
    for spec in charts(at):
        if "Effective learning rate" in json.dumps(spec.get("layout", {}).get("title", "")):
            return [json.dumps(trace["y"], sort_keys=True) for trace in spec["data"] if "y" in trace]
    raise AssertionError("no effective-lr chart")


def test_schedule_controls_render_from_the_link_and_change_the_chart():
    base = {"surface": "rosenbrock", "opt": "rmsprop", "steps": "200"}
    plain = open_app(base)
    at = open_app(base | COSINE)
    assert not at.exception and not plain.exception
    assert "Learning-rate schedule" in [e.label for e in at.sidebar.expander]
    assert at.selectbox(key=schedule_ui.KIND).value == "cosine"
    assert at.number_input(key=schedule_ui.key("cosine", "T")).value == 120
    assert query_of(at)["sched.warmup"] == "30"
    scheduled, constant = effective_lr_series(at), effective_lr_series(plain)
    assert len(scheduled) == len(constant)
    assert scheduled != constant
    traj = optim.run("rmsprop", "rosenbrock", steps=200, schedule=Scenario.from_query(base | COSINE)[0].schedule)
    assert np.all(traj.effective_lr[0] < traj.effective_lr[29])  # the warm-up ramps up


def test_changing_the_kind_updates_the_url_and_the_code():
    at = open_app({"opt": "adam"} | COSINE)
    at.selectbox(key=schedule_ui.KIND).set_value("step").run()
    assert not at.exception
    query = query_of(at)
    assert query["sched"] == "step" and "sched.every" in query and "sched.T" not in query
    assert query["sched.warmup"] == "30"  # the warm-up is shared by every kind
    at.number_input(key=schedule_ui.key("step", "every")).set_value(40).run()
    assert query_of(at)["sched.every"] == "40"
    at.selectbox(key=schedule_ui.KIND).set_value("constant").run()
    at.number_input(key=schedule_ui.key("constant", "warmup")).set_value(0).run()
    assert "sched" not in query_of(at)


def test_code_tab_and_inspector_show_the_schedule():
    at = open_app({"opt": "rmsprop"} | COSINE)
    at.session_state["pg.tab"] = "Code"
    at.run()
    codes = " ".join(c.value for c in at.code)
    assert (
        "CosineAnnealingLR(optimizer, T_max=120" in codes
        and "SequentialLR" in codes
        and "LinearLR(optimizer, start_factor=0.1, total_iters=30)" in codes
    )
    at.radio(key="pg.code_framework").set_value("optax").run()
    assert "optax.warmup_cosine_decay_schedule(" in " ".join(c.value for c in at.code)
    at.session_state["pg.tab"] = "Step inspector"
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Learning rate of step 0:" in captions and "× 0.1 (schedule)" in captions
