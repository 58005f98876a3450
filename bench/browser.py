"""Benchmark of a slider move as a student sees it, in a real headless Chromium; prints its figures.

    python bench/browser.py [--moves 20]

Starts `streamlit run app.py`, opens the Playground in Debian's Chromium (Playwright,
/usr/bin/chromium) at 1440x900 and drags RMSProp's live learning-rate slider (beside the contour) by several
stops while holding the thumb, then releases it, several times: it reports the latency from each input event
of the drag until all three charts have repainted (timed in the page; the slowest chart of each event), and
from the release until the page has settled (the rerun that updates the URL, the table and the charts).

Then it drags slider thumbs of the sidebar with the mouse by one stop, as a student does:

- the Steps slider, back and forth between 150 and 200 steps (after the first two moves every run
  comes from the cache: the cost of redrawing the page);
- RMSProp's learning-rate slider in its open expander, one stop down each time (0.05, 0.04, 0.03,
  ...: RMSProp recomputed at every move);

and, for scale, the slider of a bare app drawing the same three Plotly charts the usual way
(bench/apps/bare_charts.py, also what bench/playground.py compares with).

A move is timed inside the page, from the release of the mouse button (when Streamlit sends the new
value) until every chart shows the new data (a trace of one of the charts changed and the script has
finished) and two animation frames have passed, so the browser has painted it: the websocket, the
rerun on the server, React and Plotly. (Timing from Python instead adds Playwright's own polling,
hundreds of milliseconds.) This Chromium draws without a GPU on the same 2 cores as the server, so a
student's laptop is faster. The design's budget: "well under a second". Nothing is asserted.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load.run import streamlit_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
APP = '[data-testid="stApp"]'
SERVER = ["--runner.postScriptGC", "false"]
#: In the page: on pointerup, watch (every animation frame) until the charts show new data and the run
#: has finished, then wait two frames (painted) and record the time since the button was released.
WATCH = """() => {
    const signature = () => JSON.stringify([...document.querySelectorAll('.js-plotly-plot')].map(
        gd => (gd._fullData || []).map(t => {
            const sum = a => Array.from(a || []).reduce((s, v) => s + (typeof v === 'number' ? v : 0), 0);
            return [(t.x || []).length, sum(t.x), sum(t.y)];
        })));
    const idle = () => document.querySelector('[data-testid="stApp"]')
        .getAttribute('data-test-script-state') === 'notRunning';
    window.__moveTime = null;
    document.addEventListener('pointerup', event => {
        const start = event.timeStamp, before = signature();
        window.__moveTime = null;
        const tick = () => {
            if (signature() !== before && idle()) {
                requestAnimationFrame(() => requestAnimationFrame(() => {
                    window.__moveTime = performance.now() - start;
                }));
            } else {
                requestAnimationFrame(tick);
            }
        };
        requestAnimationFrame(tick);
    }, true);
}"""


def wait_idle(page, charts: int) -> None:
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=60000)
    page.wait_for_function(
        "n => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.querySelector('.main-svg')).length >= n",
        arg=charts,
        timeout=60000,
    )


class Slider:
    """A slider of the page, moved by dragging its thumb."""

    def __init__(self, scope, label: str):
        self.box = scope.locator(f'[data-testid="stSlider"]:has(input[aria-label="{label}"])')
        self.input = self.box.locator('input[type="range"]')
        self.track = self.box.locator('div[data-rac][data-orientation="horizontal"]:not([role])')

    def index(self) -> float:
        """The thumb's position: the stop's index for a select slider, the value for a number slider."""
        return float(self.input.evaluate("e => e.value"))

    def drag_to(self, page, index: float) -> float:
        """Drag the thumb to ``index``; seconds from the release until the charts are repainted."""
        self.track.scroll_into_view_if_needed()
        low, high = (float(v) for v in self.input.evaluate("e => [e.min, e.max]"))
        box = self.track.bounding_box()
        x = lambda i: box["x"] + box["width"] * (i - low) / (high - low)  # noqa: E731
        y = box["y"] + box["height"] / 2
        page.mouse.move(x(self.index()), y)
        page.mouse.down()
        page.mouse.move(x(index), y, steps=4)
        page.mouse.up()
        if abs(self.index() - index) > 1e-9:
            raise RuntimeError(f"the drag did not move the slider to {index} (it is at {self.index()})")
        page.wait_for_function("() => window.__moveTime !== null", timeout=60000)
        return page.evaluate("() => window.__moveTime") / 1e3


def open_page(browser, url: str, charts: int):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{url}/")
    wait_idle(page, charts)
    return page


def playground(browser, url: str, moves: int) -> tuple[list[float], list[float]]:
    page = open_page(browser, url, 3)
    title = page.locator("summary", has_text=re.compile(r"RMSProp$"))
    expander = page.locator('[data-testid="stExpander"]').filter(has=title)
    expander.locator("summary").click()
    expander.locator('input[aria-label="learning rate"]').wait_for(timeout=60000)
    wait_idle(page, 3)
    page.evaluate(WATCH)
    steps, lr = Slider(page, "Steps"), Slider(expander, "learning rate")
    low = steps.index()
    step_times, lr_times = [], []
    for i in range(moves):
        step_times.append(steps.drag_to(page, low + 1 if i % 2 == 0 else low))
        lr_times.append(lr.drag_to(page, lr.index() - 1))
    return step_times, lr_times


#: On the release of a live knob: the time until the page has settled (the rerun has finished and every live chart
#: has drawn its new payload), then two frames (painted).
WATCH_RELEASE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__releaseTime = null;
    let ran = false;  // set by the observer: a run can start and end between two animation frames
    new MutationObserver(() => {
        ran = ran || app.getAttribute('data-test-script-state') === 'running';
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    document.addEventListener('pointerup', event => {
        if (!event.target.classList || !event.target.classList.contains('rmsp-knob-input')) return;
        const start = event.timeStamp;
        ran = false;
        window.__releaseTime = null;
        const tick = () => {
            const state = app.getAttribute('data-test-script-state');
            if (ran && state === 'notRunning' && !window.rmspRendering) {
                requestAnimationFrame(() => requestAnimationFrame(() => {
                    window.__releaseTime = performance.now() - start;
                }));
            } else {
                requestAnimationFrame(tick);
            }
        };
        requestAnimationFrame(tick);
    }, true);
}"""


