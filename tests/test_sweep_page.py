"""The Sweep page through Streamlit's AppTest: defaults, axes, cells, bad links, extremes."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optim
from tests.apptest import charts, open_page
from views.common.links import PAGES
from views.sweep import state
from views.sweep.settings import DEFAULT_COMPARE, SweepSettings
from viz.heatmap import to_plot

APP = str(Path(__file__).resolve().parents[1] / "app.py")
SMALL = {"surface": "bowl", "nx": "20", "ny": "15", "steps": "100"}


def open_sweep(query: dict[str, str] | None = None) -> AppTest:
    at = open_page("sweep", timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def query_of(at: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def heatmap(at: AppTest) -> dict | None:
    return next((c for c in charts(at) if any(t["type"] == "heatmap" for t in c["data"])), None)


def links(at: AppTest) -> dict[str, dict[str, str]]:
    """Page links by label: their query parameters."""
    return {link.proto.label: dict(urllib.parse.parse_qsl(link.proto.query_string)) for link in at.get("page_link")}


def assert_healthy(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_defaults_render_a_heatmap_and_the_comparison():
    at = open_sweep()
    assert_healthy(at)
    assert not at.warning
    assert query_of(at) == SweepSettings.default().to_query()
    spec = heatmap(at)
    colour = spec["data"][0]
    assert colour["type"] == "heatmap" and colour["colorbar"]["title"]["text"] == "final f − f*"
    names = [t.get("name") for t in spec["data"]]
    assert {"diverged", "cells", "best"} <= set(names)
    assert spec["layout"]["xaxis"]["title"]["text"] == "learning rate (lr)"
    assert spec["layout"]["yaxis"]["title"]["text"] == "decay rate rho"
    table = at.dataframe[0].value
    assert list(table.index) == [optim.get(n).label for n in DEFAULT_COMPARE]
    assert table["best lr"].notna().all()
    assert len(charts(at)) == 4  # map, chosen run, comparison paths, lr search
    assert "Open this run in the Playground" in links(at)


def test_changing_the_x_axis_and_the_metric():
    at = open_sweep(SMALL)
    at.selectbox(key=state.axis_key("x")).set_value("eps").run()
    assert_healthy(at)
    query = query_of(at)
    assert (query["x"], query["y"]) == ("eps", "rho") and "xscale" not in query  # eps: log, the default
    assert "rmsprop.lr" in query and "rmsprop.eps" not in query  # lr is now fixed, eps swept
    assert heatmap(at)["layout"]["xaxis"]["title"]["text"] == "epsilon (eps)"
    at.selectbox(key=state.axis_key("y")).set_value("eps").run()  # clash: x moves to another number
    assert_healthy(at)
    assert query_of(at)["y"] == "eps" and query_of(at)["x"] != "eps"
    at.radio(key=state.METRIC).set_value("steps").run()
    assert heatmap(at)["data"][0]["colorbar"]["title"]["text"] == "steps to tol"
    at.radio(key=state.METRIC).set_value("diverged").run()
    assert_healthy(at)
    assert query_of(at)["metric"] == "diverged"


def test_typed_bad_ranges_are_clamped_with_a_warning():
    at = open_sweep(SMALL)
    at.number_input(key=state.axis_key("x", "low")).set_value(-1.0).run()
    assert_healthy(at)
    assert any("positive" in w.value for w in at.warning)
    assert float(query_of(at)["xmin"]) > 0
    at.number_input(key=state.axis_key("x", "low")).set_value(5.0)
    at.number_input(key=state.axis_key("x", "high")).set_value(0.01).run()
    assert any("reversed" in w.value for w in at.warning)
    assert (float(query_of(at)["xmin"]), float(query_of(at)["xmax"])) == (0.01, 5.0)


def test_choosing_a_cell_links_to_that_run():
    at = open_sweep(SMALL)
    best = links(at)["Open this run in the Playground"]
    at.select_slider(key=state.CELL_X).set_value(3).run()
    at.select_slider(key=state.CELL_Y).set_value(7).run()
    assert_healthy(at)
    assert query_of(at)["cell"] == "3,7"
    job = at.session_state[state.STORED].job
    link = links(at)["Open this run in the Playground"]
    assert link != best
    assert float(link["rmsprop.lr"]) == job.x.values()[3]
    assert float(link["rmsprop.rho"]) == job.y.values()[7]
    assert (link["opt"], link["surface"], link["steps"]) == ("rmsprop", "bowl", "100")


def test_a_click_on_the_map_picks_the_nearest_cell():
    job = SweepSettings.default().job
    x, y = to_plot(job.x.values(), "log")[5], to_plot(job.y.values(), "log1m")[9]
    assert state.cell_at(job, x + 1e-3, y - 1e-3) == (5, 9)
    assert state.cell_at(job, -99.0, 99.0) == (0, job.y.count - 1)


@pytest.mark.parametrize(
    "query, expect",
    [
        ({"xmin": "0", "xmax": "-1"}, "positive"),
        ({"xmin": "1", "xmax": "0.001"}, "reversed"),
        ({"nx": "5000"}, "outside"),
        ({"x": "alpha"}, "no number"),
        ({"rmsprop.gamma": "2"}, "no hyperparameter"),
        ({"surface": "moon"}, "Unknown surface"),
        ({"cell": "999,999"}, "outside"),
        ({"metric": "fast"}, "not one of"),
        ({"junk": "1"}, "unknown URL parameter"),
    ],
)
def test_bad_url_parameters_give_warnings_not_exceptions(query, expect):
    at = open_sweep(SMALL | query)
    assert_healthy(at)
    assert any(expect.lower() in w.value.lower() for w in at.warning), [w.value for w in at.warning]
    assert heatmap(at) is not None


def test_all_diverged_gives_a_clear_message_not_an_empty_plot():
    at = open_sweep({"surface": "rosenbrock", "opt": "sgd", "xmin": "2", "xmax": "10", "nx": "10", "steps": "50"})
    assert_healthy(at)
    assert heatmap(at) is None
    assert any("Every one of the 10 runs diverged" in e.value for e in at.error)


def test_saddle_has_no_steps_to_tolerance():
    at = open_sweep({"surface": "saddle", "metric": "steps", "nx": "10", "ny": "10"})
    assert_healthy(at)
    assert any("undefined" in i.value for i in at.info)
    assert heatmap(at)["data"][0]["colorbar"]["title"]["text"] == "final f (symlog)"
    assert (at.dataframe[0].value["steps to tol"] == "undefined").all()


def test_unsupported_framework_is_a_note():
    at = open_sweep(SMALL | {"opt": "nadam", "conv": "tf1", "cmp": "nadam,adam"})
    assert_healthy(at)
    assert any("cannot run" in i.value for i in at.info)
    assert list(at.dataframe[0].value.index) == ["Adam"]


def test_single_row_for_sgd():
    at = open_sweep({"surface": "bowl", "opt": "sgd", "nx": "30", "steps": "50"})
    assert_healthy(at)
    assert query_of(at)["y"] == "none"
    z = heatmap(at)["data"][0]["z"]
    assert np.frombuffer(__import__("base64").b64decode(z["bdata"]), np.float32).size == 30


def test_a_large_sweep_waits_for_the_button_then_runs():
    at = open_sweep({"surface": "bowl", "nx": "200", "ny": "200", "steps": "2000", "cmp": ""})
    assert_healthy(at)
    assert heatmap(at) is None
    assert any("about" in i.value for i in at.info)
    at.button[0].click().run()
    assert_healthy(at)
    assert heatmap(at) is not None


def test_gradient_noise_changes_the_map_and_travels_to_the_playground():
    quiet = open_sweep(SMALL | {"surface": "saddle"})
    at = open_sweep(SMALL | {"surface": "saddle"})
    at.select_slider(key=state.NOISE).set_value(0.3).run()
    assert_healthy(at)
    query = query_of(at)
    assert query["noise"] == "0.3" and "seed" not in query  # seed 0, the default
    assert not at.number_input(key=state.SEED).disabled and quiet.number_input(key=state.SEED).disabled
    noisy_z, quiet_z = heatmap(at)["data"][0]["z"], heatmap(quiet)["data"][0]["z"]
    assert noisy_z != quiet_z
    assert "gradient noise of std 0.3" in " ".join(m.value for m in at.markdown)
    link = links(at)["Open this run in the Playground"]
    assert link["noise"] == "0.3" and "seed" not in link
    at.number_input(key=state.SEED).set_value(9).run()
    assert query_of(at)["seed"] == "9" and heatmap(at)["data"][0]["z"] != noisy_z


def test_seeded_from_the_playground():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["surface"] = "himmelblau"
    at.query_params["start"] = "1,-2"
    at.run()
    assert at.session_state["pg.scenario"].surface == "himmelblau"
    at.query_params.clear()
    at.switch_page(PAGES["sweep"].file).run()
    assert_healthy(at)
    query = query_of(at)
    assert (query["surface"], query["start"]) == ("himmelblau", "1.0,-2.0")


def test_a_custom_formula_from_a_link_is_swept_and_kept():
    at = open_sweep({"surface": "custom", "custom.expr": "x**2+3*y**2", "nx": "10", "ny": "10", "cmp": "adam"})
    assert_healthy(at)
    assert not at.warning and heatmap(at) is not None
    assert query_of(at)["custom.expr"] == "x**2+3*y**2"
    assert links(at)["Open this run in the Playground"]["custom.expr"] == "x**2+3*y**2"
    at.selectbox(key=state.SURFACE).set_value("bowl").run()
    assert_healthy(at)
    assert query_of(at)["surface"] == "bowl" and "custom.expr" not in query_of(at)
