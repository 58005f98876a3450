"""RMSProp Playground: entry point. Page config and navigation only."""

import streamlit as st

present = st.query_params.get("present", "0").lower() in {"1", "true", "yes", "on"}
st.set_page_config(
    page_title="RMSProp Playground",
    page_icon="📉",
    layout="wide",
    initial_sidebar_state="collapsed" if present else "expanded",
)
pages = [
    st.Page("views/playground.py", title="Playground", icon="🎛️", default=True),
    st.Page("views/lessons.py", title="Lessons", icon="🎓", url_path="lessons"),
    st.Page("views/sweep.py", title="Sweep", icon="🗺️", url_path="sweep"),
    st.Page("views/maps.py", title="Maps", icon="🧭", url_path="maps"),
]
page = st.navigation(pages)
page.run()
