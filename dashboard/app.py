"""The ecosim dashboard: ``ecosim dashboard`` (or ``streamlit run dashboard/app.py``).

Pages live in ``app_pages/``; this script sets up the page, the navigation and the sidebar,
then runs the chosen page.
"""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.widgets import ROOT_KEY

st.set_page_config(page_title="ecosim dashboard", page_icon=":material/public:", layout="wide")

PAGES = [
    st.Page("app_pages/runs.py", title="Runs", icon=":material/monitoring:", default=True),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/sweeps.py", title="Sweeps", icon=":material/grid_on:"),
    st.Page("app_pages/samples.py", title="Samples", icon=":material/article:"),
    st.Page("app_pages/new_run.py", title="New run", icon=":material/play_circle:"),
]
page = st.navigation(PAGES)

with st.sidebar:
    st.markdown("### ecosim")
    st.caption("The web as a training-data commons: model collapse, step by step.")
    st.session_state.setdefault(ROOT_KEY, str(loaders.default_root()))
    st.text_input(
        "Runs folder",
        key=ROOT_KEY,
        help="Folder searched for run folders (each holds run.json and Parquet tables). "
        "`ecosim dashboard --runs DIR` sets it at start.",
    )

page.run()
