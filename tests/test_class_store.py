"""Class mode's storage against real databases: a SQLite file and a real PostgreSQL server (tests/pg_server.py).

No mocks: 100 concurrent voters (threads sharing one engine, as sessions of one Streamlit process do, and
processes with engines of their own, as replicas do), the host secret, expiry, and votes racing the reveal.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import pg_server
from views.playground import class_store as store

VOTERS = 100
OPTIONS = ("sgd", "rmsprop", "adam")


@pytest.fixture(scope="module")
def postgres_url():
    yield from pg_server.pytest_server()


def make_engine(url: str) -> sa.Engine:
    """An engine as st.connection makes it (SQLAlchemy's default pool: 5 connections, 10 more under load)."""
    engine = sa.create_engine(url)
    store.create_schema(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'classes.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(url):
    engine = make_engine(url)
    yield engine
    engine.dispose()


def final_choice(i: int) -> str:
    return OPTIONS[i % len(OPTIONS)]


def cast_votes(url: str, code: str, voters: range, engine: sa.Engine | None = None) -> None:
    """Each voter first picks another option, then changes its mind, then sends its final vote again (a
    double click): only the final choice may count, once."""
    own = engine is None
    engine = engine or make_engine(url)
    try:
        for i in voters:
            store.vote(engine, code, f"voter-{i}", OPTIONS[(i + 1) % len(OPTIONS)])
            store.vote(engine, code, f"voter-{i}", final_choice(i))
            store.vote(engine, code, f"voter-{i}", final_choice(i))
    finally:
        if own:
            engine.dispose()


def expected_counts(n: int = VOTERS) -> dict[str, int]:
    return dict(Counter(final_choice(i) for i in range(n)))


def test_100_concurrent_sessions_are_all_counted_once(engine):
    poll = store.start(engine, "first", "surface=bowl&opt=sgd,rmsprop,adam")
    barrier = threading.Barrier(VOTERS)

    def session(i: int) -> None:
        barrier.wait()  # all at once
        cast_votes("", poll.code, range(i, i + 1), engine)

    with ThreadPoolExecutor(VOTERS) as pool:
        list(pool.map(session, range(VOTERS)))
    assert store.counts(engine, poll.code, poll.secret) == expected_counts()
    assert sum(store.counts(engine, poll.code, poll.secret).values()) == VOTERS


def test_votes_from_several_processes_are_all_counted_once(url, engine):
    """Four processes with an engine each (like four replicas), 25 voters each, all at once."""
    poll = store.start(engine, "lowest", "surface=bowl&opt=sgd,rmsprop,adam")
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=cast_votes, args=(url, poll.code, range(k * 25, (k + 1) * 25))) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert store.counts(engine, poll.code, poll.secret) == expected_counts()


def test_votes_racing_the_reveal_never_change_the_counts_afterwards(engine):
    poll = store.start(engine, "first", "surface=bowl")
    accepted, closed = [], []
    go = threading.Event()

    def voter(i: int) -> None:
        go.wait()
        try:
            store.vote(engine, poll.code, f"v{i}", final_choice(i))
            accepted.append(i)
        except store.VotingClosedError:
            closed.append(i)

    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(voter, i) for i in range(60)]
        go.set()
        time.sleep(0.005)
        store.reveal(engine, poll.code, poll.secret)
        revealed = store.counts(engine, poll.code)
        for f in futures:
            f.result()
    assert len(accepted) + len(closed) == 60
    assert sum(revealed.values()) == len(accepted)  # every vote that was accepted was in before the reveal
    assert store.counts(engine, poll.code) == revealed


