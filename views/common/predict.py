"""Predict, then run: the question form, the committed guess (per session) and the feedback.

The page keeps the runs hidden while ``pending`` is true; the answer is computed from the very runs the
charts draw, when the student presses "Run it".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

import optim
from views.common.quiz import Question
from views.common.scenario import Scenario, markdown_text
from viz.paths import PathData


def _record(prefix: str) -> dict[str, Any] | None:
    return st.session_state.get(f"{prefix}.guess")


def pending(question: Question, prefix: str, origin: Any) -> bool:
    """Whether the student still has to guess (nothing committed for this question and this ``origin``, e.g.
    the link's scenario, in this session)."""
    record = _record(prefix)
    return record is None or record["key"] != question.key or record["origin"] != origin


def _commit(
    question: Question,
    prefix: str,
    origin: Any,
    scenario: Scenario,
    paths: Sequence[PathData],
    min_value: float | None,
    options: dict[str, str],
) -> None:
    guess = st.session_state.get(f"{prefix}.choice")
    if guess is None:
        return
    answer = question.answer({p.name: p for p in paths}, min_value, scenario.tol)
    names = [p.name for p in paths]
    st.session_state[f"{prefix}.guess"] = {
        "key": question.key,
        "origin": origin,
        "scenario": scenario,
        "prompt": question.prompt(names, _lr(question, scenario, paths), scenario.steps, scenario.tol),
        "guess": options[guess],
        "right": guess in answer.correct,
        "answer": " / ".join(options[c] for c in answer.correct),
        "explanation": answer.explanation,
    }


def _lr(question: Question, scenario: Scenario, paths: Sequence[PathData]) -> float | None:
    """The learning rate of the optimizer a converge question is about (None for the other kinds)."""
    subject = question.subject([p.name for p in paths])
    return scenario.hp(subject).get("lr") if subject else None


def ask(
    question: Question,
    scenario: Scenario,
    paths: Sequence[PathData],
    min_value: float | None,
    prefix: str,
    origin: Any,
) -> None:
    """The question, its options (none chosen) and the "Run it" button that commits the guess."""
    names = [p.name for p in paths]
    lr = _lr(question, scenario, paths)
    options = question.options(names, scenario.steps, scenario.tol)
    with st.container(border=True):
        st.markdown("#### :material/psychology: Predict, then run")
        st.markdown(markdown_text(question.prompt(names, lr, scenario.steps, scenario.tol)))
        st.caption(markdown_text(setup(scenario, names)))
        choice = st.radio(
            "Your guess",
            list(options),
            index=None,
            format_func=lambda o: markdown_text(options[o]),
            key=f"{prefix}.choice",
        )
        st.button(
            "Run it",
            type="primary",
            icon=":material/play_arrow:",
            disabled=choice is None,
            on_click=_commit,
            args=(question, prefix, origin, scenario, paths, min_value, options),
            key=f"{prefix}.run",
        )
        st.caption("The paths and charts appear once you have committed to a guess.")


def setup(scenario: Scenario, names: Sequence[str]) -> str:
    """The run in one line: surface, start, steps and each optimizer's learning rate."""
    x, y = scenario.start
    rates = ", ".join(f"{optim.get(n).label} at lr {scenario.hp(n)['lr']:g}" for n in names)
    noise = f", gradient noise {scenario.noise:g}" if scenario.noise else ""
    return (
        f"{scenario.landscape().label}, start ({x:g}, {y:g}), {scenario.steps:,} steps{noise}; {rates} "
        f"({optim.CONVENTIONS[scenario.convention]}'s rules)."
    )


def _again(prefix: str) -> None:
    st.session_state.pop(f"{prefix}.guess", None)
    st.session_state.pop(f"{prefix}.choice", None)


def feedback(prefix: str, scenario: Scenario | None = None) -> None:
    """ "You guessed X; the answer is Y", why, and a button to predict again."""
    record = _record(prefix)
    if record is None:
        return
    prompt, guess, answer, why = (markdown_text(record[k]) for k in ("prompt", "guess", "answer", "explanation"))
    text = f"{prompt}  \nYou guessed **{guess}**; the answer is **{answer}**. {why}"
    if scenario is not None and scenario != record["scenario"]:
        text += " *(For the settings you predicted on; they have changed since.)*"
    if record["right"]:
        st.success(text, icon=":material/check_circle:")
    else:
        st.error(text, icon=":material/cancel:")
    st.button("Predict again", icon=":material/replay:", on_click=_again, args=(prefix,), key=f"{prefix}.again")
