"""RMSProp Playground: entry point. Page config and navigation only (the pages come from the registry)."""

from pathlib import Path

import streamlit as st

from views.common.links import navigation
from views.common.look import apply_base_style
from views.common.query import TRUE

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
st.navigation(navigation()).run()
