"""Accessibility: axe-core (axe-playwright-python) finds no serious or critical violation on any page, at its
defaults and with its main panels open, in the light and the dark theme."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import Page

pytestmark = pytest.mark.browser

AXE = Axe()


def serious(page: Page) -> list[str]:
    """The serious and critical violations axe-core reports on the page once it has settled, and any skipped
    heading level (moderate for axe, but a screen reader's outline of the page)."""
    page.wait_settled()
    found = AXE.run(page.page).response["violations"]
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:200]}: "
        f"{v['nodes'][0].get('failureSummary', '')[:300]})"
        for v in found
        if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"
    ]


def open_expander(page: Page, title: str) -> None:
    page.page.locator('[data-testid="stExpander"] summary', has_text=title).first.click()
    page.wait_idle(1, after_input=True)


def click_tab(page: Page, name: str) -> None:
    page.page.get_by_role("tab", name=name).click()
    page.wait_idle(1, after_input=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_playground_with_its_panels_open(browser, app_url, scheme):
    page = Page(browser, app_url, color_scheme=scheme).open("/", charts=3)
    assert serious(page) == []
    open_expander(page, "RMSProp")
    open_expander(page, "Share this view")
    for tab in ("Step inspector", "3-D view", "Code", "Data"):
        click_tab(page, tab)
        assert serious(page) == [], tab
    page.page.get_by_text("Accumulators", exact=True).click()
    page.wait_idle(3, after_input=True)
    assert serious(page) == []
    page.close()


def test_the_lessons_with_their_rules_open(tab):
    tab.open("/lessons?lesson=eps", charts=2)
    assert serious(tab) == []
    open_expander(tab, "The update rule")
    assert serious(tab) == []
    tab.open("/lessons?lesson=update-rules", charts=0)
    assert serious(tab) == []


def test_the_sweep_and_the_maps(tab):
    tab.open("/sweep?surface=bowl&nx=20&ny=15&steps=100", charts=2)
    assert serious(tab) == []
    open_expander(tab, "Other hyperparameters")
    assert serious(tab) == []
    tab.open("/maps?res=30&steps=100&lrs=20", charts=2)
    assert serious(tab) == []
    open_expander(tab, "SGD")
    assert serious(tab) == []


def test_the_presentation_mode_and_a_phone(browser, app_url):
    page = Page(browser, app_url).open("/?present=1", charts=3)
    assert serious(page) == []
    page.close()
    phone = Page(browser, app_url, is_mobile=True, has_touch=True)
    phone.page.set_viewport_size({"width": 390, "height": 844})
    phone.open("/", charts=3)
    assert serious(phone) == []
    phone.close()
