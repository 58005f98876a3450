"""Class mode's database, through Streamlit's ``st.connection("sql")``, and what to tell the user when it fails.

Which database (the first that is set):
1. the environment variable ``PLAYGROUND_DATABASE_URL`` (a SQLAlchemy URL, e.g.
   ``postgresql+psycopg://user:password@host/dbname`` for several replicas);
2. ``[connections.sql]`` in ``.streamlit/secrets.toml`` (``url = "..."``, or Streamlit's dialect/host/... keys);
3. a SQLite file in the system's temporary folder, per user: ``<tmp>/rmsprop-playground-<uid>/classes.sqlite3``.

The app otherwise writes no files on the server (DESIGN); class mode needs shared state between sessions,
and the default keeps that out of the repository (which may be read-only, and must not collect data) in
the one folder every host lets a process write, Streamlit Community Cloud included. Classes last 12 hours,
so losing the file on a reboot loses nothing of value. SQLite serves one machine (Community Cloud runs one
process); replicas behind a load balancer need PostgreSQL.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine

from views.playground import class_store

ENV_URL = "PLAYGROUND_DATABASE_URL"
CONNECTION = "sql"  # st.connection's name: [connections.sql] in secrets.toml
T = TypeVar("T")
SESSION_ENGINE = "pg.class.engine"
OFF = "Class polls and follow mode are unavailable; everything else works as usual."


class DatabaseUnavailableError(Exception):
    """The class database cannot be used; ``str(error)`` says why, for the user."""


def default_path() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"rmsprop-playground-{uid}" / "classes.sqlite3"


def _secrets_configured() -> bool:
    try:
        return st.secrets.load_if_toml_exists() and CONNECTION in st.secrets.get("connections", {})
    except Exception:  # an unreadable secrets file is Streamlit's to report; we fall back to the default
        return False


def configured_url() -> str | None:
    """The database URL from the environment or the default file (None: secrets.toml configures it)."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    if _secrets_configured():
        return None
    return f"sqlite:///{default_path()}"


def engine() -> Engine:
    """The class database's engine, its schema created on first use. Raises DatabaseUnavailableError.

    The session keeps the engine it got (st.connection shares one per configuration between sessions): a
    student's page looks at the class every two seconds, and looking it up again costs more than the query."""
    url = configured_url()
    kept = st.session_state.get(SESSION_ENGINE)
    if kept is not None and kept[0] == url:
        return kept[1]
    try:
        if url is not None and url == f"sqlite:///{default_path()}":
            default_path().parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        options = {"url": url} if url else {}
        if url is None or not url.startswith("sqlite"):
            options["pool_pre_ping"] = True  # a server may have restarted since the pool's connections opened
        database = _ready(st.connection(CONNECTION, type="sql", **options).engine)
    except Exception as error:
        raise DatabaseUnavailableError(describe(error, url)) from error
    st.session_state[SESSION_ENGINE] = (url, database)
    return database


def call(function: Callable[..., T], *args: Any) -> T:
    """``function(engine, *args)`` of class_store. Raises its ClassError (a message for the user) or
    DatabaseUnavailableError (the database failed: missing, locked, unreachable)."""
    database = engine()
    for attempt in range(2):
        try:
            return function(database, *args)
        except class_store.ClassError:
            raise
        except (sa.exc.SQLAlchemyError, OSError, sqlite3.Error) as error:
            if attempt == 0 and "no such table" in str(error).lower():
                try:  # the SQLite file was deleted or replaced while the app ran: start afresh, once
                    class_store.create_schema(database)
                    continue
                except (sa.exc.SQLAlchemyError, OSError, sqlite3.Error):
                    pass
            raise DatabaseUnavailableError(describe(error, configured_url())) from error
    raise AssertionError("unreachable")


@st.cache_resource(show_spinner=False, max_entries=8)
def _schema(_engine: Engine, url: str) -> bool:
    class_store.create_schema(_engine)  # not cached when it raises: tried again on the next use
    return True


def _ready(engine: Engine) -> Engine:
    class_store.prepare(engine)
    _schema(engine, engine.url.render_as_string(hide_password=False))
    return engine


def describe(error: BaseException, url: str | None = None) -> str:
    """A sentence for the user about a database failure (never the password)."""
    where = _where(url)
    text = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200] if str(error).strip() else ""
    low = text.lower()
    if isinstance(error, ModuleNotFoundError):
        reason = f"its driver is not installed ({error.name}; pip install -r requirements.txt)"
    elif isinstance(error, sa.exc.ArgumentError):
        reason = "its URL is not valid"
    elif "locked" in low or "busy" in low:
        reason = "it is locked by another program; try again in a moment"
    elif "unable to open" in low or (isinstance(error, OSError | sqlite3.OperationalError) and "open" in low):
        reason = "the file cannot be opened (its folder is missing or not writable)"
    elif "no such table" in low:
        reason = "its file was replaced or emptied while the app ran"
    elif any(w in low for w in ("connection refused", "could not connect", "connection failed", "timeout",
                                "name or service", "could not translate", "server closed")):  # fmt: skip
        reason = "its server cannot be reached"
    elif isinstance(error, PermissionError | OSError):
        reason = f"the file cannot be created ({text})"
    else:
        reason = f"it failed: {text}" if text else f"it failed ({type(error).__name__})"
    return f"The class database{where} is unavailable: {reason}. {OFF}"


def _where(url: str | None) -> str:
    if url is None:
        return " (secrets.toml)"
    try:
        parsed = sa.engine.make_url(url)
    except Exception:
        return ""
    if parsed.get_backend_name() == "sqlite":
        return f" ({parsed.database})" if parsed.database else ""
    return f" ({parsed.get_backend_name()} at {parsed.host or 'localhost'}{f':{parsed.port}' if parsed.port else ''})"
