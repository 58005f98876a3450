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
from bench.load.client import RunResult
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


def test_smoke_command_line(server):
    _, url = server
    done = subprocess.run(
        [sys.executable, "bench/load/run.py", "--smoke", "--url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "errors          0" in done.stdout
    assert "isolation       0 violations" in done.stdout
    assert "round trip      4/4" in done.stdout


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
