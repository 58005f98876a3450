"""Teacher links on the Playground through AppTest: locked and hidden controls, the builder, predict-then-run."""

from __future__ import annotations

import urllib.parse

from streamlit.testing.v1 import AppTest

import optim
from tests.apptest import charts
from tests.test_playground_page import open_app, open_sections, path_traces, query_of
from views.common.scenario import Scenario
from views.playground import settings as teacher
from views.playground import state, teach

LOCK_HIDE = {"lock": "surface,opt,conv,steps", "hide": "noise,seed,tol,start"}


def by_key(at: AppTest, key: str):
    for kind in ("selectbox", "select_slider", "number_input", "radio", "toggle", "multiselect", "button"):
        found = [w for w in at.get(kind) if getattr(w, "key", None) == key]
        if found:
            return found[0]
    for w in at.get("button_group"):  # st.pills
        if getattr(w, "key", None) == key:
            return w
    return None


def link_query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def share_codes(at: AppTest) -> list[str]:
    return [c.value for c in at.sidebar.code]


def test_locked_controls_are_disabled_and_hidden_ones_absent():
    at = open_app(LOCK_HIDE)
    assert not at.exception
    assert by_key(at, state.SURFACE).disabled and by_key(at, state.STEPS).disabled
    assert by_key(at, state.CONVENTION).disabled and by_key(at, state.OPTIMIZERS).disabled
    assert by_key(at, state.param_key("condition")).disabled  # the surface's parameters go with it
    for key in (state.NOISE, state.SEED, state.TOL, state.START_X, state.START_Y):
        assert by_key(at, key) is None, key
    assert not by_key(at, state.hp_key("rmsprop", "lr")).disabled  # not named: free
    assert any(teach.NOTE in i.value for i in at.sidebar.info)
    assert not at.warning
    query = query_of(at)
    assert query["lock"] == LOCK_HIDE["lock"] and query["hide"] == LOCK_HIDE["hide"]  # kept in the address bar
    assert Scenario.from_query(query)[0] == Scenario.default()


def test_a_changed_url_value_for_a_locked_control_still_loads():
    at = open_app(LOCK_HIDE | {"steps": "300", "noise": "0.01", "seed": "5"})
    assert by_key(at, state.STEPS).value == 300 and by_key(at, state.STEPS).disabled
    scenario = Scenario.from_query(query_of(at))[0]
    assert (scenario.steps, scenario.noise, scenario.seed) == (300, 0.01, 5)
    assert len(next(iter(path_traces(at).values()))["x"]) > 0


def test_locked_values_survive_callbacks_and_reset_goes_back_to_the_link():
    at = open_app({"surface": "bowl", "steps": "300", "lock": "steps,rmsprop.lr", "rmsprop.lr": "0.02"})
    at.selectbox(key=state.SURFACE).set_value("rosenbrock").run()  # a new surface loads its preset ...
    assert at.session_state[state.SURFACE] == "rosenbrock"
    assert at.select_slider(key=state.STEPS).value == 300  # ... but not over the locked values
    assert at.select_slider(key=state.hp_key("rmsprop", "lr")).value == 0.02
    at.select_slider(key=state.hp_key("sgd", "lr")).set_value(0.001).run()
    assert at.button[-1].label == "Reset to the teacher's view"
    next(b for b in at.button if b.label == "Reset to the teacher's view").click().run()
    assert at.session_state[state.SURFACE] == "bowl"
    assert (
        Scenario.from_query(query_of(at))[0]
        == Scenario.from_query({"surface": "bowl", "steps": "300"} | {"rmsprop.lr": "0.02"})[0]
    )


def test_a_click_on_the_contour_cannot_move_a_locked_start():
    at = open_app({"lock": "start"})
    assert by_key(at, state.START_X).disabled
    at.session_state[state.START_X] = 0.5  # what a click's callback would do
    at.run()
    assert at.number_input(key=state.START_X).value == Scenario.default().start[0]


