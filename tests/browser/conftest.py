"""End-to-end fixtures: a real `streamlit run app.py` server and Debian's headless Chromium.

The browser is $CHROMIUM when set (any Chromium or Chrome binary, e.g. on macOS), else `chromium` on the PATH,
else Debian's /usr/bin/chromium. In CI (CI=true) a missing Chromium fails the run; elsewhere the browser tests
are skipped with the reason and how to get one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
NO_CHROMIUM = (
    "Chromium not found at {path}: install Chromium or Chrome and set CHROMIUM to its binary "
    "(macOS: brew install --cask chromium; CHROMIUM=/Applications/Chromium.app/Contents/MacOS/Chromium), "
    "or on Debian: apt-get install chromium"
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    app: str = "app.py", timeout: float = 60.0, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run` on a free port (with ``env`` added to the environment) and wait for its health
    endpoint."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", app,
            "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    proc, url = start_server()
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = NO_CHROMIUM.format(path=CHROMIUM)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


#: The page's charts in page order: live charts (views/common/live.py; a map is two stacked Plotly plots) and
#: Streamlit's own Plotly charts. ``CHART_PLOTS`` gives, per chart, its Plotly graph divs (lowest layer first).
CHARTS_JS = """() => [...document.querySelectorAll(
    '.rmsp-live:not(.rmsp-sliders-only), [data-testid="stPlotlyChart"]')]"""
CHART_PLOTS_JS = "const charts = (" + CHARTS_JS + ")(); const plots = c => [...c.querySelectorAll('.js-plotly-plot')];"


class Page:
    """A browser tab on the app that records console errors and page exceptions."""

    def __init__(self, browser, url: str, **context_options):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, **context_options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.base = url

    def _console(self, message) -> None:
        # Opened at a page's own path (/lessons), Streamlit's frontend first probes that path for its
        # server endpoints and falls back to the root; those two 404s are expected, not app errors.
        probe = message.location.get("url", "").endswith(("/_stcore/host-config", "/_stcore/health"))
        if message.type == "error" and not probe:
            self.errors.append(message.text)

    def open(self, path: str = "/", charts: int = 1) -> Page:
        self.page.goto(self.base + path)
        self.wait_idle(charts)
        return self

    def wait_idle(self, charts: int = 1, after_input: bool = False) -> None:
        app = '[data-testid="stApp"]'
        if after_input:
            with contextlib.suppress(PlaywrightTimeout):  # the run may already have finished
                self.page.wait_for_selector(f'{app}[data-test-script-state="running"]', timeout=2000)
        self.page.wait_for_selector(f'{app}[data-test-script-state="notRunning"]', timeout=60000)
        # Live charts draw a new payload asynchronously, after the script has finished.
        self.page.wait_for_function("() => !window.rmspRendering", timeout=60000)
        # Count charts, not Plotly plots or SVG layers: a live map is two plots, each draws several `.main-svg`.
        self.page.wait_for_function(
            "n => {" + CHART_PLOTS_JS + " return charts.filter(c => plots(c).length &&"
            " plots(c).every(p => p.querySelector('.main-svg'))).length >= n; }",
            arg=charts,
            timeout=60000,
        )

    def wait_settled(self) -> None:
        """Wait until no run is going and nothing on the page is faded as stale: a run that starts after
        `wait_idle` (a fragment's tick, a late trigger) fades the elements it will redraw until it ends, and a
        faded caption fails a contrast check."""
        self.page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60000)
        self.page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=60000)
        self.page.wait_for_timeout(300)  # Streamlit's fade back to full opacity

    def exceptions(self) -> list[str]:
        return self.page.locator('[data-testid="stException"]').all_inner_texts()

    def traces(self, chart: int = 0) -> list[dict]:
        """name, uid, x and y of every trace of a chart (all its layers), as the live plots hold them (decoded)."""
        return self.page.evaluate(
            "i => {" + CHART_PLOTS_JS + " return plots(charts[i]).flatMap(gd => Array.from(gd._fullData).map("
            " t => ({name: t.name, uid: (gd.data[t.index] || {}).uid || null,"
            " x: Array.from(t.x || []), y: Array.from(t.y || [])}))); }",
            chart,
        )

    def chart_count(self) -> int:
        return self.page.evaluate("() => {" + CHART_PLOTS_JS + " return charts.length; }")

    def plot(self, chart: int = 0):
        """The top Plotly plot of a chart (the one that takes clicks and hovers)."""
        charts = self.page.locator(".rmsp-live:not(.rmsp-sliders-only), [data-testid='stPlotlyChart']")
        return charts.nth(chart).locator(".js-plotly-plot").last

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, app_url):
    page = Page(browser, app_url)
    yield page
    page.close()
