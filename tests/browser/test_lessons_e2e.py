"""Lessons in a real browser: every "Open in Playground" link opens exactly the lesson's preset."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.browser.conftest import Page
from views.common.scenario import Scenario
from views.lessons import content as lessons

pytestmark = pytest.mark.browser


def playground_scenario(page: Page) -> Scenario:
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.page.url).query))
    scenario, warnings = Scenario.from_query(query)
    assert warnings == []
    return scenario


def answer_questions(page: Page) -> None:
    """Predict, then run: a lesson that asks first shows its story once a guess is committed."""
    while (guess := page.page.get_by_test_id("stRadio").filter(has_text="Your guess")).count():
        guess.get_by_test_id("stRadioOption").first.click()
        page.wait_idle(1, after_input=True)
        page.page.get_by_role("button", name="Run it").click()
        page.wait_idle(2, after_input=True)


def test_every_open_in_playground_link_reproduces_its_preset(tab):
    for lesson in lessons.LESSONS:
        for index, view in enumerate(lesson.views):
            tab.open(f"/lessons?lesson={lesson.slug}", charts=1)
            answer_questions(tab)
            assert tab.exceptions() == []
            tab.page.get_by_text("Open this preset in the Playground").nth(index).click()
            tab.page.wait_for_url(lambda url: "/lessons" not in url, timeout=20000)
            tab.wait_idle(1, after_input=True)
            assert playground_scenario(tab) == view.scenario, (lesson.slug, index)
            drawn = {t["name"] for t in tab.traces(0)}
            assert {name for name in drawn if name in {"SGD", "RMSProp", "Adam", "Adagrad"}} == {
                {"sgd": "SGD", "rmsprop": "RMSProp", "adam": "Adam", "adagrad": "Adagrad"}[n]
                for n in view.scenario.optimizers
            }
            assert tab.exceptions() == []
    assert tab.errors == []
