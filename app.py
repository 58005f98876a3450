"""RMSProp Playground: entry point. Page config and navigation only (the pages come from the registry)."""

from pathlib import Path

import streamlit as st

from views.common.links import navigation
from views.common.query import TRUE

present = st.query_params.get("present", "0").lower() in TRUE
st.set_page_config(
    page_title="RMSProp Playground",
    page_icon=str(Path(__file__).parent / "assets" / "favicon.svg"),  # a file: no emoji font, no icon CDN needed
    layout="wide",
    initial_sidebar_state="collapsed" if present else "expanded",
)
st.navigation(navigation()).run()
