"""Live sliders and playback in a real headless Chromium: the focus optimizer's path follows a dragged slider
with no script run, a release settles the page as a directly set value does, and playback never loses the map."""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest

from tests.browser.conftest import Page

pytestmark = pytest.mark.browser

COUNT_RUNS = """() => {
    window.scriptRuns = 0;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.scriptRuns += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def query(page: Page) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.page.url).query))


def trace(page: Page, chart: int, uid: str) -> dict:
    return next(t for t in page.traces(chart) if t["uid"] == uid)


def knob(page: Page, name: str):
    return page.page.locator(f'.rmsp-knob-input[data-knob="{name}"]').first


def drag(page: Page, name: str, stops: int, sample, direction: int = -1) -> list:
    """Hold the thumb of a knob and move it by ``stops`` stops (``direction`` -1: left, 1: right), one at a time,
    waiting for each new value, without releasing; ``sample()`` after each."""
    slider = knob(page, name)
    box = slider.bounding_box()
    top = int(slider.get_attribute("max"))
    value = int(slider.input_value())
    thumb = 16  # Chromium's range thumb: its centre travels over the width less the thumb
    step = (box["width"] - thumb) / top
    x = box["x"] + thumb / 2 + step * value
    y = box["y"] + box["height"] / 2
    page.page.mouse.move(x, y)
    page.page.mouse.down()
    seen = []
    for i in range(1, stops + 1):
        page.page.mouse.move(x + direction * i * step, y, steps=2)
        page.page.wait_for_function(
            "([n, v, d]) => d * (+document.querySelector(`.rmsp-knob-input[data-knob='${n}']`).value - v) > 0",
            arg=[name, value, direction],
            timeout=5000,
        )
        value = int(slider.input_value())
        seen.append(sample())
    return seen


def test_dragging_the_focus_lr_moves_its_path_loss_and_lr_without_a_script_run(tab):
    tab.open("/", charts=3)
    tab.page.evaluate(COUNT_RUNS)
    before = trace(tab, 0, "path.rmsprop")

    def sample():
        return (
            tab.page.locator(".rmsp-knob-value").first.text_content(),
            trace(tab, 0, "path.rmsprop"),
            trace(tab, 1, "loss.rmsprop")["y"],
            trace(tab, 2, "lr.rmsprop.x")["y"],
        )

    seen = drag(tab, "lr", 5, sample)
    assert tab.page.evaluate("() => window.scriptRuns") == 0  # nothing went to the server during the drag
    labels = [s[0] for s in seen]
    assert len(set(labels)) == 5 and labels[0] != "0.05"
    paths = [(s[1]["x"], s[1]["y"]) for s in seen]
    assert all(a != b for a, b in zip([(before["x"], before["y"]), *paths], paths, strict=False))
    assert len({str(s[2]) for s in seen}) == 5 and len({str(s[3]) for s in seen}) == 5
    others = trace(tab, 0, "path.sgd")
    tab.page.mouse.up()  # the release: one rerun settles the page
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function(f"() => location.search.includes('rmsprop.lr={labels[-1]}')", timeout=20000)
    assert tab.page.evaluate("() => window.scriptRuns") >= 1
    assert trace(tab, 0, "path.sgd") == others
    assert tab.exceptions() == [] and tab.errors == []


def test_a_release_settles_the_page_exactly_as_the_value_set_directly(browser, app_url):
    dragged = Page(browser, app_url).open("/?surface=rosenbrock&opt=sgd,rmsprop,adam&steps=300", 3)
    drag(dragged, "lr", 3, lambda: None)
    dragged.page.mouse.up()
    dragged.wait_idle(3, after_input=True)
    dragged.page.wait_for_function("() => location.search.includes('rmsprop.lr=')", timeout=20000)
    link = dragged.page.url
    figures = [dragged.traces(i) for i in range(3)]
    summary = dragged.page.locator('[data-testid="stDataFrame"]').first.inner_text()
    dragged.close()

    direct = Page(browser, app_url)
    direct.page.goto(link)
    direct.wait_idle(3)
    assert direct.page.url == link
    assert [direct.traces(i) for i in range(3)] == figures
    assert direct.page.locator('[data-testid="stDataFrame"]').first.inner_text() == summary
    assert direct.exceptions() == [] and direct.errors == []
    direct.close()


def sidebar_expander(page: Page, title: str | re.Pattern):
    return page.page.locator('[data-testid="stExpander"]').filter(has=page.page.locator("summary", has_text=title))


def test_a_release_renews_what_the_sidebar_shows(tab):
    """A release reruns only the charts' part of the page, unless the sidebar shows what it changed: with
    RMSProp's expander and the share link open, both show the released value once the page has settled."""
    tab.open("/", charts=3)
    for title in (re.compile(r"RMSProp$"), "Share this view"):
        sidebar_expander(tab, title).locator("summary").click()
        tab.wait_idle(3, after_input=True)
    lr = sidebar_expander(tab, re.compile(r"RMSProp$")).locator('input[type="range"][aria-label="learning rate"]')
    assert lr.get_attribute("aria-valuetext") == "0.05"
    labels = drag(tab, "lr", 2, lambda: tab.page.locator(".rmsp-knob-value").first.text_content())
    tab.page.mouse.up()
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function(f"() => location.search.includes('rmsprop.lr={labels[-1]}')", timeout=20000)
    tab.page.wait_for_function(
        """(v) => [...document.querySelectorAll('[data-testid="stSidebar"] input[aria-label="learning rate"]')]
            .some((e) => e.getAttribute('aria-valuetext') === v)""",
        arg=labels[-1],
        timeout=20000,
    )
    share = sidebar_expander(tab, "Share this view").locator('[data-testid="stCode"]').first.inner_text()
    assert f"rmsprop.lr={labels[-1]}" in share
    assert tab.exceptions() == [] and tab.errors == []


