"""The Playground page through Streamlit's AppTest: defaults, every widget, URL round trip, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optim
from tests.apptest import charts
from views.common import presets
from views.common.links import PAGES
from views.common.scenario import Scenario
from views.playground import state

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def open_sections(at: AppTest, *sections: str) -> AppTest:
    """Open sidebar expanders that draw their controls only while open (an optimizer's name, or "sched"),
    as a click on their titles does, and rerun."""
    for section in sections:
        at.session_state[state.open_key(section)] = True
    return at.run()


def query_of(at: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def contour_spec(at: AppTest) -> dict:

    return charts(at)[0]


def as_array(value) -> np.ndarray:
    """A trace array from the chart's JSON (plotly sends numpy arrays as base64 typed arrays)."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<"))
    return np.asarray(value)


def path_traces(at: AppTest) -> dict[str, dict]:
    """The drawn path of each optimizer on the contour, by legend name."""
    traces = contour_spec(at)["data"]
    labels = {optim.get(n).label for n in optim.names()}
    return {t["name"]: t for t in traces if t.get("name") in labels}


def assert_healthy(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert len(charts(at)) == 3  # contour, loss, effective lr (the 3-D view is in a lazy tab)


def test_default_view():
    at = open_app()
    assert_healthy(at)
    assert query_of(at) == Scenario.default().to_query()
    assert set(path_traces(at)) == {optim.get(n).label for n in presets.preset("bowl").optimizers}
    table = at.dataframe[0].value
    assert list(table.index) == [optim.get(n).label for n in presets.preset("bowl").optimizers]
    assert not at.warning


def test_share_link_round_trip_reproduces_the_view():
    scenario = Scenario.default("rosenbrock").with_changes(
        optimizers=("sgd", "rmsprop", "adam"),
        hyperparams=(
            ("sgd", (("lr", 0.0015),)),
            ("rmsprop", (("centered", True), ("eps", 1e-6), ("lr", 0.004), ("momentum", 0.5), ("rho", 0.95))),
            ("adam", (("amsgrad", True), ("beta1", 0.8), ("beta2", 0.99), ("eps", 1e-8), ("lr", 0.03))),
        ),
        convention="keras",
        start=(-1.5, 2.0),
        steps=300,
        noise=0.01,
        seed=7,
        tol=1e-4,
    )
    at = open_app(scenario.to_query())
    assert_healthy(at)
    assert not at.warning
    assert query_of(at) == scenario.to_query()
    assert at.session_state[state.STORED] == scenario
    assert at.session_state[state.hp_key("rmsprop", "rho")] == 0.95
    assert at.radio(key=state.CONVENTION).value == "keras"
    # the drawn path is the one the core computes for exactly this scenario
    expected = optim.run(
        "rmsprop", "rosenbrock", (-1.5, 2.0), 300, convention="keras", noise=0.01, seed=7, **scenario.hp("rmsprop")
    )
    drawn = path_traces(at)["RMSProp"]
    np.testing.assert_array_equal(as_array(drawn["x"])[-1], expected.xy[-1, 0])
    np.testing.assert_array_equal(as_array(drawn["y"])[-1], expected.xy[-1, 1])


@pytest.mark.parametrize(
    "query, expect",
    [
        ({"surface": "moon"}, "Unknown surface"),
        ({"opt": "adamw,,;drop table"}, "Unknown optimizer"),
        ({"rmsprop.lr": "NaN"}, "not a finite number"),
        ({"rmsprop.lr": "1e9"}, "outside"),
        ({"rmsprop.rho": "-3"}, "outside"),
        ({"rmsprop.centered": "maybe"}, "not on/off"),
        ({"start": "1e308,abc"}, "not a point"),
        ({"start": "40,-40"}, "outside the plotted region"),
        ({"steps": "-5"}, "outside"),
        ({"steps": "2.5"}, "whole number"),
        ({"conv": "caffe"}, "Unknown convention"),
        ({"bowl.condition": "0"}, "outside"),
        ({"seed": "x"}, "not a number"),
        ({"foo": "bar"}, "unknown URL parameter"),
        ({"sgd.alpha": "3"}, "no hyperparameter"),
    ],
)
def test_junk_urls_give_the_nearest_valid_view_and_a_warning(query, expect):
    at = open_app(query)
    assert_healthy(at)
    assert any(expect.lower() in w.value.lower() for w in at.warning), [w.value for w in at.warning]


def test_a_links_warning_goes_once_the_view_is_changed_and_stays_gone():
    """The header warns about the link until the student changes the view; a later run that changes nothing (an
    expander opened, a tab) does not bring the warning back."""
    at = open_app({"steps": "abc"})
    assert at.warning
    at.select_slider(key="pg.steps").set_value(500).run()
    assert_healthy(at)
    assert not at.warning
    at.run()
    assert not at.warning


def test_unknown_keys_of_streamlit_itself_are_not_warned_about():
    at = open_app({"embed": "true", "embed_options": "light_theme"})
    assert_healthy(at)
    assert not at.warning
    assert query_of(at)["embed"] == "true"  # kept while the view's own parameters are written


@pytest.mark.parametrize(
    "query",
    [
        {"surface": "rosenbrock", "opt": "sgd,rmsprop", "sgd.lr": "10", "rmsprop.lr": "10"},
        {"opt": "rmsprop,adam,adagrad", "rmsprop.eps": "0", "adam.eps": "0", "adagrad.eps": "0"},
        {"opt": "rmsprop", "rmsprop.rho": "0"},
        {"opt": "rmsprop,adadelta", "rmsprop.rho": "0.9999", "adadelta.rho": "0.9999"},
        {"surface": "rosenbrock", "steps": "10000", "opt": ",".join(optim.names())},
        {"surface": "beale", "start": "-4.5,4.5", "opt": ",".join(optim.names()), "conv": "tf1"},
        {"surface": "saddle", "start": "0,0", "noise": "10"},
    ],
)
def test_extreme_settings_still_render(query):
    at = open_app(query)
    assert_healthy(at)


def test_divergence_is_shown_as_such():
    at = open_app({"surface": "rosenbrock", "opt": "sgd,adam", "sgd.lr": "10", "steps": "100"})
    assert_healthy(at)
    table = at.dataframe[0].value
    assert int(table.loc["SGD", "diverged at step"]) >= 1
    assert any("diverged" in str(t.get("text", "")) for t in contour_spec(at)["data"])


def test_framework_without_the_optimizer_gives_a_note():
    at = open_app({"opt": "nadam,adam", "conv": "tf1", "adam.amsgrad": "1"})
    assert_healthy(at)
    notes = " ".join(i.value for i in at.info)
    assert "Nadam" in notes and "TF1" in notes
    assert "AMSGrad" in notes
    assert not path_traces(at)


def test_moving_a_slider_changes_the_chart_and_the_url():
    at = open_app()
    before = path_traces(at)["RMSProp"]["x"]
    open_sections(at, "rmsprop")
    at.select_slider(key=state.hp_key("rmsprop", "lr")).set_value(0.01).run()
    assert_healthy(at)
    assert query_of(at)["rmsprop.lr"] == "0.01"
    assert not np.array_equal(as_array(path_traces(at)["RMSProp"]["x"]), as_array(before))


def hp_sliders(at: AppTest) -> set[str]:
    return {w.key for w in at.select_slider if w.key.startswith("pg.hp.")}


def test_closed_optimizer_expanders_draw_nothing_but_keep_their_values():
    at = open_app()
    assert hp_sliders(at) == set()  # every optimizer's expander starts closed: nothing to draw
    open_sections(at, "rmsprop")
    assert hp_sliders(at) == {state.hp_key("rmsprop", n) for n in ("lr", "rho", "eps", "momentum")}
    at.select_slider(key=state.hp_key("rmsprop", "lr")).set_value(0.02).run()
    at.session_state[state.open_key("rmsprop")] = False  # closed again
    at.run()
    at.select_slider(key=state.STEPS).set_value(300).run()
    assert hp_sliders(at) == set()
    assert at.session_state[state.STORED].hp("rmsprop")["lr"] == 0.02 and query_of(at)["rmsprop.lr"] == "0.02"
    assert open_sections(at, "rmsprop").select_slider(key=state.hp_key("rmsprop", "lr")).value == 0.02


def test_a_link_opened_while_an_expander_is_closed_sets_its_values():
    at = open_app()
    at.query_params["rmsprop.lr"] = "0.005"  # the address bar changed from outside
    at.run()
    assert at.session_state[state.STORED].hp("rmsprop")["lr"] == 0.005
    assert open_sections(at, "rmsprop").select_slider(key=state.hp_key("rmsprop", "lr")).value == 0.005


def test_settings_survive_a_visit_to_another_page():
    at = open_app()
    open_sections(at, "rmsprop", "sched")
    at.select_slider(key=state.hp_key("rmsprop", "lr")).set_value(0.02).run()
    at.selectbox(key="pg.sched.kind").set_value("cosine").run()
    at.select_slider(key=state.STEPS).set_value(300).run()
    at.number_input(key=state.SEED).set_value(7).run()
    before = at.session_state[state.STORED]
    for page in ("lessons", "sweep", "maps"):
        at.switch_page(PAGES[page].file).run()
        assert not at.exception, page
        at.query_params.clear()  # the browser's navigation to another page drops the address's query
        at.switch_page(PAGES["playground"].file).run()
        assert at.session_state[state.STORED] == before, page
    assert_healthy(at)


def test_every_control_reaches_the_scenario():
    at = open_app()
    at.select_slider(key=state.param_key("condition")).set_value(10.0).run()
    at.select_slider(key=state.param_key("angle")).set_value(45.0).run()
    at.button_group(key=state.OPTIMIZERS).set_value(["sgd", "nesterov", "rmsprop", "adadelta", "nadam"]).run()
    at.radio(key=state.CONVENTION).set_value("optax").run()
    open_sections(at, "nesterov", "rmsprop", "nadam")
    at.select_slider(key=state.hp_key("nesterov", "momentum")).set_value(0.95).run()
    at.toggle(key=state.hp_key("rmsprop", "centered")).set_value(True).run()
    at.select_slider(key=state.hp_key("rmsprop", "eps")).set_value(1e-3).run()
    at.select_slider(key=state.hp_key("nadam", "beta2")).set_value(0.99).run()
    at.select_slider(key=state.STEPS).set_value(300).run()
    at.number_input(key=state.START_X).set_value(1.0).run()
    at.number_input(key=state.START_Y).set_value(-1.5).run()
    at.select_slider(key=state.NOISE).set_value(0.1).run()
    at.number_input(key=state.SEED).set_value(42).run()
    at.select_slider(key=state.TOL).set_value(1e-3).run()
    assert_healthy(at)
    scenario = at.session_state[state.STORED]
    assert scenario.params() == {"condition": 10.0, "angle": 45.0}
    assert scenario.optimizers == ("sgd", "nesterov", "rmsprop", "adadelta", "nadam")
    assert scenario.convention == "optax"
    assert scenario.hp("nesterov")["momentum"] == 0.95
    assert scenario.hp("rmsprop")["centered"] is True and scenario.hp("rmsprop")["eps"] == 1e-3
    assert scenario.hp("nadam")["beta2"] == 0.99
    assert (scenario.steps, scenario.start, scenario.noise, scenario.seed, scenario.tol) == (
        300,
        (1.0, -1.5),
        0.1,
        42,
        1e-3,
    )
    assert Scenario.from_query(query_of(at)) == (scenario, [])
    # Keras/Optax Nadam ignore PyTorch's momentum decay: its control is disabled with a note
    assert at.select_slider(key=state.hp_key("nadam", "momentum_decay")).disabled


def test_surface_change_loads_that_surfaces_preset_and_reset_restores_it():
    at = open_app()
    at.radio(key=state.CONVENTION).set_value("keras").run()
    at.selectbox(key=state.SURFACE).set_value("rosenbrock").run()
    assert_healthy(at)
    scenario = at.session_state[state.STORED]
    expected = Scenario.default("rosenbrock").with_changes(convention="keras")
    assert scenario == expected
    open_sections(at, "adam")
    at.select_slider(key=state.hp_key("adam", "lr")).set_value(0.5).run()
    next(b for b in at.button if b.label.startswith("Reset")).click().run()
    assert at.session_state[state.STORED] == expected


def test_no_optimizer_chosen_shows_a_hint():
    at = open_app()
    at.button_group(key=state.OPTIMIZERS).set_value([]).run()
    assert not at.exception
    assert any("Pick at least one optimizer" in i.value for i in at.info)


def test_presentation_mode_travels_in_the_link():
    at = open_app({"present": "1"})
    assert_healthy(at)
    assert at.toggle(key=state.PRESENT).value is True
    assert query_of(at)["present"] == "1"


def open_tab(at: AppTest, label: str) -> AppTest:
    at.session_state["pg.tab"] = label
    return at.run()


def test_tabs_render_only_when_open():
    at = open_app()
    assert not at.code or all("?surface=" in c.value for c in at.code)  # only the share link
    open_tab(at, "3-D view")
    assert not at.exception and len(charts(at)) == 4
    open_tab(at, "Data")
    assert not at.exception and at.get("download_button")


def test_code_export_follows_the_chosen_framework():
    at = open_tab(open_app({"opt": "rmsprop", "rmsprop.lr": "0.02", "rmsprop.rho": "0.95"}), "Code")
    expected = {
        "pytorch": "torch.optim.RMSprop(model.parameters(), lr=0.02, alpha=0.95",
        "keras": "keras.optimizers.RMSprop(learning_rate=0.02, rho=0.95",
        "optax": "optax.rmsprop(learning_rate=0.02, decay=0.95",
        "tf1": "tf.compat.v1.train.RMSPropOptimizer(learning_rate=0.02, decay=0.95",
    }
    for framework, text in expected.items():
        at.radio(key="pg.code_framework").set_value(framework).run()
        assert not at.exception
        assert any(text in c.value for c in at.code), framework
    assert any("?surface=bowl" in c.value and "rmsprop.lr=0.02" in c.value for c in at.code)  # the share link
    at.radio(key="pg.code_framework").set_value("pytorch").run()
    assert any("`alpha`" in c.value for c in at.caption)  # the note on PyTorch's name for rho


def test_summary_table_shows_convergence_and_divergence():
    at = open_app({"surface": "rosenbrock", "opt": "sgd,adam", "sgd.lr": "10", "adam.lr": "0.05", "steps": "2000"})
    table = at.dataframe[0].value
    assert int(table.loc["SGD", "diverged at step"]) >= 1
    assert float(table.loc["Adam", "final f − f*"]) < 1e-3


def test_step_inspector_matches_the_drawn_path():
    at = open_tab(open_app({"opt": "sgd,rmsprop,adam", "steps": "40"}), "Step inspector")
    at.slider(key="pg.inspect_step").set_value(12).run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    assert len(tables) == 3
    scenario = at.session_state[state.STORED]
    for table, name in zip(tables, ("sgd", "rmsprop", "adam"), strict=True):
        traj = optim.run(name, "bowl", scenario.start, 40, **scenario.hp(name))
        np.testing.assert_array_equal(table.loc["position θ (step k)"].to_numpy(), traj.xy[12])
        np.testing.assert_array_equal(table.loc["new position θ (step k+1)"].to_numpy(), traj.xy[13])
    assert "v: moving average of g², after" in tables[1].index
    assert any(r"\begin{aligned}" in latex.value for latex in at.latex)


def test_inspector_step_is_clamped_when_steps_shrink():
    at = open_tab(open_app({"steps": "300"}), "Step inspector")
    at.slider(key="pg.inspect_step").set_value(250).run()
    at.select_slider(key=state.STEPS).set_value(100).run()
    assert not at.exception
    assert at.slider(key="pg.inspect_step").value == 99
