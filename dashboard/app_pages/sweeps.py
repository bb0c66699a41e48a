"""Sweeps: many runs over levers, uncertainties and seeds, summarised with 95% intervals."""

from __future__ import annotations

import streamlit as st

from dashboard.views import sweep

st.title("Sweeps")
st.caption(
    "A sweep runs a scenario at many points of its levers and uncertainties, several seeds each "
    "(`ecosim sweep`). See an outcome's mean over seeds with its 95% interval across the "
    "parameters, what drives it, and open any member run."
)
chosen = sweep.pick_sweep()
sweep.render(chosen)
