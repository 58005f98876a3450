"""Teacher links and predict-then-run questions: the vocabulary, parsing, precedence and computed answers."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

import optim
from views.common import quiz
from views.common.quiz import Question
from views.common.scenario import Scenario
from views.playground import settings as teacher
from views.playground.settings import TeacherLink


def run(loss, diverged_at=None):
    return SimpleNamespace(loss=np.asarray(loss, dtype=float), diverged_at=diverged_at)


# ---------------------------------------------------------------- vocabulary and parsing


def test_vocabulary_covers_every_control_and_hyperparameter():
    controls = teacher.all_controls()
    assert {"surface", "opt", "conv", "steps", "start", "noise", "seed", "tol", "reset", "present"} <= set(controls)
    for name in optim.names():
        for p in optim.get(name).hyperparams:
            assert f"{name}.{p.name}" in controls
    assert len(controls) == len(set(controls))
    for control in controls:
        assert teacher.describe(control)


def test_patterns_expand():
    assert teacher.expand("rmsprop.*") == {f"rmsprop.{p.name}" for p in optim.get("rmsprop").hyperparams}
    assert teacher.expand("*.lr") == {f"{n}.lr" for n in optim.names()}
    assert teacher.expand("*.rho") == {"rmsprop.rho", "adadelta.rho"}
    assert teacher.expand("all") == set(teacher.all_controls())
    for bad in ("rmsprop", "rmsprop.nope", "nope.lr", "x", "", "*", "*.*x"):
        assert teacher.expand(bad) == frozenset()


def test_lock_and_hide_parse_and_round_trip():
    link, warnings = TeacherLink.from_query({"lock": "surface,opt, conv ,steps", "hide": "noise,seed,tol,start"})
    assert warnings == []
    assert link.lock == ("surface", "opt", "conv", "steps") and link.hide == ("noise", "seed", "tol", "start")
    assert link.active
    assert link.status("surface") == "locked" and link.status("noise") == "hidden"
    assert link.status("rmsprop.lr") == "free" and link.status("reset") == "free"
    assert link.to_query() == {"lock": "surface,opt,conv,steps", "hide": "noise,seed,tol,start"}
    assert TeacherLink.from_query(link.to_query()) == (link, [])


def test_only_keeps_the_named_free_and_locks_the_rest():
    link, _ = TeacherLink.from_query({"only": "rmsprop.lr,rmsprop.rho"})
    assert link.status("rmsprop.lr") == "free" and link.status("rmsprop.rho") == "free"
    assert link.status("rmsprop.eps") == "locked" and link.status("surface") == "locked"
    hidden, _ = TeacherLink.from_query({"only": "rmsprop.lr", "hide": "all"})
    assert hidden.status("rmsprop.lr") == "free" and hidden.status("steps") == "hidden"
    assert hidden.status("rmsprop.rho") == "hidden"


def test_hide_beats_lock():
    link, _ = TeacherLink.from_query({"lock": "all", "hide": "seed,rmsprop.*"})
    assert link.status("seed") == "hidden" and link.status("rmsprop.eps") == "hidden"
    assert link.status("steps") == "locked" and link.locked("adam.lr") and not link.shown("seed")
    assert link.fixed("seed") and link.fixed("steps")


def test_unknown_names_warn_and_are_dropped():
    link, warnings = TeacherLink.from_query({"lock": "Steps,speed,rmsprop.gamma", "hide": ""})
    assert link.lock == ("steps",) and link.hide == ()
    assert len(warnings) == 1 and "'speed'" in warnings[0] and "'rmsprop.gamma'" in warnings[0]
    empty, warnings = TeacherLink.from_query({"only": "nothing"})
    assert empty == TeacherLink() and not empty.active and warnings  # a typo never locks everything


def test_no_link_is_inactive():
    link, warnings = TeacherLink.from_query({"surface": "bowl", "embed": "true"})
    assert link == TeacherLink() and not link.active and warnings == []
    assert all(link.status(c) == "free" for c in teacher.all_controls())
    assert link.to_query() == {}


def test_list_values_take_the_last():
    link, _ = TeacherLink.from_query({"lock": ["steps", "seed"]})
    assert link.lock == ("seed",)


def test_teacher_keys_are_not_unknown_scenario_parameters():
    query = Scenario.default().to_query() | {"lock": "steps", "hide": "seed", "only": "sgd.lr", "ask": "first"}
    scenario, warnings = Scenario.from_query(query)
    assert scenario == Scenario.default() and warnings == []


# ---------------------------------------------------------------- questions


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("first", Question("first")),
        ("lowest", Question("lowest")),
        ("converge", Question("converge")),
        ("converge.sgd", Question("converge", "sgd")),
        (" First ", Question("first")),
    ],
)
def test_questions_parse_and_round_trip(text, expect):
    question, warnings = Question.parse(text)
    assert question == expect and warnings == []
    assert Question.parse(question.key) == (question, [])


@pytest.mark.parametrize("text", ["fastest", "first.sgd", "converge.nope"])
def test_bad_questions_warn(text):
    question, warnings = Question.parse(text)
    assert question is None and len(warnings) == 1


def test_no_question():
    assert Question.parse(None) == (None, []) and Question.parse(" ") == (None, [])


def test_first_to_reach_the_tolerance():
    runs = {"sgd": run([1, 0.1, 0.01, 1e-7]), "rmsprop": run([1, 1e-7, 1e-8, 1e-9]), "adam": run([1, 1, 1, 1])}
    answer = Question("first").answer(runs, 0.0, 1e-6)
    assert answer.correct == ("rmsprop",)
    assert "step 1" in answer.explanation and "Adam: never" in answer.explanation


def test_first_counts_ties_and_none():
    tie = {"sgd": run([1, 1e-7]), "adam": run([1, 1e-9])}
    assert Question("first").answer(tie, 0.0, 1e-6).correct == ("sgd", "adam")
    none = {"sgd": run([1, 0.5]), "adam": run([1, 2.0, 1e-9], diverged_at=2)}
    answer = Question("first").answer(none, 0.0, 1e-6)
    assert answer.correct == (quiz.NONE,) and "diverged at step 2" in answer.explanation


def test_first_measures_from_the_known_minimum():
    runs = {"sgd": run([-1.0, -1.9, -1.9999999]), "adam": run([-1.0, -1.5, -1.6])}
    assert Question("first").answer(runs, -2.0, 1e-6).correct == ("sgd",)


def test_lowest_treats_divergence_as_worst():
    runs = {"sgd": run([1, 0.5, 0.3]), "rmsprop": run([1, 1e-3, math.nan], diverged_at=2), "adam": run([1, 0.9, 0.4])}
    answer = Question("lowest").answer(runs, 0.0, 1e-6)
    assert answer.correct == ("sgd",) and "diverged" in answer.explanation
    gone = {"sgd": run([1, math.inf], diverged_at=1), "adam": run([1, math.inf], diverged_at=1)}
    assert Question("lowest").answer(gone, 0.0, 1e-6).correct == ("sgd", "adam")


def test_converge_diverge_or_neither():
    q = Question("converge", "sgd")
    assert q.answer({"sgd": run([1, 1e-3, 1e-8])}, 0.0, 1e-6).correct == ("converges",)
    assert q.answer({"sgd": run([1, 10, math.inf], diverged_at=2)}, 0.0, 1e-6).correct == ("diverges",)
    hover = q.answer({"sgd": run([1, 1e-8, 1e-3])}, 0.0, 1e-6)
    assert hover.correct == ("neither",) and "did not stay" in hover.explanation
    assert Question("converge").answer({"adam": run([1, 0.5]), "sgd": run([1, 1e-9])}, 0.0, 1e-6).correct == (
        "neither",
    )  # the first shown optimizer


def test_questions_say_when_they_cannot_be_asked():
    assert Question("first").problem(["sgd", "adam"], None)  # no minimum to reach
    assert Question("first").problem(["sgd"], 0.0)
    assert Question("lowest").problem(["sgd", "adam"], None) is None
    assert Question("converge", "adam").problem(["sgd"], 0.0)
    assert Question("converge").problem(["sgd"], 0.0) is None
    assert Question("converge").problem([], 0.0)


def test_options_and_prompts():
    names = ["sgd", "rmsprop"]
    assert list(Question("first").options(names, 150, 1e-6)) == ["sgd", "rmsprop", quiz.NONE]
    assert list(Question("lowest").options(names, 150, 1e-6)) == names
    assert list(Question("converge").options(names, 150, 1e-6)) == list(quiz.OUTCOMES)
    assert "SGD at learning rate 0.021" in Question("converge").prompt(names, 0.021, 150, 1e-6)
    assert "1e-06" in Question("first").prompt(names, None, 150, 1e-6)
