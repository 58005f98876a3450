"""Smoke load test: a real `streamlit run app.py` and a few concurrent sessions speaking Streamlit's protocol.

The load generator (bench/load/run.py) in its --smoke mode: 4 sessions x 3 interactions at once,
each with its own settings, one dropped-and-resumed connection per session, and every session's
final URL reopened in a fresh session. The full figures (30 and 100 sessions) are in the README.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.load import run as load
from bench.load.client import TRIGGER_ID, RunResult, Session, live_header
from tests.browser.conftest import ROOT, start_server


@pytest.fixture(scope="module")
def server():
    proc, url = start_server()
    yield proc, url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _run_async(coroutine):
    """asyncio.run in a thread of its own (Playwright's sync API may hold this thread's event loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_smoke_load_is_error_free_isolated_and_round_trips(server):
    proc, url = server
    args = load.parse_args(["--smoke", "--url", url])
    report = _run_async(load.load_test(load.config_from(args, url, (proc.pid,))))
    summary = report.summary()

    assert report.errors == []
    assert report.violations == []  # every run showed its own session's settings
    assert summary["interactions"] == args.sessions * args.interactions
    for stats in report.sessions:
        assert stats.roundtrip_ok, stats  # its final URL, opened afresh, gives the same state back
        assert stats.resumed, stats  # the reconnect resumed the same server session
        seed = int(load._query_dict(stats.final_query)["seed"])
        assert seed % load.SEED_STRIDE == stats.number  # the session ended with a seed of its own
    assert summary["rss_peak_mb"] is not None and summary["rss_peak_mb"] > 0
    assert summary["server_cpu_ms_per_interaction"] > 0  # from the server's CPU clock


def test_a_released_live_slider_sets_its_value_as_in_the_browser(server):
    """The generator releases a live slider the way live_charts.js does (one trigger value on the component):
    the server takes the value, and the page's link carries it."""
    _, url = server

    async def release() -> tuple[float, str | None, str]:
        async with Session(url, load.DEFAULT_LINK) as session:
            await session.run()
            knobs = live_header(session.widget(load.KNOBS))["knobs"]
            lr = next(k for k in knobs["items"] if k["name"] == "lr")
            index = lr["index"] + 2
            trigger = session.set_trigger(load.KNOBS, "release", {"name": "lr", "value": lr["stops"][index],
                                                                    "index": index})  # fmt: skip
            result = await session.run(widgets=[trigger])
            return lr["stops"][index], load.share_query(result), trigger.id

    value, shown, trigger_id = _run_async(release())
    assert trigger_id.startswith(TRIGGER_ID.split("{")[0]) and trigger_id.endswith("__events")
    assert float(load._query_dict(shown)["rmsprop.lr"]) == value  # RMSProp is the focus of the default link


async def _open_and_release(url: str, open_first: list[str], steps: int = 2) -> tuple[RunResult, RunResult, float]:
    """Open the default link, open the sidebar expanders ``open_first`` (by key), then release RMSProp's live lr
    ``steps`` stops away as the browser does: a change of a widget of the results fragment, sent with its id."""
    async with Session(url, load.DEFAULT_LINK) as session:
        first = await session.run()
        for key in open_first:
            await session.run(widgets=[session.set_expander(key, True)])
        widget = session.widget(load.KNOBS)
        lr = next(k for k in live_header(widget)["knobs"]["items"] if k["name"] == "lr")
        index = lr["index"] + steps
        value = lr["stops"][index]
        trigger = session.set_trigger(load.KNOBS, "release", {"name": "lr", "value": value, "index": index})
        result = await session.run(widgets=[trigger], fragment_id=widget.fragment_id, auto=False, through_rerun=True)
        return first, result, value


def test_a_release_reruns_only_the_results_and_writes_the_url(server):
    """The focus sliders live in the Playground's results fragment: their release reruns the charts, notes and
    tabs only (not the sidebar, header and card), and that run writes the new value to the URL itself."""
    _, url = server
    first, result, value = _run_async(_open_and_release(url, []))
    assert load.KNOBS in first.widgets and first.widgets[load.KNOBS].fragment_id  # drawn in a fragment
    assert result.ok and result.partial and not result.reran
    assert result.messages < first.messages / 2  # the sidebar was not sent again
    assert not any(w.key and w.key.startswith(("pg.hp.", "pg.steps", "pg.seed")) for w in result.widgets.values())
    assert load.share_query(result) is None  # the share link (sidebar) was not redrawn ...
    assert float(load._query_dict(result.query_string)["rmsprop.lr"]) == value  # ... and the URL holds the value


@pytest.mark.parametrize("expander", ["pg.open.rmsprop", "pg.share"])
def test_a_release_that_changes_what_the_sidebar_shows_reruns_the_whole_page(server, expander):
    """With RMSProp's sidebar expander open (its lr slider) or the share link open, a results-only run would leave
    the sidebar showing the old value: it reruns the whole page instead, which redraws it with the new one."""
    _, url = server
    _, result, value = _run_async(_open_and_release(url, [expander]))
    assert result.ok and result.reran and not result.partial
    assert float(load._query_dict(result.query_string)["rmsprop.lr"]) == value
    if expander == "pg.share":
        assert float(load._query_dict(load.share_query(result))["rmsprop.lr"]) == value
    else:
        slider = result.widgets["pg.hp.rmsprop.lr"]
        assert slider.proto.set_value and float(slider.proto.raw_value[0]) == value  # the server moved it


async def _sidebar_change(url: str, link: str, open_first: list[str], change: str) -> tuple[RunResult, RunResult]:
    """Open ``link``, open the sidebar expanders ``open_first``, then move the sidebar's Steps slider to 500
    (``change="steps"``) or type a seed (``"seed"``), as the browser sends it: a change of a widget outside any
    fragment, which asks for a whole-page run."""
    async with Session(url, link) as session:
        first = await session.run()
        for key in open_first:
            await session.run(widgets=[session.set_expander(key, True)])
        state = session.set_select_slider("pg.steps", "500") if change == "steps" else session.set_number("pg.seed", 77)
        return first, await session.run(widgets=[state])


SIDEBAR_KEYS = ("pg.hp.", "pg.surface", "pg.optimizers", "pg.convention", "pg.steps", "pg.seed", "pg.tol")


@pytest.mark.parametrize("change", ["steps", "seed"])
def test_a_sidebar_control_that_shows_only_itself_reruns_only_the_results(server, change):
    """Steps and seed show nothing in the sidebar but their own value: their change reruns the results fragment
    alone (state.results_only), which writes the URL; the sidebar and the header are not sent again."""
    _, url = server
    first, result = _run_async(_sidebar_change(url, load.DEFAULT_LINK, [], change))
    assert result.ok and result.partial and result.reran  # the whole-page run stopped for the fragment's
    assert load.KNOBS in result.widgets  # the charts and their sliders were drawn again ...
    assert not any(w.key and w.key.startswith(SIDEBAR_KEYS) for w in result.widgets.values())  # ... the sidebar not
    assert load.share_query(result) is None and result.messages < 0.6 * first.messages
    query = load._query_dict(result.query_string)
    assert query["steps" if change == "steps" else "seed"] == ("500" if change == "steps" else "77")


@pytest.mark.parametrize(
    ("link", "open_first"),
    [
        (load.DEFAULT_LINK, ["pg.share"]),  # the share link shows the steps
        (load.DEFAULT_LINK, ["pg.open.sched"]),  # the schedule's preview is drawn over the steps
        (load.DEFAULT_LINK + "&noise=abc", []),  # the header warns about the link, until the user changes it
    ],
)
def test_a_sidebar_control_reruns_the_whole_page_when_the_page_shows_more_of_it(server, link, open_first):
    _, url = server
    first, result = _run_async(_sidebar_change(url, link, open_first, "steps"))
    assert result.ok and not result.partial and "pg.steps" in result.widgets
    assert load._query_dict(result.query_string)["steps"] == "500"
    if "pg.share" in open_first:
        assert load._query_dict(load.share_query(result))["steps"] == "500"
    if "abc" in link:
        assert any("noise" in t for t in first.texts) and not any("noise" in t for t in result.texts)


async def _optimizers_and_expanders(url: str) -> list[tuple[RunResult, set[str]]]:
    """Add Adagrad (the pills), open its expander, move its lr, remove it: each change sent as the browser sends it
    (with the fragment its widget is drawn in); for each, the run and the fragments that drew its elements."""
    out = []
    async with Session(url, load.DEFAULT_LINK) as session:
        await session.run()

        async def change(key: str, state) -> None:
            fragment = session.widget(key).fragment_id or None
            result = await session.run(widgets=[state], fragment_id=fragment, auto=False)
            out.append((result, {w.fragment_id for w in result.widgets.values()}))

        await change("pg.optimizers", session.set_pills("pg.optimizers", ["SGD", "RMSProp", "Adam", "Adagrad"]))
        await change("pg.open.adagrad", session.set_expander("pg.open.adagrad", True))
        options = session.widget("pg.hp.adagrad.lr").options
        await change("pg.hp.adagrad.lr", session.set_select_slider("pg.hp.adagrad.lr", options[3]))
        await change("pg.optimizers", session.set_pills("pg.optimizers", ["SGD", "RMSProp", "Adam"]))
    return out


def test_the_optimizers_and_their_expanders_rerun_only_the_expanders_and_the_results(server):
    """The sidebar's optimizer expanders are a fragment: opening one reruns only them; the optimizers (pills) and a
    hyperparameter rerun them and the results, not the rest of the sidebar or the header."""
    _, url = server
    (added, _), (opened, opened_in), (moved, _), (removed, _) = _run_async(_optimizers_and_expanders(url))
    for result in (added, opened, moved, removed):
        assert result.ok and result.partial and "pg.steps" not in result.widgets and not result.exceptions
    assert "pg.open.adagrad" in added.widgets and load.KNOBS in added.widgets  # expanders and results
    assert "adagrad" in load._query_dict(added.query_string)["opt"]
    assert "pg.hp.adagrad.lr" in opened.widgets and load.KNOBS not in opened.widgets and len(opened_in) == 1
    assert opened.messages < 20 and opened.query_string is None  # the expanders alone; the view did not change
    assert load.KNOBS in moved.widgets and "pg.hp.adagrad.lr" in moved.widgets
    assert "adagrad.lr" in load._query_dict(moved.query_string)
    assert "pg.open.adagrad" not in removed.widgets and "adagrad" not in load._query_dict(removed.query_string)["opt"]


async def _hyperparameter_with_share_open(url: str) -> tuple[RunResult, float]:
    async with Session(url, load.DEFAULT_LINK) as session:
        await session.run()
        for key in ("pg.share", "pg.open.rmsprop"):
            widget = session.widget(key)
            await session.run(widgets=[session.set_expander(key, True)], fragment_id=widget.fragment_id or None)
        slider = session.widget("pg.hp.rmsprop.lr")
        option = slider.options[slider.options.index("0.005") + 2]
        state = session.set_select_slider("pg.hp.rmsprop.lr", option)
        return await session.run(widgets=[state], fragment_id=slider.fragment_id, auto=False), float(option)


def test_a_hyperparameter_reruns_the_whole_page_while_the_share_link_shows_it(server):
    """A hyperparameter's slider sits in the expanders' fragment, which alone would rerun by default: with the
    share link open (it shows the value too) its callback asks for the whole page instead."""
    _, url = server
    result, value = _run_async(_hyperparameter_with_share_open(url))
    assert result.ok and not result.partial and "pg.steps" in result.widgets
    assert float(load._query_dict(load.share_query(result))["rmsprop.lr"]) == value


def test_smoke_command_line(server):
    proc, url = server
    done = subprocess.run(
        [sys.executable, "bench/load/run.py", "--smoke", "--url", url, "--server-pid", str(proc.pid), "--cost", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "errors          0" in done.stdout
    assert "isolation       0 violations" in done.stdout
    assert "round trip      4/4" in done.stdout
    assert "CPU per interaction, one student alone (3 interactions)" in done.stdout
    assert "ms per interaction (server CPU-seconds / interactions" in done.stdout


def _result(share_query: str, url_query: str | None = None) -> RunResult:
    link = f"http://127.0.0.1:8501?{share_query}"
    return RunResult(0.1, 0, url_query, {}, [], [link])


def test_isolation_check_flags_another_sessions_value():
    student = load.Student(7, load.Config())
    student.expected = {"seed": 1007.0, "steps": 300.0, "opt": frozenset({"sgd", "adam"})}

    student.check(_result("surface=bowl&opt=sgd%2Cadam&steps=300&seed=1007"), "own state")
    assert student.stats.violations == []

    student.check(_result("surface=bowl&opt=sgd%2Cadam&steps=300&seed=2005"), "leak")
    assert student.stats.violations == ["leak: seed = '2005' (a seed of session 5), expected 1007.0"]

    student.stats.violations.clear()
    student.check(_result("surface=bowl&opt=sgd&steps=300&seed=1007", "surface=bowl&seed=1007"), "mixed")
    assert len(student.stats.violations) == 2  # the share link and the URL disagree; opt is not its own
