"""Teacher links in a real browser: a locked link shows disabled controls, and a prediction can be made and revealed."""

from __future__ import annotations

import urllib.parse

import pytest

pytestmark = pytest.mark.browser

LINK = "/?opt=sgd,rmsprop&lock=surface,opt,steps&hide=seed,tol&ask=first"


def names(tab) -> set[str]:
    return {t["name"] for t in tab.traces(0)}


def test_a_teacher_link_locks_hides_and_asks_first(tab):
    tab.open(LINK, charts=1)
    page = tab.page
    assert tab.exceptions() == []
    assert page.get_by_text("Some controls are fixed by your teacher's link").count() == 1
    assert page.locator('input[type="range"][aria-label="Steps"]').is_disabled()
    assert page.locator('input[aria-label="Surface"]').is_disabled()
    assert page.locator('input[aria-label="Noise seed"]').count() == 0  # hidden
    assert page.locator('input[type="range"][aria-label="Tolerance"]').count() == 0
    assert page.locator('input[type="range"][aria-label="Gradient noise (std)"]').count() == 1  # not named: free
    assert page.locator(".js-plotly-plot").count() == 1 and not {"SGD", "RMSProp"} & names(tab)  # no paths yet

    run_it = page.get_by_role("button", name="Run it")
    assert run_it.is_disabled()
    page.get_by_test_id("stRadio").filter(has_text="Your guess").get_by_text("SGD", exact=True).click()
    tab.wait_idle(1, after_input=True)
    run_it.click()
    tab.wait_idle(3, after_input=True)
    assert {"SGD", "RMSProp"} <= names(tab)
    feedback = page.locator('[data-testid="stAlertContentError"]').inner_text()
    assert "You guessed SGD; the answer is RMSProp" in feedback
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))
    assert query["lock"] == "surface,opt,steps" and query["ask"] == "first"  # the link stays the teacher's
    assert page.locator('input[type="range"][aria-label="Steps"]').is_disabled()
    assert tab.exceptions() == [] and tab.errors == []
