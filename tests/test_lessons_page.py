"""The Lessons page through AppTest: every lesson renders, links carry the exact presets, navigation works."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import optim
from tests.apptest import charts, open_page
from views.lessons import content as lessons

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_lessons(lesson: str | None = None) -> AppTest:
    at = open_page("lessons", timeout=60)
    if lesson is not None:
        at.query_params["lesson"] = lesson
    return at.run()


def links(at: AppTest) -> list[dict[str, str]]:
    return [dict(urllib.parse.parse_qsl(link.proto.query_string)) for link in at.get("page_link")]


def answer_questions(at: AppTest, lesson: lessons.Lesson) -> AppTest:
    """Predict, then run: commit the first option of every question the lesson asks first."""
    for view in lesson.views:
        if view.question is not None:
            s = view.scenario
            first = next(iter(view.question.options(s.optimizers, s.steps, s.tol)))
            next(r for r in at.radio if r.label == "Your guess").set_value(first).run()
            next(b for b in at.button if b.label == "Run it").click().run()
    return at


@pytest.mark.parametrize("lesson", lessons.LESSONS, ids=lambda lesson: lesson.slug)
def test_every_lesson_renders_with_its_presets(lesson):
    at = answer_questions(open_lessons(lesson.slug), lesson)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.endswith(lesson.title)
    assert len(charts(at)) == 2 * len(lesson.views)  # contour + one chart per view
    assert links(at) == [view.scenario.to_query() for view in lesson.views]
    assert at.query_params["lesson"] == lesson.slug
    assert not at.warning


def test_unknown_lesson_warns_and_shows_the_first():
    at = open_lessons("no-such-lesson")
    assert not at.exception
    assert "no lesson called 'no-such-lesson'" in at.warning[0].value
    assert at.title[0].value.endswith(lessons.LESSONS[0].title)
    assert at.query_params["lesson"] == lessons.LESSONS[0].slug


def test_next_and_previous_buttons_walk_the_lessons():
    def button(label: str):
        return next(b for b in at.button if b.label == label)

    at = open_lessons()
    assert at.title[0].value.startswith("1.")
    button("Next →").click().run()
    assert at.title[0].value.startswith("2.") and at.query_params["lesson"] == lessons.LESSONS[1].slug
    button("← Previous").click().run()
    assert at.title[0].value.startswith("1.")
    assert button("← Previous").disabled


def test_sidebar_picks_a_lesson():
    at = open_lessons()
    at.sidebar.radio[0].set_value("rotation").run()
    assert at.title[0].value.endswith(lessons.by_slug("rotation").title)
    assert at.query_params["lesson"] == "rotation"


def test_reference_shows_every_rule_in_the_chosen_convention():
    at = open_lessons("update-rules")
    assert not at.exception
    supported = [name for name in optim.names() if optim.get(name).supports("pytorch")]
    assert len(at.latex) == len(supported)
    rmsprop = at.latex[optim.names().index("rmsprop")].value
    assert r"\sqrt{v_t} + \epsilon" in rmsprop  # PyTorch: eps outside the root
    at.radio(key="ls.convention").set_value("tf1").run()
    assert not at.exception
    tf1_rmsprop = [e.value for e in at.latex if "v_0 = 1" in e.value]
    assert tf1_rmsprop and r"\sqrt{v_t + \epsilon}" in tf1_rmsprop[0]
    assert any("TensorFlow 1" in c.value or "tf1" in c.value.lower() for c in at.caption)  # e.g. no Nadam there
    at.toggle(key="ls.options").set_value(True).run()
    assert any(r"\bar g_t" in e.value for e in at.latex)  # centered RMSProp shown with the options on


def test_a_lesson_with_a_question_asks_before_it_shows():
    lesson = lessons.by_slug("sgd-dilemma")
    at = open_lessons(lesson.slug)
    assert not at.exception
    assert len(charts(at)) == 1 and not links(at)  # the contour of the asked view, no story yet
    assert not any("Nudge" in m.value for m in at.markdown)  # the text would give the answer away
    radio = next(r for r in at.radio if r.label == "Your guess")
    assert radio.value is None and len(radio.options) == 3
    radio.set_value("diverges").run()
    next(b for b in at.button if b.label == "Run it").click().run()
    assert not at.exception
    assert len(charts(at)) == 4 and len(links(at)) == 2
    assert "the answer is **It diverges**" in at.success[0].value
    at.button(key="ls.quiz.sgd-dilemma.1.again").click().run()
    assert len(charts(at)) == 1
