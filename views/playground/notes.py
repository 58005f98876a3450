"""The Playground's words for what the student sees: "what happened" notes, the "Start here" card, and the way
into the Lessons.

The notes are computed from the very runs on screen (analysis/events.py: one detector per kind of event);
each names the optimizer, the step and the cause in numbers, and links to the lesson that explains it.
"""

from __future__ import annotations

import streamlit as st

import optim
from analysis.events import Event
from views.common import lesson_index
from views.common.links import PAGES
from views.common.scenario import Scenario, markdown_text
from views.playground import compute

DISMISSED = "pg.start.dismissed"
#: Icons of the notes, by kind (Material icons: they render without an emoji font).
ICONS = {
    "divergence": ":material/error:",
    "unbounded": ":material/south_east:",
    "hovering": ":material/swap_vert:",
    "overshoot": ":material/swap_vert:",
    "eps": ":material/functions:",
    "first_step": ":material/start:",
    "oscillation": ":material/waves:",
    "stall": ":material/hourglass_empty:",
    "saddle": ":material/landscape:",
    "first_to_tol": ":material/flag:",
}


def lesson_link(slug: str, label: str | None = None) -> None:
    """A link that opens a lesson on the Lessons page (same tab, same session)."""
    page = PAGES["lessons"]
    st.page_link(page.file, label=label or lesson_index.label(slug), icon=page.icon, query_params={"lesson": slug})


def what_happened(scenario: Scenario) -> tuple[Event, ...]:
    """The notes for the view's runs (cached, like the runs)."""
    specs = tuple(scenario.run_spec(name) for name in scenario.optimizers)
    return compute.events(specs, scenario.tol) if specs else ()


def notes_section(scenario: Scenario) -> None:
    """One line per event, in the order of the steps, each with the lesson that explains it."""
    found = what_happened(scenario)
    if not found:
        return
    with st.container(border=True):
        st.markdown("**What happened**")
        for event in found:
            text, link = st.columns([5, 2], vertical_alignment="center")
            text.markdown(f"{ICONS.get(event.kind, ':material/info:')} {markdown_text(event.text)}")
            with link:
                lesson_link(event.lesson, f"Why? {lesson_index.label(event.lesson).split(':')[0]}")


def start_text(scenario: Scenario) -> str:
    """The first-visit card's three steps, for the view a link opened: the optimizer in focus is the one whose
    sliders sit beside the map, and the bowl is where SGD's dilemma shows (the first screen's surface)."""
    focus = optim.get(scenario.focused).label if scenario.focused else "RMSProp"
    where = "on this bowl" if scenario.surface == "bowl" else "on the ill-conditioned bowl (the first surface)"
    other = "rmsprop" if scenario.focused == "sgd" else "sgd"  # SGD's dilemma against a per-axis step size
    compare = f"{'Compare it with' if other in scenario.optimizers else 'Add'} {optim.get(other).label}"
    return (
        f"**Start here.** 1. Drag {focus}'s learning rate η beside the map and watch its path bend. "
        f"2. {compare}: {where} no single learning rate suits both the steep and the shallow axis. "
        "3. Read why in lesson 2, *RMSProp's idea: a step size per axis*."
    )


def start_card(scenario: Scenario) -> None:
    """A first-visit card with three steps (until the student dismisses it, for the session)."""
    if st.session_state.get(DISMISSED):
        return
    with st.container(border=True):
        st.markdown(start_text(scenario))
        with st.container(horizontal=True, vertical_alignment="center"):
            lesson_link("rmsprop-idea", "Open lesson 2")
            st.button("Got it", key="pg.start.dismiss", on_click=st.session_state.update, args=({DISMISSED: True},))
