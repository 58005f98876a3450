"""The Lessons page's session state: which lesson is open, kept in step with ``?lesson=`` in the address bar."""

from __future__ import annotations

import streamlit as st

from views.lessons import content

LESSON, CONVENTION, OPTIONS, SYNCED = "ls.lesson", "ls.convention", "ls.options", "ls.synced"
RULES = "update-rules"  # the last entry: every update rule
ENTRIES = [lesson.slug for lesson in content.LESSONS] + [RULES]


def title(slug: str) -> str:
    """The numbered title of an entry, as the sidebar lists it."""
    if slug == RULES:
        return "Reference: every update rule"
    return f"{ENTRIES.index(slug) + 1}. {content.by_slug(slug).title}"


def sync_from_url() -> str | None:
    """Follow ``?lesson=`` on a first visit or when the link changed; a warning if it names no lesson."""
    wanted = st.query_params.get("lesson")
    if wanted is None or wanted == st.session_state.get(SYNCED):
        st.session_state.setdefault(LESSON, ENTRIES[0])
        return None
    st.session_state[SYNCED] = wanted
    if wanted in ENTRIES:
        st.session_state[LESSON] = wanted
        return None
    st.session_state.setdefault(LESSON, ENTRIES[0])
    return f"There is no lesson called {wanted!r}; showing {title(st.session_state[LESSON])!r} instead."


def save(slug: str) -> None:
    """Mirror the open lesson in the address bar."""
    if st.query_params.get("lesson") != slug:
        st.query_params["lesson"] = slug
    st.session_state[SYNCED] = slug


def go(offset: int) -> None:
    """Move ``offset`` entries forward or back (a button callback)."""
    here = ENTRIES.index(st.session_state[LESSON])
    st.session_state[LESSON] = ENTRIES[min(max(here + offset, 0), len(ENTRIES) - 1)]
