"""The page registry, and links between pages: every page's file, title, icon and address come from here.

``app.py`` builds the navigation from ``PAGES``; share links and "Open in Playground" links use the same
entries, so adding a page is one entry here plus its folder ``views/<key>/``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from views.common.scenario import Scenario


@dataclass(frozen=True)
class PageInfo:
    """One page of the app: its folder ``views/<key>/`` holds ``page.py``."""

    key: str
    title: str
    icon: str
    url_path: str  # "" for the default page (the app's root)

    @property
    def file(self) -> str:
        """The page script, relative to app.py."""
        return f"views/{self.key}/page.py"


PAGES: dict[str, PageInfo] = {
    page.key: page
    for page in (
        PageInfo("playground", "Playground", ":material/tune:", ""),
        PageInfo("lessons", "Lessons", ":material/school:", "lessons"),
        PageInfo("sweep", "Sweep", ":material/grid_on:", "sweep"),
        PageInfo("maps", "Maps", ":material/explore:", "maps"),
    )
}
#: url_path of every non-default page (the Playground is the app's root).
PAGE_PATHS = tuple(page.url_path for page in PAGES.values() if page.url_path)
#: The session key of the Playground's current view (its Scenario): other pages start from it.
PLAYGROUND_SCENARIO = "pg.scenario"


def navigation() -> list[st.Page]:
    """The app's pages for ``st.navigation``, the Playground first (the default)."""
    return [
        st.Page(page.file, title=page.title, icon=page.icon, default=not page.url_path, url_path=page.url_path or None)
        for page in PAGES.values()
    ]


def playground_scenario() -> Scenario | None:
    """The view the Playground showed last in this session (None before the first visit)."""
    return st.session_state.get(PLAYGROUND_SCENARIO)


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


def page_url(key: str, query: Mapping[str, str]) -> str:
    """Absolute share link to page ``key`` with ``query`` (relative when the base is unknown)."""
    return f"{app_root()}{PAGES[key].url_path}?{urllib.parse.urlencode(dict(query), safe=',*')}"


def playground_url(scenario: Scenario, extra: Mapping[str, str] | None = None) -> str:
    """Absolute share link that opens ``scenario`` in the Playground (relative when the base is unknown).

    ``extra`` adds teacher settings (``lock``, ``hide``, ``only``, ``ask``: see views/playground/settings.py
    and views/common/quiz.py)."""
    return page_url("playground", scenario.to_query() | dict(extra or {}))


def open_in_playground(
    scenario: Scenario,
    label: str = "Open in Playground",
    extra: Mapping[str, str] | None = None,
) -> None:
    """An in-app link that opens ``scenario`` in the Playground (same tab, same session), with ``extra``
    teacher settings."""
    page = PAGES["playground"]
    st.page_link(page.file, label=label, icon=page.icon, query_params=scenario.to_query() | dict(extra or {}))
