"""Teacher links in the Playground: read lock/hide/only/ask from the URL, keep locked values, build links.

Per session: the settings live in ``st.session_state`` (and the URL), never in module state.
"""

from __future__ import annotations

import streamlit as st

import optim
from views.common import share
from views.common.links import playground_url
from views.common.quiz import KINDS, Question
from views.common.scenario import TEACHER_KEYS, Scenario
from views.playground import classroom, state
from views.playground import settings as teacher
from views.playground.settings import TeacherLink

QUERY = "pg.teacher.query"  # the teacher keys of the link this session follows
LOCK, HIDE, ASK = "pg.teach.lock", "pg.teach.hide", "pg.teach.ask"  # the link builder's widgets
KEPT = "kept."  # prefix of the plain session keys that remember the builder's choices
BUILD = "pg.teach.build"  # the toggle that shows the builder
QR = "pg.teach.qr"  # the toggle that shows the teacher link's QR code
NOTE = "Some controls are fixed by your teacher's link."


def _teacher_query() -> dict[str, str]:
    """The URL's teacher keys; when the URL is empty (back from another page), the session's, put back."""
    raw = st.query_params.to_dict()
    if not raw and st.session_state.get(QUERY):
        st.query_params.update(st.session_state[QUERY])
        return dict(st.session_state[QUERY])
    query = {k: v for k, v in raw.items() if k in TEACHER_KEYS}
    st.session_state[QUERY] = query
    return query


def load() -> tuple[TeacherLink, Question | None, list[str]]:
    """This run's lock/hide settings and question, and warnings about names the link got wrong."""
    query = _teacher_query()
    link, warnings = TeacherLink.from_query(query)
    question, more = Question.parse(query.get("ask"))
    return link, question, warnings + more


def current() -> TeacherLink:
    """The settings ``load`` read this run."""
    return TeacherLink.from_query(st.session_state.get(QUERY, {}))[0]


def control_of(key: str) -> str | None:
    """The teacher-link control a widget key belongs to (None for keys outside the vocabulary)."""
    fixed = {
        state.SURFACE: "surface",
        state.OPTIMIZERS: "opt",
        state.CONVENTION: "conv",
        state.STEPS: "steps",
        state.START_X: "start",
        state.START_Y: "start",
        state.NOISE: "noise",
        state.SEED: "seed",
        state.TOL: "tol",
        state.PRESENT: "present",
        state.BANDS: "noise",
        state.CURV: "view",
        state.MULTI: "view",
        state.STEP_K: "view",
        state.FOCUS: "view",
        state.RIGHT_CHART: "view",
    }
    if key in fixed:
        return fixed[key]
    if key.startswith("pg.param."):
        return "surface"
    if key.startswith("pg.sched."):
        return "sched"
    if key.startswith("pg.hp."):
        return key.removeprefix("pg.hp.")
    return None


def enforce(link: TeacherLink) -> None:
    """Give every locked or hidden control the link's value (callbacks such as a surface change or a click on
    the contour may have moved it). Call before the widgets are drawn."""
    reference: Scenario | None = st.session_state.get(state.FROM_URL)
    if reference is None or not link.active:
        return
    for key, value in state.widget_values(reference).items():
        control = control_of(key)
        if control is not None and link.fixed(control) and st.session_state.get(key) != value:
            st.session_state[key] = value


def on_reset() -> None:
    """With a teacher link, reset means back to the teacher's view; otherwise to the surface's defaults."""
    reference: Scenario | None = st.session_state.get(state.FROM_URL)
    if current().active and reference is not None:
        state.push(reference)
    else:
        state.on_reset()


def reset_label() -> str:
    return "Reset to the teacher's view" if current().active else "Reset to this surface's defaults"


def share_query() -> dict[str, str]:
    """The teacher keys a share link made from this view keeps."""
    return dict(st.session_state.get(QUERY, {}))


def _builder_options(scenario: Scenario) -> list[str]:
    options = [*teacher.CONTROLS, teacher.ALL, "*.lr"]
    for name in scenario.optimizers:
        options += [f"{name}.*", *teacher.hyperparam_controls(name)]
    return options


def _ask_options(scenario: Scenario) -> list[str]:
    return ["", "first", "lowest", *(f"converge.{name}" for name in scenario.optimizers)]


def _ask_label(key: str) -> str:
    if not key:
        return "No question"
    kind, _, name = key.partition(".")
    return KINDS[kind] + (f" ({optim.get(name).label})" if name else "")


def builder(scenario: Scenario) -> None:
    """Choose controls to lock or hide (and a question to ask first); shows the link that does it.

    Behind a toggle: its widgets would otherwise cost ~2 ms on every rerun of every student."""
    build = st.toggle(
        "Build a teacher link",
        key=BUILD,
        help="Lock or hide controls so a class sees exactly the knobs you want; optionally ask a question first.",
    )
    if not build:
        return
    options = _builder_options(scenario)
    # The builder is drawn only while its toggle is on, and Streamlit forgets the state of widgets it
    # did not draw: the choices are kept under KEPT too and restored when the toggle is turned on again.
    for key in (LOCK, HIDE):  # choices that no longer exist (an optimizer taken away) are dropped
        chosen = st.session_state.get(key, st.session_state.get(KEPT + key, []))
        st.session_state[key] = [v for v in chosen if v in options]
    st.session_state.setdefault(ASK, st.session_state.get(KEPT + ASK, ""))
    if st.session_state[ASK] not in _ask_options(scenario):
        st.session_state[ASK] = ""
    lock = st.multiselect("Lock (shown, cannot be changed)", options, key=LOCK, format_func=_label)
    hide = st.multiselect("Hide", options, key=HIDE, format_func=_label)
    ask = st.selectbox("Predict first", _ask_options(scenario), key=ASK, format_func=_ask_label)
    st.session_state.update({KEPT + LOCK: lock, KEPT + HIDE: hide, KEPT + ASK: ask})
    link = TeacherLink(lock=tuple(lock), hide=tuple(hide))
    extra = link.to_query() | ({"ask": ask} if ask else {})
    url = playground_url(scenario, extra)
    st.code(url, language=None, wrap_lines=True)
    share.qr_toggle(url, QR)
    classroom.start_controls(scenario, link.to_query(), ask)  # or run it as a class poll


def _label(name: str) -> str:
    return f"{teacher.describe(name)} · {name}"
