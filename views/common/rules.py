"""Update rules on screen: their LaTeX layout, and the "verified" note (what the test suite checks, and nothing
more) beside every convention selector."""

from __future__ import annotations

import streamlit as st

import optim

#: Framework versions the reference trajectories were recorded with (tests/data/framework_reference.json).
RECORDED_WITH = "PyTorch 2.13, Keras 3.15 (JAX backend), Optax 0.2.8 and TensorFlow 2.21 (tf.compat.v1)"

_HOW = f"""
**How the update rules are checked.** The test suite replays 79 reference runs recorded from the real
frameworks ({RECORDED_WITH}): every optimizer and option each framework has, 40 steps on Rosenbrock in
float64. Each of our trajectories must match the framework's to a relative 1e-13, and each default
(lr, eps, rho, accumulator start) must equal the framework's own. Where a framework lacks an optimizer
or option (TF1 has no Nadam and no AMSGrad), the app says so instead of guessing.
See *Verified against the frameworks* in the README; `tools/crosscheck/generate_reference.py`
re-records the references.
"""


def verified_note() -> None:
    """A one-line badge with the details in a popover."""
    with st.popover("Checked against PyTorch, Keras, Optax, TF1", icon=":material/verified:", width="stretch"):
        st.markdown(_HOW)


def aligned(lines: list[str], small: bool = False) -> str:
    r"""Several LaTeX equations stacked and aligned at their first '=' (``small`` for the sidebar, where
    two equations written side by side, ``a = b, \quad c = d``, go on lines of their own to fit)."""
    if small:
        lines = [part for line in lines for part in line.split(r", \quad ")]
        lines = [part for line in lines for part in _split_before_fraction(line)]
    body = r"\begin{aligned}" + r" \\ ".join(line.replace("=", "&=", 1) for line in lines) + r"\end{aligned}"
    return (r"\small " if small else "") + body


def _split_before_fraction(line: str) -> list[str]:
    r"""``a = b + \frac{..}{..}`` as two lines, the second continuing with ``+ \frac`` under the right-hand
    side: the sidebar is too narrow for a sum with a fraction in it (tests/browser checks every rule fits)."""
    depth = 0
    for i, char in enumerate(line):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and line.startswith(r" + \frac", i):
            return [line[:i], r"&\quad" + line[i:]]
    return [line]


def rule_latex(optimizer: str, convention: str, hp: dict, small: bool = False) -> str:
    """The update rule of ``optimizer`` in ``convention`` with these hyperparameters, laid out for ``st.latex``."""
    return aligned(optim.update_equations(optimizer, convention, hp), small=small)
