"""A real PostgreSQL server for the tests and benchmarks: the one named by PLAYGROUND_TEST_POSTGRES_URL, or a
throwaway cluster of Debian's ``postgresql`` package started on a free loopback port (removed afterwards).

initdb and postgres refuse to run as root: as root the cluster belongs to the ``postgres`` system user
(``runuser``). In CI (CI=true) a missing PostgreSQL fails the tests; elsewhere they are skipped with the reason.

    python -m tests.pg_server        # start one and print its URL until Ctrl-C or SIGTERM (for bench/load)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ENV_URL = "PLAYGROUND_TEST_POSTGRES_URL"
INSTALL = "Debian: apt-get install postgresql (./test.sh installs it when it may)"


def bindir() -> Path | None:
    """The newest installed PostgreSQL's programs (initdb, pg_ctl), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def cluster(timeout: float = 60.0) -> Iterator[str]:
    """Start a throwaway cluster; yields its SQLAlchemy URL (psycopg driver, trust auth on loopback)."""
    programs = bindir()
    if programs is None:
        raise FileNotFoundError(f"PostgreSQL is not installed ({INSTALL})")
    home = Path(tempfile.mkdtemp(prefix="playground-pg-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    data, port = home / "data", _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    run = {"check": True, "capture_output": True, "text": True, "env": env, "timeout": timeout, "cwd": home}
    try:
        subprocess.run(
            _as_owner([str(programs / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                       "--no-sync"]),
            **run,
        )  # fmt: skip
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        subprocess.run(
            _as_owner([str(programs / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(home / "log"), "-w",
                       "-t", str(int(timeout)), "start"]),
            **run,
        )  # fmt: skip
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_owner([str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                **(run | {"check": False}),
            )
    except subprocess.CalledProcessError as error:
        log = (home / "log").read_text() if (home / "log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {error.stderr}{log[-2000:]}") from error
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def server() -> Iterator[str]:
    """The configured server (PLAYGROUND_TEST_POSTGRES_URL) or a throwaway cluster."""
    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL]
        return
    with cluster() as url:
        yield url


def pytest_server() -> Iterator[str]:
    """For a pytest fixture: skip (locally) or fail (CI) when there is no PostgreSQL to use."""
    import pytest

    if not os.environ.get(ENV_URL) and bindir() is None:
        message = f"PostgreSQL is not installed ({INSTALL}), or set {ENV_URL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with server() as url:
        yield url


if __name__ == "__main__":
    for stop in (signal.SIGINT, signal.SIGTERM):  # also when started in the background (SIGINT ignored there)
        signal.signal(stop, lambda *_: sys.exit(0))
    with server() as url:
        print(url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    sys.exit(0)
