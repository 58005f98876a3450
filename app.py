"""RMSProp Playground: entry point. Page config and navigation only."""

import streamlit as st

st.set_page_config(page_title="RMSProp Playground", page_icon="📉", layout="wide")
page = st.navigation([st.Page("views/playground.py", title="Playground", icon="🎛️", default=True)])
page.run()
