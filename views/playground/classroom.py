"""Class mode on the Playground: a class poll (the room votes, then the host reveals) and "Follow the teacher".

A teacher starts a class from the teacher-link builder (``start_controls``): the tab that started it becomes
the host. Students open ``?class=CODE``: the page loads the class's view, asks the question, stores their
vote (one per browser session, changeable until the reveal) and, with "Follow the teacher" on, keeps their
page on the host's latest published view. The host link adds ``host=SECRET``; the page moves the secret from
the address bar into the session at once, so a projected address bar never shows it.

Per session (``st.session_state``), never global; the shared state is in the class database (class_db.py,
class_store.py), whose failures are reported on the page and switch class mode off, never the app. Polling
is done by fragments (``st.fragment(run_every=POLL_S)``): a tick reruns only the fragment; a change that
the page must show (the reveal, the teacher's new view) reruns the whole page, and ``before_load`` loads it.
"""

from __future__ import annotations

import secrets
import urllib.parse

import streamlit as st

from views.common import compute, links, look, predict, share
from views.common.quiz import Question
from views.common.scenario import Scenario, markdown_text
from views.playground import class_db, class_store, state
from views.playground.class_db import DatabaseUnavailableError
from views.playground.class_store import ClassError, ClassInfo
from viz.contour import contour_figure
from viz.votes import votes_figure

POLL_S = 2.0  # seconds between two looks at the class (students: the reveal and the teacher's view)
CODE, SECRET, VOTER = "pg.class.code", "pg.class.secret", "pg.class.voter"
INFO, DOWN = "pg.class.info", "pg.class.down"  # this run's view of the class; why the database is unavailable
SEEN = "pg.class.seen"  # (revealed, view_seq) of the class as this page shows it
FOLLOW, CHOICE = "pg.class.follow", "pg.class.choice"  # the widgets
PUBLISHED = "pg.class.published"  # the host's last published view
NOTICES = "pg.class.notices"  # messages for the next run: [(kind, text)]
CONTOUR = "pg.class.contour"
QR = "pg.class.qr"  # the host's toggle: a QR code of the students' link
PRIVATE = ("present",)  # view settings each device keeps for itself


# ---------------------------------------------------------------- session: joining, leaving, loading views


def _notice(kind: str, text: str) -> None:
    st.session_state.setdefault(NOTICES, []).append((kind, text))


def _leave() -> None:
    for key in (CODE, SECRET, INFO, DOWN, SEEN, PUBLISHED, CHOICE):
        st.session_state.pop(key, None)
    if "class" in st.query_params:
        del st.query_params["class"]


def _join(code: str) -> None:
    _leave()
    st.session_state[CODE] = code


def in_class() -> bool:
    """Whether this session has joined a class (as a student or the host)."""
    return bool(st.session_state.get(CODE))


def is_host() -> bool:
    return bool(st.session_state.get(SECRET)) and bool(st.session_state.get(CODE))


def _following() -> bool:
    return bool(st.session_state.get(FOLLOW, True))


def _parse(query: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(query, keep_blank_values=True))


def _load_view(view: str, link: str) -> None:
    """Put ``view`` (and, for students, the class's lock/hide) in the address bar: ``state.load`` then
    adopts it as a link just opened (it becomes the teacher's reference view for locked controls too)."""
    query = {k: v for k, v in _parse(view).items() if k not in PRIVATE}
    stored: Scenario | None = st.session_state.get(state.STORED)
    if stored is not None and stored.present:
        query["present"] = "1"
    if not is_host():
        query |= _parse(link)
    kept = {k: v for k, v in st.query_params.to_dict().items() if k in ("embed", "embed_options")}
    st.query_params.from_dict(query | kept | {"class": st.session_state[CODE]})


