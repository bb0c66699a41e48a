"""Runs: one run folder in charts, by kind (lab-mode loop or scaling, or ecosystem)."""

from __future__ import annotations

import streamlit as st

from dashboard.views import ecosystem, loop, scaling
from dashboard.widgets import pick_run, readable_errors, run_header

st.title("Runs")
if linked := st.query_params.get("run"):  # a link such as ?run=runs/sweep/runs/m0003
    st.session_state["run"] = linked
    del st.query_params["run"]
if flash := st.session_state.pop("flash", None):
    st.success(flash, icon=":material/check_circle:")
run = pick_run("run", "Run folder")
run_header(run)
with readable_errors():
    if run.kind == "loop":
        loop.render(run)
    elif run.kind == "scaling":
        scaling.render(run)
    else:
        ecosystem.render(run)
