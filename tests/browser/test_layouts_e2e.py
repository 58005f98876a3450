"""Layouts a teacher relies on (issue 15, items 9-11), measured in Chromium: presentation mode fits a 1024x768
projector, nothing is cut short at 1024 px, and a phone opens on the page with no chart toolbar in the way."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Page

pytestmark = pytest.mark.browser

#: Text cut short with an ellipsis, and rows that scroll sideways instead of wrapping, in the main area.
CLIPPED_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const cut = [...main.querySelectorAll('*')].filter(e => {
        const style = getComputedStyle(e);
        return e.offsetParent !== null && style.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1;
    }).map(e => e.textContent.trim().slice(0, 40));
    const scrolled = [...main.querySelectorAll('[data-testid="stButtonGroup"]')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim().slice(0, 40));
    const rows = [...main.querySelectorAll('.rmsp-knob')].filter(e => e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent.trim().slice(0, 40));  // a slider's label and value overflowing its box
    return [...cut, ...scrolled, ...rows];
}"""


def bottom(page: Page, selector: str) -> float:
    box = page.page.locator(selector).first.bounding_box()
    return box["y"] + box["height"]


def test_presentation_mode_fits_a_projector(browser, app_url):
    page = Page(browser, app_url)
    page.page.set_viewport_size({"width": 1024, "height": 768})
    page.open("/?present=1&opt=sgd,momentum,rmsprop,adam", charts=3)
    assert page.page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
    assert bottom(page, ".rmsp-play") <= 768  # the map and its Play controls
    loss = page.plot(1).locator(".main-svg").first
    box = loss.bounding_box()
    assert box["y"] + box["height"] <= 768 + 4  # the loss curve, to its axis title
    assert page.page.locator(".rmsp-knob-input").count() == 3  # the focus optimizer's sliders
    assert page.page.evaluate(CLIPPED_JS) == []
    assert page.exceptions() == [] and page.errors == []
    page.close()


@pytest.mark.parametrize("width", [1024, 1440])
@pytest.mark.parametrize("path", ["/", "/?opt=sgd,momentum,adagrad,rmsprop,adam,nadam&focus=adam", "/sweep", "/maps"])
def test_nothing_is_cut_short(browser, app_url, path, width):
    page = Page(browser, app_url)
    page.page.set_viewport_size({"width": width, "height": 900})
    page.open(path, charts=2)
    page.wait_settled()
    assert page.page.evaluate(CLIPPED_JS) == []
    page.close()


def test_a_phone_opens_on_the_page_without_chart_toolbars(browser, app_url):
    phone = Page(browser, app_url, is_mobile=True, has_touch=True)
    phone.page.set_viewport_size({"width": 390, "height": 844})
    phone.open("/", charts=3)
    assert phone.page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
    assert phone.page.locator(".rmsp-live .modebar").count() == 0  # no toolbar over titles and legends
    phone.page.locator(".rmsp-live .js-plotly-plot").last.tap()  # a tap on a chart: still none
    phone.page.goto(phone.base + "/maps?res=20&steps=50&lrs=10")
    phone.wait_idle(2)
    phone.page.locator('[data-testid="stPlotlyChart"]').first.tap()
    shown = phone.page.evaluate(
        "() => [...document.querySelectorAll('.modebar-container')].filter(e => getComputedStyle(e).display !== 'none')"
        ".length"
    )
    assert shown == 0
    assert phone.page.evaluate(CLIPPED_JS) == []
    phone.close()