def before_load() -> None:
    """Join the class the URL names (or leave it), check a host secret, and load the view the page must show:
    the class's view on joining, the poll's view at the reveal, the teacher's latest view when following.
    Call first, before the page reads its settings from the URL."""
    ss, params = st.session_state, st.query_params
    ss.pop(INFO, None)
    ss.pop(DOWN, None)
    secret = params.get("host")
    if "host" in params:
        del params["host"]
    text = params.get("class")
    if text is None:
        if ss.get(CODE) and params.to_dict():  # another link opened in this session: it leaves the class
            _leave()
        if not ss.get(CODE):
            return
    code = class_store.normalize_code(text) if text is not None else ss[CODE]
    if code is None:
        _notice("error", f"“{markdown_text(text, 40)}” is not a class code (six letters and digits, e.g. K7QX3M).")
        _leave()
        return
    if code != ss.get(CODE):
        _join(code)
    try:
        info = class_db.call(class_store.info, code)
        if secret is not None and class_db.call(class_store.is_host, code, secret):
            ss[SECRET] = secret
        elif secret is not None:
            _notice("warning", f"This host link's secret does not belong to class {code}: you see the students' view.")
    except ClassError as error:
        _notice("error", str(error))
        _leave()
        return
    except DatabaseUnavailableError as error:
        ss[DOWN] = str(error)
        return
    ss[INFO] = info
    seen = ss.get(SEEN)
    voting = bool(info.question) and not info.revealed  # everyone looks at the poll's view until the reveal
    latest = info.view if info.view and (_following() or is_host()) else None
    if seen is None:  # joining: the poll's view, else the teacher's latest
        _load_view(info.poll_view if voting or not latest else latest, info.link)
    elif info.revealed and not seen[0] and info.question:
        _load_view(info.poll_view, info.link)  # the reveal shows everyone the run asked about
    elif not voting and not is_host() and latest and info.view_seq != seen[1]:
        _load_view(latest, info.link)
    ss[SEEN] = (info.revealed, info.view_seq)


# ---------------------------------------------------------------- the page's class section


def section(scenario: Scenario, surface, grid, theme) -> bool:
    """The class strip, and the poll while it is open (True: the page keeps the runs hidden), or its result
    above the charts after the reveal (False). Call after the page saved its scenario."""
    ss = st.session_state
    for kind, text in ss.pop(NOTICES, []):
        getattr(st, kind)(text, icon=":material/warning:" if kind == "warning" else ":material/block:")
    code = ss.get(CODE)
    if not code:
        return False
    if "class" not in st.query_params:  # back from another page: the address bar names the class again
        st.query_params["class"] = code
    if ss.get(DOWN):
        st.error(ss[DOWN], icon=":material/cloud_off:")
        return False
    info: ClassInfo = ss[INFO]
    if is_host():
        _publish(code, scenario)
    _strip(code, info)
    if not info.question:
        return False
    question, _ = Question.parse(info.question)
    poll = Scenario.from_query(_parse(info.poll_view))[0]
    paths = compute.paths_for(poll)[0]
    names = [p.name for p in paths]
    problem = question.problem(names, poll.landscape().min_value) if question else "it is not a known question"
    if problem:
        st.info(f"The class question ({info.question}) cannot be asked: {problem}.", icon=":material/info:")
        return False
    options = question.options(names, poll.steps, poll.tol)
    if info.revealed:
        answer = question.answer({p.name: p for p in paths}, poll.landscape().min_value, poll.tol)
        _result(code, question, poll, names, options, answer, theme)
        return False
    # The host projects the contour beside the live counts; a student's phone shows the question first.
    chart, form = st.columns([3, 2], gap="medium") if is_host() else reversed(st.columns([2, 3], gap="medium"))
    with chart:
        background = compute.contour_background(scenario.surface_key, theme)
        height = 600 if scenario.present else 560
        look.chart(contour_figure(surface, grid, [], scenario.start, theme, height=height, background=background))
    with form, st.container(border=True):
        st.markdown("#### :material/how_to_vote: Class poll")
        lr = poll.hp(question.subject(names))["lr"] if question.subject(names) else None
        st.markdown(markdown_text(question.prompt(names, lr, poll.steps, poll.tol)))
        st.caption(markdown_text(predict.setup(poll, names)))
        if is_host():
            _host_poll(code, options, theme)
        else:
            _student_vote(code, options)
    return True


