"""Samples: what each generation's model writes, next to human text on the same topic."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from dashboard.views import samples
from dashboard.widgets import pick_run, readable_errors

st.title("Samples")
st.caption(
    "Read the models' own text. Early generations write like the human authors; under "
    "recursive training the text grows repetitive and loses its rare words."
)
run = pick_run("samples_run", "Run folder", table="samples")
with readable_errors():
    frame = loaders.load_table(run, "samples")
    samples.render(run, frame)
