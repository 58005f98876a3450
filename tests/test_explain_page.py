"""The Playground explains what the student sees (AppTest): the first screen, its "what happened" notes with
their lessons, the accumulators chart, the focus optimizer; all of it in the share link."""

from __future__ import annotations

import base64
import urllib.parse

import numpy as np
import pytest

import optim
from tests.apptest import charts, live_payloads, open_page
from views.common.scenario import Scenario
from views.playground import notes, state


def open_app(query: dict[str, str] | None = None):
    at = open_page("playground")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def healthy(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def note_texts(at) -> list[str]:
    """The "what happened" notes as the student reads them (the Markdown escapes removed)."""
    return [m.value.replace("\\", "") for m in at.markdown if m.value.startswith(":material/")]


def values(array) -> np.ndarray:
    """A trace array from a figure spec (plotly's base64 typed arrays decoded)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype=float)


def lesson_links(at) -> list[str]:
    found = []
    for link in at.get("page_link"):
        query = dict(urllib.parse.parse_qsl(link.proto.query_string))
        if "lesson" in query:
            found.append(query["lesson"])
    return found


def test_the_first_screen_makes_the_point_and_says_so():
    at = open_app()
    healthy(at)
    scenario: Scenario = at.session_state[state.STORED]
    assert scenario.optimizers == ("sgd", "rmsprop") and scenario.focused == "rmsprop"
    assert any(m.value.startswith("**Start here.**") for m in at.markdown)
    texts = note_texts(at)
    assert len(texts) == 3, texts
    assert "RMSProp" in texts[0] and "first step" in texts[0]
    assert "SGD zig-zags" in texts[1] and "0.019 × 100 = 1.9" in texts[1]
    assert "RMSProp got" in texts[2] and "first, at step 33" in texts[2]
    assert lesson_links(at)[:1] == ["rmsprop-idea"]  # the card's "Open lesson 2"
    assert {"first-steps", "sgd-dilemma", "rmsprop-idea"} <= set(lesson_links(at))
    table = at.dataframe[0].value  # RMSProp ends lower than SGD, with nothing unexplained
    assert float(table.loc["RMSProp"].iloc[0]) < float(table.loc["SGD"].iloc[0])


def test_the_start_card_names_the_view_a_link_opened():
    """The card's steps follow the link: the optimizer in focus is the one to drag, and only the bowl is "this
    bowl" (a plain link to another surface points the student to the bowl for SGD's dilemma)."""
    first = notes.start_text(Scenario.default("bowl").with_changes(optimizers=("sgd", "rmsprop")))
    assert "Drag RMSProp's learning rate" in first and "Compare it with SGD: on this bowl" in first
    other = Scenario.default("rosenbrock").with_changes(optimizers=("sgd", "adam"), focus="adam")
    text = notes.start_text(other)
    assert "Drag Adam's learning rate" in text and "this bowl" not in text and "the ill-conditioned bowl" in text
    assert "Compare it with SGD" in text
    assert "Add SGD" in notes.start_text(other.with_changes(optimizers=("adam",)))
    assert "Drag SGD's learning rate η" in (sgd := notes.start_text(other.with_changes(focus="sgd")))
    assert "Add RMSProp" in sgd


def test_the_start_card_can_be_dismissed_and_a_teacher_link_has_none():
    at = open_app()
    at.button(key="pg.start.dismiss").click().run()
    assert not any(m.value.startswith("**Start here.**") for m in at.markdown)
    assert at.session_state[notes.DISMISSED]
    teacher = open_app({"lock": "surface"})
    assert not any(m.value.startswith("**Start here.**") for m in teacher.markdown)


def test_a_divergence_note_names_the_limit():
    at = open_app({"opt": "sgd", "sgd.lr": "0.021"})
    healthy(at)
    texts = note_texts(at)
    assert any("SGD" in t and "diverge" in t.lower() and "0.021" in t for t in texts), texts
    assert "sgd-dilemma" in lesson_links(at)


def test_the_accumulators_chart_replaces_the_effective_lr_and_travels_in_the_link():
    at = open_app({"opt": "sgd,rmsprop,adam", "conv": "tf1"})
    at.button_group(key=state.RIGHT_CHART).set_value(state.ACCUMULATORS).run()
    healthy(at)
    assert at.query_params["acc"] in ("1", ["1"])
    accumulators = charts(at)[2]
    names = {t["name"] for t in accumulators["data"]}
    assert {"RMSProp v", "Adam m²", "Adam v", "Adam v̂"} <= names, names
    rmsprop_v = next(t for t in accumulators["data"] if t["name"] == "RMSProp v")
    assert values(rmsprop_v["y"])[0] == 1.0  # TF1's v starts at 1 (row 0: before the first update)
    again = open_app(dict(urllib.parse.parse_qsl(urllib.parse.urlencode({k: v for k, v in at.query_params.items()}))))
    assert again.session_state[state.STORED].acc and len(charts(again)) == 3


def test_only_optimizers_without_accumulators_say_so():
    at = open_app({"opt": "sgd,momentum", "acc": "1"})
    healthy(at)
    assert any("keeps an accumulator" in i.value for i in at.info)


@pytest.mark.parametrize("optimizer", optim.names())
@pytest.mark.parametrize("convention", list(optim.CONVENTIONS))
def test_notes_and_accumulators_work_for_every_optimizer_and_convention(optimizer, convention):
    query = {"surface": "rosenbrock", "opt": f"sgd,{optimizer}", "conv": convention, "acc": "1", "steps": "200"}
    at = open_app(query)
    healthy(at)
    without = optimizer in ("sgd", "momentum", "nesterov")  # no accumulator: the chart says why instead
    unsupported = not optim.get(optimizer).supports(convention)
    shown = len(charts(at)) == 3
    assert shown or any("keeps an accumulator" in i.value for i in at.info) == (without or unsupported)


@pytest.mark.parametrize(
    "query",
    [
        {"surface": "custom", "custom.expr": "log(x)+y**2", "custom.xmin": "0.1", "custom.xmax": "3", "acc": "1"},
        {"surface": "saddle", "start": "1.5,0", "noise": "0.01", "opt": "sgd,rmsprop,adagrad"},
        {"surface": "bowl", "sched": "cosine", "sched.T": "100", "opt": "rmsprop,adam", "acc": "1"},
        {"surface": "himmelblau", "noise": "0.3", "bands": "10", "opt": "adagrad,adadelta,nadam", "acc": "1"},
    ],
    ids=["custom", "saddle-noise", "schedule", "bands"],
)
def test_notes_and_accumulators_with_custom_surfaces_noise_and_schedules(query):
    at = open_app(query)
    healthy(at)
    assert len(charts(at)) == 3
    if query["surface"] == "saddle":
        assert any("saddle" in t.lower() or "ridge" in t.lower() for t in note_texts(at)) or note_texts(at)


def test_focus_travels_in_the_link_and_moves_the_sliders():
    at = open_app({"opt": "sgd,rmsprop,adam", "focus": "adam"})
    healthy(at)
    assert at.session_state[state.STORED].focused == "adam" and at.query_params["focus"] in ("adam", ["adam"])
    contour = next(p for p in live_payloads(at).values() if p.get("knobs"))
    assert [k["name"] for k in contour["knobs"]["items"]] == ["lr", "beta1", "beta2", "eps"]
    at.button_group(key=state.FOCUS).set_value("rmsprop").run()
    assert "focus" not in at.query_params  # the default focus is not written
    contour = next(p for p in live_payloads(at).values() if p.get("knobs"))
    assert [k["name"] for k in contour["knobs"]["items"]] == ["lr", "rho", "eps"]
    bad = open_app({"opt": "sgd,rmsprop", "focus": "adam"})
    assert any("Focus 'adam'" in w.value for w in bad.warning)