def _strip(code: str, info: ClassInfo) -> None:
    """Which class this is; the host: the students' link and its own; a student: "Follow the teacher"."""
    students = links.page_url("playground", {"class": code})
    with st.container(border=True):
        if is_host():
            st.markdown(f"## :material/school: Class **{code}** · students open {students}")
            st.caption("Students who follow you see each change you make here, as you make it.")
            share.qr_toggle(students, QR, label="QR code of the students' link", width=260)
            private = {"class": code, "host": st.session_state[SECRET]}
            host = links.page_url("playground", _parse(info.poll_view) | private)
            with st.sidebar, st.expander("Your host link (keep it private)", icon=":material/key:"):
                st.caption("It reveals the answers: don't project it. Open it to come back as the host.")
                st.code(host, language=None, wrap_lines=True)
            return
        st.session_state.setdefault(FOLLOW, True)
        st.toggle(
            f":material/school: Class **{code}**: follow the teacher",
            key=FOLLOW,
            on_change=_on_follow,
            help="On: your page shows your teacher's latest view. Off: explore on your own from here.",
        )
        if _following() or (info.question and not info.revealed):
            _watch(bool(info.question) and not info.revealed)


def _on_follow() -> None:
    if _following() and st.session_state.get(SEEN):
        revealed, _ = st.session_state[SEEN]
        st.session_state[SEEN] = (revealed, -1)  # load the teacher's latest view on this run


@st.fragment(run_every=POLL_S)
def _watch(voting: bool) -> None:
    """A look at the class: rerun the whole page when it must show something new (the reveal, or the
    teacher's new view while following and not voting). Costs one small query and no elements."""
    ss = st.session_state
    code, seen = ss.get(CODE), ss.get(SEEN)
    if not code or seen is None:
        return
    try:
        info = class_db.call(class_store.info, code)
    except ClassError:
        st.rerun(scope="app")  # the class has ended: the page says so
    except DatabaseUnavailableError:
        return  # the next full run reports it
    if info.revealed != seen[0] or (not voting and _following() and info.view and info.view_seq != seen[1]):
        st.rerun(scope="app")


def publish_change(scenario: Scenario) -> None:
    """From a run of the results alone (a focus slider, a sidebar control that reruns only the results): the host's
    changed view reaches the students who follow, as a whole-page run's ``section`` would publish it."""
    ss = st.session_state
    code = ss.get(CODE)
    if code and is_host() and not ss.get(DOWN):
        _publish(code, scenario)


def _publish(code: str, scenario: Scenario) -> None:
    """The host's view, for the students who follow (written only when it changed)."""
    ss = st.session_state
    view = urllib.parse.urlencode({k: v for k, v in scenario.to_query().items() if k not in PRIVATE}, safe=",")
    if ss.get(PUBLISHED) == view:
        return
    try:
        class_db.call(class_store.publish, code, ss[SECRET], view)
        ss[PUBLISHED] = view
    except (ClassError, DatabaseUnavailableError) as error:
        st.warning(f"Your view could not be shared with the class: {error}", icon=":material/warning:")


# ---------------------------------------------------------------- voting (students)


def _voter() -> str:
    """A random id for this browser session: the only thing a vote says about who cast it."""
    return st.session_state.setdefault(VOTER, secrets.token_urlsafe(12))


def _student_vote(code: str, options: dict[str, str]) -> None:
    ss = st.session_state
    if CHOICE not in ss:
        try:
            mine = class_db.call(class_store.my_vote, code, _voter())
        except (ClassError, DatabaseUnavailableError):
            mine = None
        ss[CHOICE] = mine if mine in options else None
    st.radio(
        "Your answer",
        list(options),
        index=None,
        format_func=lambda o: markdown_text(options[o]),
        key=CHOICE,
        on_change=_vote,
        args=(code, options),
    )
    if ss.get(CHOICE) is None:
        st.caption("Choose an answer. Your teacher reveals the run when the class has voted.")
    else:
        st.caption(
            ":material/check_circle: Your answer is in. You can change it until your teacher reveals the answer."
        )


def _vote(code: str, options: dict[str, str]) -> None:
    choice = st.session_state.get(CHOICE)
    if choice not in options:
        return
    try:
        class_db.call(class_store.vote, code, _voter(), choice)
    except (ClassError, DatabaseUnavailableError) as error:
        st.session_state[CHOICE] = None
        _notice("error", f"Your answer was not recorded: {error}")


# ---------------------------------------------------------------- the host's poll and the result


