"""The "verified" note beside the convention selector: what the test suite checks, and nothing more."""

from __future__ import annotations

import streamlit as st

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
    with st.popover("✔ Checked against PyTorch, Keras, Optax, TF1", width="stretch"):
        st.markdown(_HOW)
