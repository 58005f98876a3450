"""Class polls under (small) load through Streamlit's own protocol (bench/load/poll.py): one server on a SQLite
file, and two replicas behind nginx (deploy/run_replicas.sh, deploy/nginx.conf) sharing one real PostgreSQL.

Students vote and poll for the reveal through the page's watcher fragment, as browsers do; the host's live
counts before the reveal and every student's distribution after it must equal the votes cast, whichever
replica served them. The full-size figures (100 students) are in the README's "Class mode" section.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.load import poll
from bench.load import run as load
from tests import pg_server
from tests.browser.conftest import ROOT, start_server
from views.playground import class_db


def _run_async(coroutine):
    with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's sync API may hold this thread's loop
        return pool.submit(asyncio.run, coroutine).result()


def poll_settings(students: int, wait: float = 2.0):
    args = load.parse_args(["--poll-only", "--sessions", str(students), "--poll-wait", str(wait), "--think", "0,0.3"])
    return load.poll_config(args)


def check(stats: poll.PollStats, students: int) -> None:
    assert stats.errors == []
    assert stats.host_counts == stats.tally and sum(stats.tally.values()) == students  # every vote, once
    assert len(stats.student_counts) == students and all(c == stats.tally for c in stats.student_counts)
    assert len(stats.reach) == students  # the reveal reached every student
    assert stats.wait_ticks > 0


def test_a_poll_on_one_server(tmp_path):
    proc, url = start_server(env={class_db.ENV_URL: f"sqlite:///{tmp_path / 'classes.sqlite3'}"})
    try:
        stats = _run_async(poll.poll_test(url, poll_settings(6), lambda: load.cpu_seconds(proc.pid)))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    check(stats, 6)
    assert stats.summary()["server_cpu_ms_per_tick"] is not None


@pytest.fixture(scope="module")
def postgres_url():
    yield from pg_server.pytest_server()


def _free_ports(n: int) -> int:
    """The first of ``n`` consecutive free loopback ports."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + n < 65536 and all(_is_free(first + i) for i in range(n)):
            return first
    raise RuntimeError("no free ports")


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"run_replicas.sh exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the replicas did not become healthy in time")


def test_two_replicas_behind_nginx_share_one_postgresql_and_agree(postgres_url):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        message = "nginx is not installed (Debian: apt-get install nginx; ./test.sh installs it when it may)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port, first = _free_ports(1), _free_ports(2)
    env = {**os.environ, class_db.ENV_URL: postgres_url, "PYTHON": sys.executable, "NGINX": nginx}
    proc = subprocess.Popen(
        ["bash", "deploy/run_replicas.sh", "-k", "2", "-p", str(port), "-b", str(first)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _healthy(url, proc)
        pids = tuple(p for q in (first, first + 1) for p in load.pids_listening_on(q))
        stats = _run_async(poll.poll_test(url, poll_settings(12), lambda: load._cpu(pids)))
    finally:
        proc.terminate()  # the script stops nginx and both replicas
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    check(stats, 12)
    assert len(stats.upstreams) == 2, stats.upstreams  # students on both replicas, agreeing on the counts
