"""A typed formula in a real headless Chromium against `streamlit run app.py`."""

from __future__ import annotations

import urllib.parse

import pytest

pytestmark = pytest.mark.browser

BOX = 'input[aria-label="f(x, y) ="]'


def query_of(page) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.page.url).query))


def test_pick_custom_type_a_formula_and_see_it(tab):
    tab.open("/", charts=3)
    tab.page.locator('input[aria-label="Surface"]').click()
    tab.page.get_by_role("option", name="Custom formula…").click()
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function("() => location.search.includes('surface=custom')", timeout=20000)
    before = tab.traces(0)

    box = tab.page.locator(BOX)
    box.fill("sin(x)*cos(y) + 0.1*x**2")
    box.press("Enter")
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function("() => location.search.includes('custom.expr=')", timeout=20000)
    tab.page.get_by_text("Custom: sin(x)*cos(y)+0.1*x**2.").wait_for(timeout=20000)
    assert query_of(tab)["custom.expr"] == "sin(x)*cos(y)+0.1*x**2"
    assert tab.traces(0) != before  # the contour and paths follow the new formula
    assert tab.exceptions() == [] and tab.errors == []

    box.fill("sin(x) + 2x")
    box.press("Enter")
    tab.wait_idle(3, after_input=True)
    error = tab.page.locator('[data-testid="stAlertContentError"]')
    error.wait_for(timeout=20000)
    assert "column 10" in error.inner_text() and "^" in error.inner_text()
    assert tab.exceptions() == [] and tab.errors == []
    assert query_of(tab)["custom.expr"] == "sin(x)*cos(y)+0.1*x**2"  # still the last valid formula
