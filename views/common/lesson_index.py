"""The lessons' table of contents: slug -> title, in order. Pure data, no Streamlit.

The Lessons page tells the stories (views/lessons/content.py); other pages link to them by slug (e.g. the
Playground's "what happened" notes), so the titles live here, where every page may read them.
"""

from __future__ import annotations

TITLES: dict[str, str] = {
    "sgd-dilemma": "Why plain SGD struggles",
    "rmsprop-idea": "RMSProp's idea: a step size per axis",
    "adagrad-vs-rmsprop": "Adagrad's sum versus RMSProp's average",
    "rho": "What rho does: the length of RMSProp's memory",
    "eps": "What eps does, and where frameworks put it",
    "first-steps": "RMSProp's large first steps, and Adam's bias correction",
    "adam": "Adam = RMSProp + momentum",
    "rotation": "A rotated valley defeats per-axis scaling",
    "saddle": "Escaping a saddle",
    "honest-limit": "An honest limit: RMSProp hovers",
}


def number(slug: str) -> int:
    """The lesson's number as the Lessons page shows it (1-based)."""
    return list(TITLES).index(slug) + 1


def label(slug: str) -> str:
    """ "Lesson 5: What eps does, and where frameworks put it"."""
    return f"Lesson {number(slug)}: {TITLES[slug]}"
