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


def test_divergence_labels_do_not_overlap_on_screen(tab):
    """Issue 15, item 3: on log(x)+y**2 all five runs diverge near x = 0; their labels must not overlap."""
    tab.open("/?surface=custom&custom.expr=log(x)%2By**2&opt=sgd,momentum,adagrad,rmsprop,adam", charts=3)
    boxes = tab.plot(0).evaluate(
        """gd => Array.from(gd.querySelectorAll('.textpoint text'))
            .filter(t => t.textContent.startsWith('diverged'))
            .map(t => { const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
    )
    assert len(boxes) == 5
    for i, a in enumerate(boxes):
        for b in boxes[:i]:
            overlap_x = min(a[2], b[2]) - max(a[0], b[0])
            overlap_y = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_x <= 0 or overlap_y <= 0, (a, b)
    assert tab.exceptions() == [] and tab.errors == []