def test_only_leaves_just_the_named_controls_free():
    at = open_app({"opt": "sgd,rmsprop", "only": "rmsprop.lr,rmsprop.rho"})
    # RMSProp's expander starts open (it holds the free knobs); SGD's stays closed until clicked
    assert not by_key(at, state.hp_key("rmsprop", "lr")).disabled
    assert not by_key(at, state.hp_key("rmsprop", "rho")).disabled
    assert by_key(at, state.hp_key("rmsprop", "eps")).disabled and by_key(at, state.hp_key("sgd", "lr")) is None
    assert by_key(open_sections(at, "sgd"), state.hp_key("sgd", "lr")).disabled
    assert by_key(at, state.STEPS).disabled and by_key(at, state.SEED).disabled
    hidden = open_app({"opt": "sgd,rmsprop", "only": "rmsprop.lr", "hide": "all"})
    assert by_key(hidden, state.hp_key("rmsprop", "lr")) is not None
    for key in (state.SURFACE, state.STEPS, state.hp_key("rmsprop", "rho"), state.hp_key("sgd", "lr")):
        assert by_key(hidden, key) is None, key
    assert [e.label for e in hidden.sidebar.expander if "SGD" in e.label] == []  # nothing left to show in it
    assert not any(b.label.startswith("Reset") for b in hidden.button)


def test_unknown_control_names_warn():
    at = open_app({"lock": "steps,colour"})
    assert any("'colour'" in w.value for w in at.warning)
    assert by_key(at, state.STEPS).disabled


def test_student_share_links_keep_the_teacher_settings():
    at = open_app(LOCK_HIDE | {"ask": "first"})
    shared = link_query(share_codes(at)[0])
    assert {k: shared[k] for k in ("lock", "hide", "ask")} == LOCK_HIDE | {"ask": "first"}
    assert len(share_codes(at)) == 1  # no link builder on a teacher's link


def test_the_builder_makes_a_link_that_locks_and_hides():
    at = open_app({"opt": "sgd,rmsprop"})
    assert len(share_codes(at)) == 1 and "lock=" not in share_codes(at)[0]  # the builder is behind a toggle
    at.toggle(key=teach.BUILD).set_value(True).run()
    assert len(share_codes(at)) == 2
    at.multiselect(key=teach.LOCK).set_value(["surface", "steps", "rmsprop.*"]).run()
    at.multiselect(key=teach.HIDE).set_value(["noise", "seed"]).run()
    at.selectbox(key=teach.ASK).set_value("converge.sgd").run()
    built = link_query(share_codes(at)[1])
    assert built["lock"] == "surface,steps,rmsprop.*" and built["hide"] == "noise,seed"
    assert built["ask"] == "converge.sgd"
    assert Scenario.from_query(built) == (Scenario.from_query(query_of(at))[0], [])

    at.toggle(key=teach.BUILD).set_value(False).run()  # hidden and shown again: the choices are kept
    assert len(share_codes(at)) == 1
    at.toggle(key=teach.BUILD).set_value(True).run()
    assert link_query(share_codes(at)[1]) == built

    opened = open_app(built)
    assert not opened.exception and not opened.warning
    open_sections(opened, "sgd", "rmsprop")
    assert by_key(opened, state.STEPS).disabled and by_key(opened, state.hp_key("rmsprop", "rho")).disabled
    assert not by_key(opened, state.hp_key("sgd", "lr")).disabled
    assert by_key(opened, state.NOISE) is None and by_key(opened, state.SEED) is None
    assert any(r.label == "Your guess" for r in opened.radio)


# ---------------------------------------------------------------- predict, then run


def guess_radio(at: AppTest):
    return next(r for r in at.radio if r.label == "Your guess")


def test_predict_then_run_hides_then_reveals():
    at = open_app({"opt": "sgd,rmsprop", "ask": "first"})
    assert not at.exception
    assert len(charts(at)) == 1 and path_traces(at) == {}  # the contour only, no paths
    assert not at.tabs and not at.dataframe
    radio = guess_radio(at)
    assert radio.value is None and radio.options == ["SGD", "RMSProp", "None of them within 150 steps"]
    run_button = at.button(key="pg.quiz.run")
    assert run_button.disabled
    radio.set_value("rmsprop").run()
    at.button(key="pg.quiz.run").click().run()
    assert not at.exception
    assert len(charts(at)) == 3 and set(path_traces(at)) == {"SGD", "RMSProp"}
    assert len(at.success) == 1 and not at.error
    text = at.success[0].value
    assert "You guessed **RMSProp**; the answer is **RMSProp**" in text and "step 33" in text
    at.select_slider(key=state.STEPS).set_value(200).run()  # playing on keeps the run visible
    assert len(charts(at)) == 3 and "changed since" in at.success[0].value