def contour_drawn(page: Page) -> int:
    """How many filled contour levels the map's surface layer draws."""
    return page.page.locator(".rmsp-layer-0 .contourlevel").count()


@pytest.mark.parametrize(
    "link",
    [
        "/",
        "/?surface=rosenbrock&opt=sgd,rmsprop,adam&steps=300",
        "/?surface=custom&custom.expr=sin(x)*cos(y)&custom.xmin=-4&custom.xmax=4&custom.ymin=-4&custom.ymax=4",
    ],
    ids=["bowl", "rosenbrock", "custom"],
)
def test_playback_trails_the_paths_and_never_loses_the_contour(tab, link):
    tab.open(link, charts=3)
    levels = contour_drawn(tab)
    assert levels > 5
    full = len(trace(tab, 0, "path.rmsprop")["x"])
    tab.page.locator(".rmsp-play-button").click()
    last = int(tab.page.locator(".rmsp-play-scrub").get_attribute("max"))
    tab.page.wait_for_function(
        "last => { const k = parseInt(document.querySelector('.rmsp-play-step').textContent.replace('step ', '')); "
        "return k > 5 && k < last / 2; }",
        arg=last,
        timeout=10000,
    )
    mid = len(trace(tab, 0, "path.rmsprop")["x"])
    assert 1 <= mid < full and contour_drawn(tab) == levels  # mid-playback: a trail, on the map
    tab.page.wait_for_function(
        "() => document.querySelector('.rmsp-play-button').textContent.includes('Play')", timeout=20000
    )
    assert len(trace(tab, 0, "path.rmsprop")["x"]) == full and contour_drawn(tab) == levels  # after Play
    tab.page.locator(".rmsp-play-scrub").focus()
    tab.page.keyboard.press("Home")
    for _ in range(10):
        tab.page.keyboard.press("ArrowRight")
    assert tab.page.locator(".rmsp-play-step").text_content() == "step 10"

    def head_leads_trail() -> bool:  # Plotly applies an animation frame on the next animation frame
        head, path = trace(tab, 0, "head.rmsprop"), trace(tab, 0, "path.rmsprop")
        return (head["x"][0], head["y"][0]) == (path["x"][-1], path["y"][-1])

    deadline = time.monotonic() + 5
    while not head_leads_trail() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert head_leads_trail()
    assert len(trace(tab, 1, "loss.rmsprop")["x"]) <= 11 and contour_drawn(tab) == levels  # after scrubbing
    assert tab.exceptions() == [] and tab.errors == []


def test_a_lesson_about_rho_has_a_live_rho_slider(tab):
    tab.open("/lessons?lesson=rho", charts=2)
    tab.page.evaluate(COUNT_RUNS)
    before = trace(tab, 0, "path.rmsprop")
    seen = drag(tab, "rho", 3, lambda: trace(tab, 0, "path.rmsprop"), direction=1)  # from rho = 0 up
    assert tab.page.evaluate("() => window.scriptRuns") == 0
    assert seen[-1]["x"] != before["x"]
    tab.page.mouse.up()
    tab.wait_idle(2, after_input=True)
    tab.page.get_by_text("the text is about rho = 0").wait_for(timeout=20000)
    tab.page.get_by_role("button", name="Back to the lesson's value").click()
    tab.wait_idle(2, after_input=True)
    assert trace(tab, 0, "path.rmsprop") == before
    assert tab.exceptions() == []