def test_only_the_host_secret_reveals_or_reads_counts(engine):
    poll = store.start(engine, "first", "surface=bowl")
    other = store.start(engine, "first", "surface=bowl")
    store.vote(engine, poll.code, "student", "sgd")
    tampered = [None, "", " ", poll.secret[:-1], poll.secret + "x", poll.secret.upper(), other.secret, poll.code,
                "' OR '1'='1", "\x00", "é" * 40]  # fmt: skip
    for secret in tampered:
        with pytest.raises(store.NotHostError):
            store.counts(engine, poll.code, secret)
        with pytest.raises(store.NotHostError):
            store.reveal(engine, poll.code, secret)
        with pytest.raises(store.NotHostError):
            store.publish(engine, poll.code, secret, "surface=rosenbrock")
        assert not store.is_host(engine, poll.code, secret)
    assert not store.info(engine, poll.code).revealed
    assert store.info(engine, poll.code).view is None
    assert store.is_host(engine, poll.code, poll.secret)
    assert store.counts(engine, poll.code, poll.secret) == {"sgd": 1}
    store.reveal(engine, poll.code, poll.secret)
    assert store.counts(engine, poll.code) == {"sgd": 1}  # after the reveal, for everyone
    with pytest.raises(store.VotingClosedError):
        store.vote(engine, poll.code, "student", "adam")


def test_the_secret_is_not_stored(engine):
    poll = store.start(engine, "first", "surface=bowl")
    with engine.connect() as connection:
        row = connection.execute(sa.select(store.CLASSES).where(store.CLASSES.c.code == poll.code)).one()
    assert poll.secret not in [str(v) for v in row]
    assert len(poll.secret) >= 32 and len(poll.code) == store.CODE_LENGTH


def test_unknown_and_expired_codes_say_so(engine):
    now = time.time()
    poll = store.start(engine, "first", "surface=bowl", now=now)
    with pytest.raises(store.UnknownClassError, match="no class with the code ZZZZZZ"):
        store.info(engine, "ZZZZZZ")
    later = now + store.TTL + 1
    for call in (
        lambda: store.info(engine, poll.code, now=later),
        lambda: store.vote(engine, poll.code, "v", "sgd", now=later),
        lambda: store.counts(engine, poll.code, poll.secret, now=later),
        lambda: store.reveal(engine, poll.code, poll.secret, now=later),
    ):
        with pytest.raises(store.ExpiredClassError, match="has ended"):
            call()
    store.vote(engine, poll.code, "v", "sgd", now=now + store.TTL - 60)  # still open a minute before
    store.start(engine, None, "surface=bowl", now=later)  # starting a class deletes the expired ones
    with pytest.raises(store.UnknownClassError):
        store.info(engine, poll.code, now=later)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(store.VOTES)).scalar() == 0


def test_published_views_are_numbered(engine):
    poll = store.start(engine, None, "surface=bowl")
    assert store.info(engine, poll.code).view_seq == 0
    assert store.publish(engine, poll.code, poll.secret, "surface=rosenbrock") == 1
    assert store.publish(engine, poll.code, poll.secret, "surface=saddle") == 2
    info = store.info(engine, poll.code)
    assert (info.view, info.view_seq, info.question) == ("surface=saddle", 2, None)
    with pytest.raises(store.ClassError, match="no question"):
        store.vote(engine, poll.code, "v", "sgd")


def test_codes_are_read_forgivingly():
    assert store.normalize_code(" k7qx-3m ") == "K7QX3M"
    for bad in (None, "", "K7QX3", "K7QX3MM", "K7QX0M", "K7QX3M;--", "../etc"):
        assert store.normalize_code(bad) is None


def test_schema_creation_is_idempotent_and_race_safe(url):
    engines = [sa.create_engine(url) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(store.create_schema, engines))
    for engine in engines:
        store.create_schema(engine)
        engine.dispose()


def test_a_locked_sqlite_file_fails_after_the_busy_timeout(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'classes.sqlite3'}"
    engine = make_engine(url)
    poll = store.start(engine, "first", "surface=bowl")
    blocker = sa.create_engine(url).raw_connection()
    blocker.isolation_level = None
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            store.vote(engine, poll.code, "v", "sgd")
        assert time.perf_counter() - started >= store.SQLITE_BUSY_MS / 1000 * 0.9  # it waited first
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    store.vote(engine, poll.code, "v", "sgd")  # and works again once the lock is gone
    engine.dispose()
