"""The Playground explains itself, in a real headless Chromium: the first screen's notes link to their lessons,
the accumulators chart replaces the effective learning rates on a click, the Start-here card goes away."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_notes_link_to_lessons_and_the_accumulators_chart_switches_in(tab):
    tab.open("/", charts=3)
    assert tab.page.get_by_text("What happened").is_visible()
    assert tab.page.get_by_text("SGD zig-zags across the valley").is_visible()
    tab.page.get_by_text("Accumulators", exact=True).click()
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function("() => location.search.includes('acc=1')", timeout=20000)
    names = {t["name"] for t in tab.traces(2)}
    assert {"RMSProp v", "RMSProp g² (faint)"} <= names, names
    tab.page.get_by_role("button", name="Got it").click()
    tab.wait_idle(3, after_input=True)
    assert tab.page.get_by_text("Start here.").count() == 0
    tab.page.get_by_role("link", name="Why? Lesson 1").click()
    tab.page.wait_for_url(lambda url: "lesson=sgd-dilemma" in url, timeout=20000)
    tab.wait_idle(1)
    assert tab.page.get_by_role("heading", name="1. Why plain SGD struggles").is_visible()
    assert tab.exceptions() == [] and tab.errors == []