def test_a_wrong_guess_is_told_the_answer_and_can_predict_again():
    at = open_app({"surface": "bowl", "opt": "sgd", "sgd.lr": "0.021", "ask": "converge"})
    prompts = [m.value.replace("\\", "") for m in at.markdown]
    assert "Will SGD at learning rate 0.021 converge or diverge within 150 steps?" in prompts
    guess_radio(at).set_value("converges").run()
    at.button(key="pg.quiz.run").click().run()
    assert len(at.error) == 1 and not at.success
    assert "the answer is **It diverges**" in at.error[0].value and "step 30" in at.error[0].value
    at.button(key="pg.quiz.again").click().run()
    assert len(charts(at)) == 1 and guess_radio(at).value is None


def test_a_question_that_cannot_be_asked_is_skipped_with_a_note():
    at = open_app({"surface": "saddle", "ask": "first"})  # no minimum to reach
    assert len(charts(at)) == 3
    assert any("ask=first" in i.value and "skipped" in i.value for i in at.info)
    bad = open_app({"ask": "fastest"})
    assert len(charts(bad)) == 3 and any("ask='fastest'" in w.value for w in bad.warning)


def test_every_question_kind_renders_its_options():
    names = ["sgd", "rmsprop"]
    for ask, options in (
        ("lowest", [optim.get(n).label for n in names]),
        ("converge.rmsprop", None),
    ):
        at = open_app({"opt": ",".join(names), "ask": ask})
        assert not at.exception
        radio = guess_radio(at)
        if options:
            assert radio.options == options
        else:
            assert len(radio.options) == 3


def test_view_options_can_be_locked_or_hidden():
    locked = open_app({"lock": "view", "curv": "1", "k": "5"})
    assert locked.toggle(key=state.CURV).disabled and locked.toggle(key=state.MULTI).disabled
    assert locked.toggle(key=state.CURV).value and locked.slider(key=state.STEP_K).disabled
    hidden = open_app({"hide": "view"})
    assert by_key(hidden, state.CURV) is None and by_key(hidden, state.MULTI) is None
    assert not hidden.exception and len(charts(hidden)) == 3


def test_a_locked_custom_formula_cannot_be_edited():
    at = open_app({"surface": "custom", "custom.expr": "x**2+10*y**2", "lock": "surface"})
    assert not at.exception
    assert at.text_input(key=state.param_key("expr")).disabled
    assert at.number_input(key=state.param_key("xmin")).disabled


def test_every_widget_key_of_a_scenario_belongs_to_a_control():
    scenario = Scenario.default()
    for key in state.widget_values(scenario):
        control = teach.control_of(key)  # a new Scenario field needs a teacher-link control (views/playground/teach.py)
        assert control in teacher.all_controls(), key
    assert teach.control_of(state.hp_key("rmsprop", "lr")) == "rmsprop.lr"
    assert teach.control_of(state.param_key("condition")) == "surface"
    assert teach.control_of("pg.sched.kind") == "sched" and teach.control_of(state.BANDS) == "noise"
    assert teach.control_of(state.STEP_K) == "view" and teach.control_of("pg.tab") is None


def test_locked_noise_keeps_the_links_noise_bands():
    at = open_app({"noise": "0.1", "bands": "10", "lock": "noise", "steps": "100"})
    assert not at.exception
    bands = at.select_slider(key=state.BANDS)
    assert bands.disabled and bands.value == 10  # "noise" includes the bands
    at.session_state[state.BANDS] = 50  # what a student (or a callback) might try
    at.run()
    assert not at.exception
    assert at.select_slider(key=state.BANDS).value == 10 and query_of(at)["bands"] == "10"
