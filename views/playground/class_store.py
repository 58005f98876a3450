"""Class mode's shared state in a SQL database: class polls, votes, and the host's published view.

Pure SQLAlchemy Core, no Streamlit (``class_db.py`` gets the engine through ``st.connection``). Works on
SQLite (one file, one machine) and PostgreSQL (several replicas). A class is one row: a short code that
students open, the SHA-256 of the host's secret (the secret itself is never stored), the poll (a question's
``ask=`` key and the view it is asked on, as a query string) and the host's latest published view. A vote
is one row per (class, voter), where the voter is a random id per browser session: no personal data.

Rules the functions enforce, whatever the caller passes:
- only the host secret (compared in constant time) reveals a poll, publishes a view or reads the counts
  before the reveal; after the reveal everyone in the class may read them;
- one vote per voter, changeable until the reveal; a vote and the reveal are serialised (PostgreSQL: the
  vote holds a share lock on the class row, the reveal an update lock; SQLite: writes begin IMMEDIATE), so
  the counts read after the reveal never change again;
- a class expires ``TTL`` seconds after it was started; expired classes are deleted when the next starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

TTL = 12 * 3600  # seconds a class lives
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: easy to read off a projector
CODE_LENGTH = 6
MAX_CHOICE = 64  # an option id (an optimizer's name, "converges", ...)
MAX_VOTER = 64
MAX_VIEW = 8000  # a view's query string
SQLITE_BUSY_MS = 5000  # how long SQLite waits for a lock before "database is locked"
CONNECT_TIMEOUT_S = 5  # PostgreSQL: give up connecting after this long

metadata = sa.MetaData()
CLASSES = sa.Table(
    "playground_classes",
    metadata,
    sa.Column("code", sa.String(CODE_LENGTH), primary_key=True),
    sa.Column("host_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
    sa.Column("question", sa.String(MAX_CHOICE)),  # the poll's ask= key; None: no poll, follow mode only
    sa.Column("poll_view", sa.Text, nullable=False),  # the query string the question is asked on
    sa.Column("link", sa.Text, nullable=False),  # lock/hide/only for the students (query string)
    sa.Column("revealed_at", sa.Float),
    sa.Column("view", sa.Text),  # the host's latest published view (query string)
    sa.Column("view_seq", sa.Integer, nullable=False),  # how many views were published
)
VOTES = sa.Table(
    "playground_votes",
    metadata,
    sa.Column("code", sa.String(CODE_LENGTH), primary_key=True),
    sa.Column("voter", sa.String(MAX_VOTER), primary_key=True),
    sa.Column("choice", sa.String(MAX_CHOICE), nullable=False),
    sa.Column("voted_at", sa.Float, nullable=False),
)


class ClassError(Exception):
    """A class cannot be used as asked; ``str(error)`` is the message for the user."""


class UnknownClassError(ClassError):
    pass


class ExpiredClassError(ClassError):
    pass


class NotHostError(ClassError):
    pass


class VotingClosedError(ClassError):
    pass


@dataclass(frozen=True)
class ClassInfo:
    """What anyone in the class may know about it (no counts, no secret)."""

    code: str
    question: str | None
    poll_view: str
    link: str
    expires_at: float
    revealed: bool
    view: str | None
    view_seq: int


@dataclass(frozen=True)
class NewClass:
    code: str
    secret: str  # only the host link carries it


# ---------------------------------------------------------------- engine set-up


def prepare(engine: Engine) -> None:
    """Per-dialect connection settings (idempotent; call before the engine's first connection).

    SQLite: WAL (readers never wait for the writer), a busy timeout, and transactions begun by us: a write
    transaction begins IMMEDIATE (it takes the write lock first, so it never fails half-way on a lock
    upgrade), a read transaction DEFERRED. PostgreSQL: a connect timeout, so an unreachable server fails fast.
    """
    if engine.dialect.name == "sqlite" and not sa.event.contains(engine, "connect", _sqlite_connect):
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
    if engine.dialect.name == "postgresql" and not sa.event.contains(engine, "do_connect", _pg_connect):
        sa.event.listen(engine, "do_connect", _pg_connect)


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # the driver issues no BEGIN of its own; _sqlite_begin does
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get("class_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _pg_connect(_dialect, _record, _cargs, cparams) -> None:
    cparams.setdefault("connect_timeout", CONNECT_TIMEOUT_S)


def create_schema(engine: Engine) -> None:
    """Create the tables if they are missing (several processes may race to do it: the loser's error is
    ignored when the tables are there afterwards)."""
    prepare(engine)
    try:
        with _writing(engine) as connection:  # SQLite: IMMEDIATE, so that racing creators wait for each other
            metadata.create_all(connection, checkfirst=True)
    except sa.exc.DBAPIError:
        tables = set(sa.inspect(engine).get_table_names())
        if not {CLASSES.name, VOTES.name} <= tables:
            raise


@contextlib.contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction (committed on success, rolled back on any error)."""
    with engine.connect() as connection:
        connection = connection.execution_options(class_write=True)
        with connection.begin():
            yield connection


def _upsert(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(VOTES)


# ---------------------------------------------------------------- codes and secrets


def normalize_code(text: str | None) -> str | None:
    """A class code as typed or linked (case, spaces and dashes ignored); None if it cannot be one."""
    if text is None:
        return None
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def _is_host(host_hash: str, secret: str | None) -> bool:
    """Constant time: the comparison takes as long whatever prefix of the hash an attacker got right."""
    return bool(secret) and hmac.compare_digest(_hash(secret), host_hash)


# ---------------------------------------------------------------- reading


def _row(connection: Connection, code: str, now: float, lock: str | None = None):
    query = sa.select(CLASSES).where(CLASSES.c.code == code)
    if lock == "share":
        query = query.with_for_update(read=True)  # PostgreSQL FOR SHARE; SQLite: the IMMEDIATE transaction
    elif lock == "update":
        query = query.with_for_update()
    row = connection.execute(query).first()
    if row is None:
        raise UnknownClassError(
            f"There is no class with the code {code}. Check the code, or ask your teacher for the link."
        )
    if row.expires_at <= now:
        hours = TTL // 3600
        raise ExpiredClassError(
            f"Class {code} has ended (classes last {hours} hours). Ask your teacher for a new link."
        )
    return row


def _info(row) -> ClassInfo:
    return ClassInfo(
        code=row.code,
        question=row.question,
        poll_view=row.poll_view,
        link=row.link,
        expires_at=row.expires_at,
        revealed=row.revealed_at is not None,
        view=row.view,
        view_seq=row.view_seq,
    )


def info(engine: Engine, code: str, now: float | None = None) -> ClassInfo:
    """The class (raises UnknownClassError or ExpiredClassError)."""
    with engine.connect() as connection:
        return _info(_row(connection, code, _now(now)))


def is_host(engine: Engine, code: str, secret: str | None, now: float | None = None) -> bool:
    """Whether ``secret`` is the host secret of the class."""
    with engine.connect() as connection:
        return _is_host(_row(connection, code, _now(now)).host_hash, secret)


def counts(engine: Engine, code: str, secret: str | None = None, now: float | None = None) -> dict[str, int]:
    """Votes per option id. Before the reveal only the host (its secret) may read them."""
    with engine.connect() as connection:
        row = _row(connection, code, _now(now))
        if row.revealed_at is None and not _is_host(row.host_hash, secret):
            raise NotHostError("The class's answers are shown when your teacher reveals them.")
        query = sa.select(VOTES.c.choice, sa.func.count()).where(VOTES.c.code == code).group_by(VOTES.c.choice)
        return {choice: int(n) for choice, n in connection.execute(query)}


def my_vote(engine: Engine, code: str, voter: str) -> str | None:
    """The option this voter chose (None: not voted)."""
    with engine.connect() as connection:
        query = sa.select(VOTES.c.choice).where(VOTES.c.code == code, VOTES.c.voter == voter)
        return connection.execute(query).scalar()


# ---------------------------------------------------------------- writing


def start(
    engine: Engine,
    question: str | None,
    poll_view: str,
    link: str = "",
    now: float | None = None,
    ttl: float = TTL,
) -> NewClass:
    """A new class with a fresh code and host secret (expired classes are deleted first)."""
    now = _now(now)
    if len(poll_view) > MAX_VIEW or len(link) > MAX_VIEW or (question is not None and len(question) > MAX_CHOICE):
        raise ClassError("This view is too large to share with a class.")
    secret = secrets.token_urlsafe(24)
    with _writing(engine) as connection:
        ended = sa.select(CLASSES.c.code).where(CLASSES.c.expires_at <= now)
        connection.execute(sa.delete(VOTES).where(VOTES.c.code.in_(ended)))
        connection.execute(sa.delete(CLASSES).where(CLASSES.c.expires_at <= now))
    row = {
        "host_hash": _hash(secret),
        "created_at": now,
        "expires_at": now + ttl,
        "question": question,
        "poll_view": poll_view,
        "link": link,
        "revealed_at": None,
        "view": None,
        "view_seq": 0,
    }
    for _ in range(10):  # 32**6 codes: a clash is rare, and retried with a new code
        code = _new_code()
        try:
            with _writing(engine) as connection:
                connection.execute(sa.insert(CLASSES).values(code=code, **row))
            return NewClass(code, secret)
        except sa.exc.IntegrityError:
            continue
    raise ClassError("Could not find a free class code; try again.")


def vote(engine: Engine, code: str, voter: str, choice: str, now: float | None = None) -> None:
    """Record (or change) this voter's answer; raises VotingClosedError after the reveal."""
    now = _now(now)
    if not voter or len(voter) > MAX_VOTER or not choice or len(choice) > MAX_CHOICE:
        raise ClassError("That vote cannot be recorded.")
    with _writing(engine) as connection:
        row = _row(connection, code, now, lock="share")
        if row.question is None:
            raise ClassError(f"Class {code} has no question to answer.")
        if row.revealed_at is not None:
            raise VotingClosedError("The answer has been revealed: votes are closed.")
        insert = _upsert(connection.dialect.name).values(code=code, voter=voter, choice=choice, voted_at=now)
        update = {"choice": insert.excluded.choice, "voted_at": insert.excluded.voted_at}
        connection.execute(insert.on_conflict_do_update(index_elements=[VOTES.c.code, VOTES.c.voter], set_=update))


def reveal(engine: Engine, code: str, secret: str | None, now: float | None = None) -> None:
    """Close the votes and show everyone the answer (host only; revealing twice changes nothing)."""
    now = _now(now)
    with _writing(engine) as connection:
        row = _row(connection, code, now, lock="update")
        if not _is_host(row.host_hash, secret):
            raise NotHostError("Only the teacher's host link can reveal the answer.")
        if row.revealed_at is None:
            connection.execute(sa.update(CLASSES).where(CLASSES.c.code == code).values(revealed_at=now))


def publish(engine: Engine, code: str, secret: str | None, view: str, now: float | None = None) -> int:
    """Make ``view`` the class's current view (host only); returns its sequence number."""
    now = _now(now)
    if len(view) > MAX_VIEW:
        raise ClassError("This view is too large to share with a class.")
    with _writing(engine) as connection:
        row = _row(connection, code, now, lock="update")
        if not _is_host(row.host_hash, secret):
            raise NotHostError("Only the teacher's host link can publish a view.")
        seq = row.view_seq + 1
        connection.execute(sa.update(CLASSES).where(CLASSES.c.code == code).values(view=view, view_seq=seq))
        return seq


def _now(now: float | None) -> float:
    return time.time() if now is None else now
