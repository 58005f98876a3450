"""The sidebar controls of a custom surface: the formula box, its plotted region and clickable examples."""

from __future__ import annotations

import numpy as np
import streamlit as st

import landscapes
from landscapes.expression import GRID, MAX_LENGTH, ExpressionError
from views.common.controls import PERSIST
from views.common.scenario import markdown_text
from views.playground import state

EXAMPLE_KEY = "pg.example"
ALLOWED = (
    "Use `x`, `y`, numbers, `pi`, `e`, `+ - * / **` and brackets, and the functions "
    "`sin cos tan exp log sqrt abs sinh cosh tanh asin acos atan` (also `arcsin arccos arctan`). "
    f"Exponents are constant numbers of size at most 10 (`x**2`, `x**0.5`, `x**-1`); at most {MAX_LENGTH} characters. "
    "Write products with `*` (`2*x`, not `2x`) and powers with `**` (not `^`). "
    "Where f or its gradient is undefined (e.g. `log(x)` for x ≤ 0), a run stops and counts as diverged."
)


def error_markdown(text: str, error: ValueError, width: int = 24) -> str:
    """The error message and, when it has a column, the part of the formula around it (at most ``width``
    characters, so it fits the sidebar) with a caret under that column."""
    message = markdown_text(str(error))
    column = getattr(error, "column", None)
    if not isinstance(error, ExpressionError) or column is None or not 1 <= column <= len(text) + 1:
        return message
    begin = min(max(column - 1 - width // 2, 0), max(len(text) + 1 - width, 0))
    end = begin + width
    shown = ("…" if begin > 0 else "") + text[begin:end] + ("…" if end < len(text) else "")
    caret = " " * (column - 1 - begin + (begin > 0)) + "^"
    return f"{message}\n\n```\n{shown}\n{caret}\n```"


def controls(disabled: bool = False) -> None:
    """The formula box with its error (if any), the region and the examples (``disabled``: all locked)."""
    st.text_input(
        "f(x, y) =",
        key=state.param_key("expr"),
        max_chars=MAX_LENGTH,
        on_change=state.on_formula_change,
        placeholder="e.g. x**2 + 100*y**2",
        help="Type a formula in x and y and press Enter. " + ALLOWED,
        disabled=disabled,
        persist_state=PERSIST,
    )
    _, error = state.surface_params(landscapes.CUSTOM)
    if error is not None:
        text = str(st.session_state.get(state.param_key("expr"), ""))
        st.error(error_markdown(text, error), icon=":material/block:")
        st.caption("The charts still show the last formula that worked.")
    left, right = st.columns(2)
    for column, name, label in (
        (left, "xmin", "x min"),
        (right, "xmax", "x max"),
        (left, "ymin", "y min"),
        (right, "ymax", "y max"),
    ):
        column.number_input(
            label,
            key=state.param_key(name),
            step=0.5,
            format="%g",
            on_change=state.on_formula_change,
            disabled=disabled,
            persist_state=PERSIST,
        )
    st.pills(
        "Examples",
        range(len(landscapes.EXAMPLES)),
        key=EXAMPLE_KEY,
        format_func=lambda i: markdown_text(landscapes.EXAMPLES[i].expr),
        on_change=_use_example,
        help="Click one to put it in the box (with a region that shows it well).\n\n"
        + "\n".join(f"- `{e.expr}`: {e.note}" for e in landscapes.EXAMPLES),
        disabled=disabled,
    )
    with st.expander("What can I type?"):
        st.markdown(ALLOWED)


def _use_example() -> None:
    chosen = st.session_state.get(EXAMPLE_KEY)
    if chosen is not None:
        example = landscapes.EXAMPLES[chosen]
        state.use_example(example.expr, example.domain)
        st.session_state[EXAMPLE_KEY] = None  # a button, not a selection: the same one can be clicked again


def estimate_note(surface: landscapes.Surface, z: np.ndarray) -> str | None:
    """For a custom surface: f* is only an estimate (the grid's lowest minima refined by Newton steps), and where
    f is undefined (``z``: f on the plotting grid); None for the built-in surfaces."""
    if not landscapes.is_estimated_minimum(surface):
        return None
    (x, y), value = surface.minima[0], surface.min_value
    note = (
        f"Estimated minimum f̂* = {value:.4g} at ({x:.3g}, {y:.3g}): the lowest minima of a {GRID}×{GRID} grid over "
        "the plotted region, refined by Newton steps. The loss chart and the summary show f − f̂*; a run that finds "
        "a point lower still (outside the region, say) shows a gap of 0."
    )
    if not np.isfinite(z).all():
        note += " f is undefined or infinite where the contour is blank; a run that steps there stops as diverged."
    return note
