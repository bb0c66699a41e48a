"""New run: pick a shipped scenario or paste YAML, adjust the main parameters, validate, run."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import scenario_form as form
from dashboard.widgets import runs_root
from ecosystem.core.errors import OutputError, ScenarioError
from ecosystem.core.outdir import check_out
from ecosystem.runner import RunSpec

RUNS_PAGE = "app_pages/runs.py"
STARTER = (
    "kind: loop\nname: my_loop\nseed: 1\ntruth:\n  modality: tokens\nlearner:\n  kind: ngram\n"
)

st.title("New run")
st.caption(
    "Start from a shipped scenario or paste your own YAML, change the main parameters, and run "
    "it. Messages are the same as `ecosim validate`."
)

source_kind = st.segmented_control(
    "Scenario", ["Shipped scenario", "Paste YAML"], key="new_source", default="Shipped scenario"
)
shipped = form.shipped_scenarios()
path: Path | None = None
if source_kind == "Paste YAML" or not shipped:
    if not shipped:
        st.info("No `scenarios/` folder found here; paste a scenario instead.")
    text = st.text_area("Scenario YAML", STARTER, height=260, key="new_yaml")
    source = form.PASTED
else:
    options = [str(p) for p in shipped]
    path = Path(
        st.selectbox(
            "Shipped scenario", options, key="new_scenario", format_func=form.scenario_label
        )
    )
    text = path.read_text(encoding="utf-8")
    source = str(path)
    with st.expander(f"Show {form.scenario_label(str(path))}", icon=":material/description:"):
        st.code(text, language="yaml", line_numbers=True)

notices = []
try:
    base = form.validate(text, source, path, [], notices)
except ScenarioError as exc:
    st.error("**This scenario is not valid.** Fix these lines:", icon=":material/error:")
    st.code(form.problems(exc), language=None)
    st.stop()
if notices:
    st.warning("**Old field names** (still read; rename them):", icon=":material/warning:")
    st.code("\n".join(str(n) for n in notices), language=None)

st.markdown(f"##### Main parameters of `{base.name}` ({base.kind})")
form.sync_knobs(base, form.signature(text, source))
overrides = form.knob_overrides(base)
try:
    scenario = form.validate(text, source, path, overrides)
except ScenarioError as exc:
    st.error("**These values are not allowed:**", icon=":material/error:")
    st.code(form.problems(exc), language=None)
    st.stop()
st.success(
    "Valid." + (f" Overrides: {' '.join(f'`{o}`' for o in overrides)}" if overrides else ""),
    icon=":material/check_circle:",
)

root = runs_root()
left, right = st.columns([3, 1], vertical_alignment="bottom")
default_name = f"{scenario.name}-seed{scenario.seed}"
name = left.text_input("Run folder name", key="new_out", placeholder=default_name) or default_name
overwrite = right.checkbox("Replace if it exists", key="new_overwrite")
bad_name = form.run_name_problem(name)
out = root / name
refusal = None
if bad_name is None:
    try:
        check_out(out, overwrite)  # what `ecosim run --out` refuses, refused here too
    except OutputError as exc:
        refusal = str(exc)
if bad_name is not None:
    st.error(f"**Run folder name:** {bad_name}", icon=":material/error:")
elif refusal is not None and out.exists() and not overwrite:
    st.warning(f"`{out}` already exists: choose another name or tick 'Replace if it exists'.")
elif refusal is not None:
    st.error(f"**Cannot write this run folder.** {refusal}", icon=":material/error:")
else:
    st.caption(f"Writes `{out}` (the runs folder is set in the sidebar).")

blocked = bad_name is not None or refusal is not None
if st.button("Run", key="new_run_button", type="primary", disabled=blocked):
    spec = RunSpec(path or Path(form.PASTED), out, overrides, None, overwrite)
    try:
        folder = form.run_with_progress(spec, scenario)
    except OutputError as exc:
        st.error(f"**Cannot write this run folder.** {exc}", icon=":material/error:")
        st.stop()
    except Exception as exc:  # a failed run is reported, never a traceback
        st.error(f"**The run failed:** {type(exc).__name__}: {exc}", icon=":material/error:")
        st.stop()
    st.session_state["run"] = str(folder)
    st.session_state["flash"] = f"Finished {scenario.name}: `{folder}`."
    st.switch_page(RUNS_PAGE)
