"""Compare: two or more runs (or scenarios) on the same axes, differences highlighted."""

from __future__ import annotations

import streamlit as st

from dashboard.views import compare
from dashboard.widgets import pick_runs, readable_errors

st.title("Compare")
st.caption(
    "Put runs side by side: the same metric on the same axes, and how each run's final value "
    "differs from a baseline run's (per strategy or trainer of the same name). Runs that differ "
    "only in their seed are pooled: mean over seeds ± 95% interval, and a difference is called "
    "better or worse only when its interval excludes zero."
)
runs = pick_runs("compare_runs", "Runs to compare")
with readable_errors():
    compare.render(runs)
