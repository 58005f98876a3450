"""Class mode in real browsers: a teacher starts a poll, three students vote on their own browser contexts,
the host sees the votes arrive, the reveal reaches every student; and follow mode carries a host's slider
move to a student. Its own server, on a SQLite file of its own."""

from __future__ import annotations

import contextlib
import re
import subprocess
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import CHART_PLOTS_JS, Page, start_server
from views.playground import class_db

pytestmark = pytest.mark.browser


def phone(browser, url: str) -> Page:
    """A student's phone: a browser context of its own (its own session and voter), 390 x 844, touch."""
    tab = Page(browser, url, is_mobile=True, has_touch=True)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    return tab


@pytest.fixture(scope="module")
def class_url(tmp_path_factory):
    database = tmp_path_factory.mktemp("class") / "classes.sqlite3"
    proc, url = start_server(env={class_db.ENV_URL: f"sqlite:///{database}"})
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_until(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def start_class(browser, url: str, ask: str | None) -> tuple[Page, str]:
    """A teacher opens the Playground, builds a teacher link and starts a class; returns the host tab and the code."""
    host = Page(browser, url).open("/?opt=sgd,rmsprop,adam", charts=3)
    page = host.page
    page.get_by_text("Share this view").click()
    switch = page.locator('input[aria-label="Build a teacher link"]')
    for _ in range(3):  # a click that lands while the expander is still opening can be lost: click until it is on
        page.get_by_text("Build a teacher link").click()
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function("e => e.checked", arg=switch.element_handle(), timeout=3000)
            break
    box = page.locator('input[aria-label="Predict first"]')
    box.wait_for()
    host.wait_idle(1)  # the builder's run has ended: nothing below is redrawn under the next click
    if ask:
        # Centred, its list opens in view: scrolling the sidebar to reach an option would close the list.
        box.evaluate("e => e.scrollIntoView({block: 'center'})")
        box.click()
        page.keyboard.type(ask)  # the selectbox filters its options as one types
        page.get_by_role("option", name=ask).click()
        host.wait_idle(3, after_input=True)
        page.get_by_role("button", name="Start a class poll on this question").wait_for()
    start = page.get_by_role("button", name=re.compile("Start a class"))
    strip = page.get_by_text(re.compile(r"Class [A-Z2-9]{6} · students open")).first
    for _ in range(3):  # a click lost under a slow machine's rerun: the button is still there, click again
        start.click()
        host.wait_idle(1, after_input=True)
        with contextlib.suppress(PlaywrightTimeout):
            strip.wait_for(timeout=10000)
            break
        if not start.is_visible():
            break
    if not strip.is_visible():
        main = page.locator('[data-testid="stMain"]').inner_text()[:1500]
        raise AssertionError(f"no class strip after starting a class; the page shows:\n{main}")
    code = re.search(r"Class ([A-Z2-9]{6})", strip.inner_text()).group(1)
    assert "host=" not in page.url and f"class={code}" in page.url  # the secret is not in the address bar
    return host, code


def vote_total(tab: Page) -> int:
    """The number of answers the host's live bar chart shows."""
    return tab.page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => p._fullData || [])
               .filter(t => t.name === 'answers').reduce((n, t) => n + t.x.reduce((a, b) => a + b, 0), 0)"""
    )


def path_names(tab: Page) -> set[str]:
    """The names of the paths drawn on the page's maps (a chart with a contour; a live map has two layers)."""
    return set(
        tab.page.evaluate(
            "() => {" + CHART_PLOTS_JS + " return charts.map(c => plots(c).flatMap(p => p._fullData || []))"
            ".filter(traces => traces.some(t => t.type === 'contour'))"
            ".flatMap(traces => traces.filter(t => t.x && t.x.length > 1).map(t => t.name)); }"
        )
    )


def test_a_class_poll_from_start_to_reveal(browser, class_url):
    host, code = start_class(browser, class_url, "Which optimizer reaches the minimum first?")
    students = []
    try:
        assert host.page.get_by_role("button", name="Reveal the answer").is_visible()
        assert vote_total(host) == 0 and not {"SGD", "RMSProp"} & path_names(host)
        for answer in ("SGD", "RMSProp", "RMSProp"):
            student = phone(browser, class_url).open(f"/?class={code}", charts=1)
            students.append(student)
            page = student.page
            assert page.get_by_text("Your answer", exact=True).is_visible()
            assert vote_total(student) == 0 and not path_names(student) & {"SGD", "RMSProp"}
            page.get_by_test_id("stRadio").get_by_text(answer, exact=True).click()
            student.wait_idle(1, after_input=True)
            page.get_by_text("Your answer is in").wait_for(timeout=10000)
        wait_until(lambda: vote_total(host) == 3, what="the host's live count to reach 3")  # the fragment's polling
        host.page.get_by_role("button", name="Reveal the answer").click()
        host.wait_idle(3, after_input=True)
        wait_until(lambda: {"SGD", "RMSProp", "Adam"} <= path_names(host), what="the host's charts of the run")
        for student in students:  # the reveal reaches each student's page without a click
            wait_until(lambda s=student: {"SGD", "RMSProp", "Adam"} <= path_names(s), what="the reveal")
            s = student.page
            s.get_by_text("The answer is RMSProp").first.wait_for(timeout=10000)
            wait_until(lambda s=student: vote_total(s) == 3, what="the class's distribution")
        assert students[0].page.get_by_test_id("stAlertContentError").count() == 1  # it answered SGD
        assert students[1].page.get_by_test_id("stAlertContentSuccess").count() == 1
        for tab in [host, *students]:
            assert tab.exceptions() == [] and tab.errors == []
    finally:
        for tab in [host, *students]:
            tab.close()


def test_follow_mode_carries_the_hosts_slider_move(browser, class_url):
    host, code = start_class(browser, class_url, None)
    student = Page(browser, class_url).open(f"/?class={code}", charts=3)
    try:
        assert student.page.get_by_text("follow the teacher").is_visible()
        before = student.page.url
        assert "steps=150" in before
        slider = host.page.locator('input[type="range"][aria-label="Steps"]')
        slider.focus()
        slider.press("ArrowRight")
        host.wait_idle(3, after_input=True)
        steps = re.search(r"steps=(\d+)", host.page.url).group(1)
        assert steps != "150"
        follows = lambda: f"steps={steps}" in student.page.evaluate("location.search")  # noqa: E731 (a live read)
        wait_until(follows, what="the student's page to follow")
        student.wait_idle(3)
        assert student.exceptions() == [] and student.errors == [] and host.errors == []
    finally:
        host.close()
        student.close()