@st.fragment(run_every=POLL_S)
def _live_counts(code: str, options: dict[str, str], theme) -> None:
    try:
        counts = class_db.call(class_store.counts, code, st.session_state.get(SECRET))
    except (ClassError, DatabaseUnavailableError) as error:
        st.warning(str(error), icon=":material/warning:")
        return
    look.chart(votes_figure(options, counts, theme))


def _host_poll(code: str, options: dict[str, str], theme) -> None:
    st.caption(f"Live answers (updated every {POLL_S:g} s); students see them when you reveal.")
    _live_counts(code, options, theme)
    st.button(
        "Reveal the answer", type="primary", icon=":material/campaign:", on_click=_reveal, args=(code,), width="stretch"
    )


def _reveal(code: str) -> None:
    try:
        class_db.call(class_store.reveal, code, st.session_state.get(SECRET))
    except (ClassError, DatabaseUnavailableError) as error:
        _notice("error", f"The answer was not revealed: {error}")


def _result(code: str, question: Question, poll: Scenario, names: list[str], options: dict[str, str], answer,
            theme) -> None:  # fmt: skip
    """After the reveal: the answer and why, the student's own vote, and the class's distribution beside it."""
    try:
        counts = class_db.call(class_store.counts, code, st.session_state.get(SECRET))
    except (ClassError, DatabaseUnavailableError) as error:
        st.warning(str(error), icon=":material/warning:")
        counts = None
    lr = poll.hp(question.subject(names))["lr"] if question.subject(names) else None
    right = " / ".join(markdown_text(options[c]) for c in answer.correct if c in options)
    prompt = markdown_text(question.prompt(names, lr, poll.steps, poll.tol))
    text = f"{prompt}  \nThe answer is **{right}**. {markdown_text(answer.explanation)}"
    left, chart = st.columns([3, 2], gap="medium")
    with left:
        mine = None if is_host() else _my_vote(code)
        if mine is None:
            if counts is not None:
                total, hits = sum(counts.values()), sum(counts.get(c, 0) for c in answer.correct)
                text += f"  \n{hits} of {total} answer{'s' if total != 1 else ''} right."
            st.info(text, icon=":material/campaign:")
        elif mine in answer.correct:
            st.success(
                f"You answered **{markdown_text(options.get(mine, mine))}**: right! {text}",
                icon=":material/check_circle:",
            )
        else:
            st.error(f"You answered **{markdown_text(options.get(mine, mine))}**. {text}", icon=":material/cancel:")
    with chart:
        if counts is not None:
            st.markdown("**The class's answers**")
            look.chart(votes_figure(options, counts, theme, correct=answer.correct))


def _my_vote(code: str) -> str | None:
    try:
        return class_db.call(class_store.my_vote, code, _voter())
    except (ClassError, DatabaseUnavailableError):
        return None


# ---------------------------------------------------------------- starting a class (the teacher-link builder)


def start_controls(scenario: Scenario, link: dict[str, str], ask: str) -> None:
    """A button in the teacher-link builder that starts a class on this view (with the question ``ask``, if
    any); this tab becomes its host."""
    label = "Start a class poll on this question" if ask else "Start a class: students follow your view"
    help_text = (
        "Gives a class code and a short students' link. Students vote on their phones; you see the live "
        "counts and reveal the answer. Classes last 12 hours and store no personal data."
    )
    st.button(
        label,
        icon=":material/school:",
        on_click=_start,
        args=(scenario, link, ask),
        key="pg.class.start",
        help=help_text,
    )


def _start(scenario: Scenario, link: dict[str, str], ask: str) -> None:
    question = None
    if ask:
        question, _ = Question.parse(ask)
        problem = question.problem(list(scenario.optimizers), scenario.landscape().min_value) if question else ask
        if problem:
            _notice("error", f"The class poll was not started: the question cannot be asked ({problem}).")
            return
    view = {k: v for k, v in scenario.to_query().items() if k not in PRIVATE}
    try:
        created = class_db.call(
            class_store.start,
            question.key if question else None,
            urllib.parse.urlencode(view, safe=","),
            urllib.parse.urlencode(link, safe=",*"),
        )
    except (ClassError, DatabaseUnavailableError) as error:
        _notice("error", f"The class was not started: {error}")
        return
    _join(created.code)
    st.session_state[SECRET] = created.secret
    st.query_params["class"] = created.code