def live_drag(browser, url: str, drags: int, stops: int = 6) -> tuple[list[float], list[float]]:
    """Drag RMSProp's live lr slider (beside the contour) ``stops`` stops while holding the thumb, then release;
    ``drags`` times. Returns the input-event-to-repaint latencies during the drags (the slowest of the three
    charts for each input event) and the release-to-settled times."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.goto(f"{url}/")
    wait_idle(page, 3)
    page.wait_for_selector(".rmsp-knob-input", timeout=60000)
    page.wait_for_function("() => !window.rmspRendering", timeout=60000)
    page.evaluate(WATCH_RELEASE)
    slider = page.locator('.rmsp-knob-input[data-knob="lr"]').first
    releases = []
    for n in range(drags):
        slider.scroll_into_view_if_needed()
        box = slider.bounding_box()
        top, value = int(slider.get_attribute("max")), int(slider.input_value())
        thumb = 16
        step = (box["width"] - thumb) / top
        direction = -1 if n % 2 == 0 else 1
        x = box["x"] + thumb / 2 + step * value
        y = box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        for i in range(1, stops + 1):
            page.mouse.move(x + direction * i * step, y, steps=3)
            page.wait_for_timeout(60)  # a student's drag: a few input events per stop
        page.mouse.up()
        page.wait_for_function("() => window.__releaseTime !== null", timeout=60000)
        releases.append(page.evaluate("() => window.__releaseTime") / 1e3)
    events = page.evaluate("() => window.rmspLatency || []")
    slowest: dict[int, float] = {}
    for entry in events:
        slowest[entry["id"]] = max(slowest.get(entry["id"], 0.0), entry["ms"])
    page.context.close()
    return [ms / 1e3 for ms in slowest.values()], releases


def bare(browser, url: str, moves: int) -> list[float]:
    page = open_page(browser, url, 3)
    page.evaluate(WATCH)
    shift = Slider(page, "shift")
    return [shift.drag_to(page, round(shift.index() + (0.05 if i % 2 == 0 else -0.05), 2)) for i in range(moves)]


def summary(label: str, times: list[float]) -> str:
    ms = sorted(1e3 * t for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"  {label:<48} median {statistics.median(ms):5.0f} ms   p95 {p95:5.0f} ms   max {ms[-1]:5.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        with streamlit_server(SERVER) as (url, _):
            step_times, lr_times = playground(browser, url, args.moves)
            drag_times, release_times = live_drag(browser, url, max(4, args.moves // 2))
        with streamlit_server(SERVER, app="bench/apps/bare_charts.py") as (url, _):
            bare_times = bare(browser, url, args.moves)
        browser.close()
    drags = len(release_times)
    print(f"Live slider (RMSProp's lr beside the contour), headless Chromium (no GPU), 1440x900, {drags} drags:")
    print(summary(f"while dragging: input event to 3 charts repainted ({len(drag_times)} events)", drag_times))
    print(summary("release to the page settled (rerun, URL, table)", release_times))
    print("Budget: dragging <= 50 ms median; a release well under a second.")
    print(f"Slider released to charts repainted, headless Chromium (no GPU), {args.moves} moves each:")
    print(summary("Playground: Steps 150 <-> 200 (runs from the cache)", step_times))
    print(summary("Playground: RMSProp lr one stop down (recomputed)", lr_times))
    print(summary("bare app, same three charts (bench/apps)", bare_times))
    print("Budget: well under a second.")


if __name__ == "__main__":
    main()
