"""Class mode on the Playground through AppTest, against a real SQLite file (and an unreachable PostgreSQL):
the host's poll, the students' votes, the reveal, follow mode, URL tampering, and a database that fails."""

from __future__ import annotations

import base64
import json
import socket
import sqlite3
import time
import urllib.parse
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

import optim
from tests.apptest import APP, charts
from tests.test_playground_page import query_of
from tests.test_teacher_page import by_key
from views.common import share
from views.common.scenario import Scenario
from views.playground import class_db, classroom, state, teach
from views.playground import class_store as store


@pytest.fixture
def database(tmp_path: Path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'classes.sqlite3'}"
    monkeypatch.setenv(class_db.ENV_URL, url)
    return url


@pytest.fixture
def engine(database):
    engine = sa.create_engine(database)
    store.create_schema(engine)
    yield engine
    engine.dispose()


def _qs(query: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(query))


def open_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def healthy(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [c.value for c in at.code]
    parts += [a.value for kind in ("info", "success", "error", "warning") for a in at.get(kind)]
    return "\n".join(parts)


def path_traces(at: AppTest) -> dict[str, dict]:
    """The optimizers' paths on the contour (the chart with a contour trace), by legend name."""
    labels = {optim.get(n).label for n in optim.names()}
    for spec in charts(at):
        data = spec["data"]
        if any(t.get("type") == "contour" for t in data):
            return {t["name"]: t for t in data if t.get("name") in labels}
    return {}


def vote_bars(at: AppTest) -> list[dict]:
    """The bar traces of the class's vote charts on the page."""
    specs = charts(at)
    return [t for s in specs for t in s["data"] if t.get("name") == "answers"]


def start_poll(ask: str = "first", query: dict[str, str] | None = None, lock: list[str] | None = None) -> AppTest:
    """A teacher opens the Playground, builds a teacher link with a question and starts a class poll."""
    at = open_app(query or {"opt": "sgd,rmsprop,adam"})
    at.session_state[teach.BUILD] = True
    at.run()
    at.session_state[teach.ASK] = ask
    if lock:
        at.session_state[teach.LOCK] = lock
    at.run()
    next(b for b in at.button if b.key == "pg.class.start").click().run()
    healthy(at)
    return at


def test_a_teacher_starts_a_poll_and_this_tab_becomes_the_host(engine):
    host = start_poll(lock=["surface", "opt"])
    code = host.session_state[classroom.CODE]
    info = store.info(engine, code)
    assert info.question == "first" and not info.revealed and info.link == "lock=surface,opt"
    assert Scenario.from_query(_qs(info.poll_view))[0].optimizers == ("sgd", "rmsprop", "adam")
    assert query_of(host)["class"] == code and "host" not in query_of(host)
    secret = host.session_state[classroom.SECRET]
    assert store.is_host(engine, code, secret)
    assert f"Class **{code}** · students open ?class={code}" in texts(host)
    assert [b for b in host.button if "Reveal" in b.label]
    assert vote_bars(host)[0]["x"] == [0, 0, 0, 0]  # the live counts: nobody has voted yet
    assert path_traces(host) == {}  # the runs stay hidden until the reveal
    main = [m.value for m in host.main.markdown] + [c.value for c in host.main.code]
    assert not any(secret in t for t in main)  # the projected page never shows the secret...
    assert any(secret in c.value for c in host.sidebar.code)  # ...only the private host link in the sidebar
    assert not any(secret in c.value for c in host.sidebar.code if "host=" not in c.value)
    link = next(c.value for c in host.sidebar.code if "host=" in c.value)
    elsewhere = open_app(_qs(urllib.parse.urlsplit(link).query))  # the host link, opened on another device
    healthy(elsewhere)
    assert elsewhere.session_state[classroom.SECRET] == secret and "host" not in query_of(elsewhere)
    assert [b for b in elsewhere.button if "Reveal" in b.label] and path_traces(elsewhere) == {}


def test_the_host_can_project_a_qr_code_of_the_students_link(engine):
    host = start_poll()
    code = host.session_state[classroom.CODE]
    assert not images(host)
    host.toggle(key=classroom.QR).set_value(True).run()
    healthy(host)
    (image,) = images(host)
    assert image.imgs[0].caption.startswith("Scan to open this link")
    # the code of the students' link (relative here: AppTest has no address), never the host's secret link
    encoded = base64.b64decode(image.imgs[0].url.removeprefix("data:image/svg+xml;base64,")).decode()
    assert encoded == share.qr_svg(f"?class={code}")


def images(at: AppTest) -> list:
    """The protos of the images in the page's main area."""
    found = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "image":
                found.append(child.proto)
            walk(child)

    walk(at.main)
    return found


def test_students_vote_change_their_minds_and_the_host_sees_the_counts(engine):
    host = start_poll(lock=["surface", "opt"])
    code = host.session_state[classroom.CODE]
    students = [open_app({"class": code.lower()}) for _ in range(3)]  # the code is read forgivingly
    for student, choice in zip(students, ("sgd", "rmsprop", "rmsprop"), strict=True):
        healthy(student)
        radio = by_key(student, classroom.CHOICE)
        assert radio.options == ["SGD", "RMSProp", "Adam", "None of them within 150 steps"]
        assert radio.value is None
        assert path_traces(student) == {} and vote_bars(student) == []  # no runs, no counts before the reveal
        assert by_key(student, state.OPTIMIZERS).disabled  # the class's lock
        radio.set_value(choice).run()
        healthy(student)
        assert "Your answer is in" in texts(student)
    by_key(students[0], classroom.CHOICE).set_value("adam").run()  # changeable until the reveal
    assert store.counts(engine, code, host.session_state[classroom.SECRET]) == {"rmsprop": 2, "adam": 1}
    host.run()  # what the live-counts fragment shows on its next tick
    bars = vote_bars(host)[0]
    assert bars["x"] == [0, 2, 1, 0] and "3 answers" in json.dumps(charts(host)[1])
    reopened = open_app({"class": code})  # a new browser session is a new voter...
    assert by_key(reopened, classroom.CHOICE).value is None
    students[1].run()  # ...while the same session keeps its vote
    assert by_key(students[1], classroom.CHOICE).value == "rmsprop"


def test_the_reveal_shows_everyone_the_run_the_answer_and_the_distribution(engine):
    host = start_poll()
    code = host.session_state[classroom.CODE]
    right, wrong = open_app({"class": code}), open_app({"class": code})
    by_key(right, classroom.CHOICE).set_value("rmsprop").run()
    by_key(wrong, classroom.CHOICE).set_value("sgd").run()
    next(b for b in host.button if "Reveal" in b.label).click().run()
    healthy(host)
    assert store.info(engine, code).revealed
    assert {"SGD", "RMSProp", "Adam"} <= set(path_traces(host))  # the runs
    assert "The answer is **RMSProp**" in texts(host) and "1 of 2 answers right" in texts(host)
    assert vote_bars(host)[0]["x"] == [1, 1, 0, 0] and vote_bars(host)[0]["y"][1] == "✓ RMSProp"
    for student, verdict in ((right, "success"), (wrong, "error")):
        student.run()  # the watcher's rerun after it saw the reveal
        healthy(student)
        assert {"SGD", "RMSProp", "Adam"} <= set(path_traces(student))
        assert "The answer is **RMSProp**" in student.get(verdict)[0].value
        assert vote_bars(student)[0]["x"] == [1, 1, 0, 0]  # the class's distribution beside it
        assert by_key(student, classroom.CHOICE) is None  # votes are closed
    late = open_app({"class": code})  # joining after the reveal: the result at once
    assert "The answer is **RMSProp**" in late.info[0].value and path_traces(late)


def test_a_student_without_the_secret_can_neither_reveal_nor_read_counts(engine):
    host = start_poll()
    code, secret = host.session_state[classroom.CODE], host.session_state[classroom.SECRET]
    other = store.start(engine, "first", "opt=sgd,rmsprop,adam")
    store.vote(engine, code, "someone", "adam")
    tampered = [
        {"class": code, "host": "x" * len(secret)},
        {"class": code, "host": ""},
        {"class": code, "host": secret[:-1]},
        {"class": code, "host": other.secret},  # another class's secret
        {"class": code, "host": secret.swapcase(), "revealed": "1", "counts": "1"},
        {"class": code.lower(), "host": f"{secret}%00"},
    ]
    for query in tampered:
        student = open_app(query)
        healthy(student)
        assert classroom.SECRET not in student.session_state  # a student
        assert "does not belong to class" in texts(student) or query["host"] == ""
        assert not [b for b in student.button if "Reveal" in b.label]
        assert vote_bars(student) == [] and path_traces(student) == {}
        assert "host" not in query_of(student)
    assert not store.info(engine, code).revealed


def test_unknown_malformed_and_expired_codes_say_so_and_the_app_works(engine):
    ended = store.start(engine, "first", "opt=sgd,rmsprop", now=time.time() - store.TTL - 5)
    for code, message in (
        ("ZZZZZZ", "There is no class with the code ZZZZZZ"),
        ("not-a-code!", "is not a class code"),
        ("[click](https://example.org)", "“\\[click\\]\\(https\\:"),  # shown as typed, never as a link
        (ended.code, f"Class {ended.code} has ended (classes last 12 hours)"),
    ):
        at = open_app({"class": code})
        healthy(at)
        assert message in at.error[0].value
        assert "class" not in query_of(at)  # the page went on as a plain Playground
        assert len(charts(at)) == 3 and path_traces(at)


def test_follow_mode_carries_the_hosts_view_and_stops_when_switched_off(engine):
    host = start_poll(ask="")  # a class without a question: students only follow
    code = host.session_state[classroom.CODE]
    student = open_app({"class": code})
    healthy(student)
    assert by_key(student, classroom.FOLLOW).value is True and path_traces(student)
    by_key(host, state.STEPS).set_value(300).run()  # the host moves a slider: published
    assert store.info(engine, code).view_seq == 2
    student.run()  # the watcher saw a new view and reran the page
    assert student.session_state[state.STORED].steps == 300 and by_key(student, state.STEPS).value == 300
    by_key(student, classroom.FOLLOW).set_value(False).run()
    by_key(student, state.STEPS).set_value(500).run()  # exploring on its own
    by_key(host, state.STEPS).set_value(100).run()
    student.run()
    assert student.session_state[state.STORED].steps == 500
    by_key(student, classroom.FOLLOW).set_value(True).run()  # back to the teacher's latest view at once
    assert student.session_state[state.STORED].steps == 100


def test_the_database_file_cannot_be_opened(tmp_path, monkeypatch):
    monkeypatch.setenv(class_db.ENV_URL, f"sqlite:///{tmp_path / 'missing-folder' / 'classes.sqlite3'}")
    at = open_app({"class": "K7QX3M"})
    healthy(at)
    assert "class database" in at.error[0].value and "cannot be opened" in at.error[0].value
    assert len(charts(at)) == 3 and path_traces(at)  # the rest of the app keeps working
    teacher = open_app({"opt": "sgd,rmsprop"})
    teacher.session_state[teach.BUILD] = True
    teacher.run()
    next(b for b in teacher.button if b.key == "pg.class.start").click().run()
    healthy(teacher)
    assert "The class was not started" in teacher.error[0].value and "cannot be opened" in teacher.error[0].value


def test_a_locked_database_file(engine, database):
    host = start_poll()
    code = host.session_state[classroom.CODE]
    student = open_app({"class": code})
    blocker = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        by_key(student, classroom.CHOICE).set_value("sgd").run()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    healthy(student)
    assert "Your answer was not recorded" in student.error[0].value and "locked" in student.error[0].value
    assert by_key(student, classroom.CHOICE).value is None  # it does not pretend the vote is in
    by_key(student, classroom.CHOICE).set_value("sgd").run()  # once the lock is gone it works again
    assert store.counts(engine, code, host.session_state[classroom.SECRET]) == {"sgd": 1}


def test_an_unreachable_database_server(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the socket is closed
    monkeypatch.setenv(class_db.ENV_URL, f"postgresql+psycopg://nobody:secret-pw@127.0.0.1:{port}/classes")
    at = open_app({"class": "K7QX3M"})
    healthy(at)
    message = at.error[0].value
    assert f"postgresql at 127.0.0.1:{port}" in message and "cannot be reached" in message
    assert "secret-pw" not in message
    assert len(charts(at)) == 3 and path_traces(at)


@pytest.mark.parametrize(
    ("url", "reason"),
    [("not a url", "its URL is not valid"), ("mysql://user@127.0.0.1/classes", "its driver is not installed")],
)
def test_a_misconfigured_database(monkeypatch, url, reason):
    monkeypatch.setenv(class_db.ENV_URL, url)
    at = open_app({"class": "K7QX3M"})
    healthy(at)
    assert reason in at.error[0].value and class_db.OFF in at.error[0].value
    assert len(charts(at)) == 3 and path_traces(at)
