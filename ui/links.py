"""Links between pages: open a Scenario in the Playground, from any page."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

import streamlit as st

from scenario import Scenario

PLAYGROUND_PAGE = "views/playground.py"
#: url_path of every non-default page (the Playground is the app's root).
PAGE_PATHS = ("lessons", "sweep", "maps")


def app_root() -> str:
    """The app's base address as the browser sees it (empty when unknown, e.g. in AppTest)."""
    url = st.context.url or ""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in PAGE_PATHS:
        path = head
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


def playground_url(scenario: Scenario, extra: Mapping[str, str] | None = None) -> str:
    """Absolute share link that opens ``scenario`` in the Playground (relative when the base is unknown).

    ``extra`` adds teacher settings (``lock``, ``hide``, ``only``, ``ask``: see teacher.py and quiz.py)."""
    return f"{app_root()}?{urllib.parse.urlencode(scenario.to_query() | dict(extra or {}), safe=',*')}"


def open_in_playground(
    scenario: Scenario,
    label: str = "Open in Playground",
    extra: Mapping[str, str] | None = None,
) -> None:
    """An in-app link that opens ``scenario`` in the Playground (same tab, same session), with ``extra``
    teacher settings."""
    query = scenario.to_query() | dict(extra or {})
    st.page_link(PLAYGROUND_PAGE, label=label, icon="🎛️", query_params=query)
