"""RMSProp Playground: entry point. Page config and navigation only (the pages come from the registry); the page
runs take turns (views/common/run_gate.py) and the libraries are kept out of the garbage collector's way after
the first run (views/common/gc_tuning.py): both for a server that carries a class."""

from pathlib import Path

import streamlit as st

from views.common.gc_tuning import freeze_startup_objects
from views.common.links import navigation
from views.common.look import apply_base_style
from views.common.query import TRUE
from views.common.run_gate import one_at_a_time

present = st.query_params.get("present", "0").lower() in TRUE
student = "class" in st.query_params and "host" not in st.query_params  # class mode: phones show the page first
st.set_page_config(
    page_title="RMSProp Playground",
    page_icon=str(Path(__file__).parent / "assets" / "favicon.svg"),  # a file: no emoji font, no icon CDN needed
    layout="wide",
    # "auto": open on a wide screen, closed on a phone (where it would cover the page)
    initial_sidebar_state="collapsed" if present or student else "auto",
)
apply_base_style()
with one_at_a_time():
    st.navigation(navigation()).run()
freeze_startup_objects()  # once, after the first complete run: the libraries are loaded by then
