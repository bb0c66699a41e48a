"""The New run page's form: shipped scenarios, main-parameter widgets and validation.

Widgets never edit YAML: each changed value becomes a ``key.path=value`` override, validated by
the same loader as ``ecosim run --set``, so messages name the file, line and field like the CLI.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
import streamlit as st
from pydantic import BaseModel

import ecosystem
from dashboard.launch import CORPUS_ENV
from ecosystem.config import load_scenario, parse_overrides, validate_text, yaml_reader
from ecosystem.config.schema import SCENARIO_KINDS, Scenario
from ecosystem.core.errors import Problem, ScenarioError
from ecosystem.runner import RunSpec, execute, progress_total

PASTED = "pasted YAML"
"""The source name of pasted YAML in validation messages."""
MAX_WIDGET_INT = 2**53 - 1
"""Largest integer a browser number box holds exactly."""
KEY_PREFIX = "new_knob_"


@dataclass(frozen=True)
class Knob:
    """One main parameter with a widget.

    Attributes:
        path: dotted field path in the scenario (as for ``--set``).
        label: the widget's label.
        widget: ``int`` (number box), ``share`` (slider over [0, 1]) or ``choices`` (multiselect).
    """

    path: str
    label: str
    widget: Literal["int", "share", "choices"] = "int"

    @property
    def key(self) -> str:
        """The widget's session-state key."""
        return KEY_PREFIX + self.path.replace(".", "_")


KNOBS: dict[str, list[Knob]] = {
    "loop": [
        Knob("seed", "Seed"),
        Knob("loop.generations", "Generations after the first"),
        Knob("loop.replicas", "Replicas"),
        Knob("loop.samples_per_generation", "Samples per generation"),
        Knob("loop.strategies", "Data strategies", "choices"),
    ],
    "ecosystem": [
        Knob("seed", "Seed"),
        Knob("steps", "Steps (months)"),
        Knob("launch_step", "AI tools launch at step"),
        Knob("authors.count", "Human authors"),
        Knob("farms.count", "Content farms"),
        Knob("authors.ai_share", "Share of an adopter's text written by AI", "share"),
    ],
}


def scenario_dirs() -> list[Path]:
    """Where shipped scenarios live: ``scenarios/`` here and next to the ecosystem package."""
    source_root = Path(ecosystem.__file__).resolve().parents[1]
    dirs = [Path("scenarios"), source_root / "scenarios"]
    unique: dict[Path, Path] = {}
    for d in dirs:
        if d.is_dir():
            unique.setdefault(d.resolve(), d)
    return list(unique.values())


def shipped_scenarios() -> list[Path]:
    """Every ``*.yaml`` under the scenario folders, by name."""
    found = {
        p
        for d in scenario_dirs()
        for p in d.rglob("*.yaml")
        if "sweeps" not in p.relative_to(d).parts  # sweep specs are not scenarios
    }
    return sorted(found, key=str)


def scenario_label(path: str) -> str:
    """A scenario's name in menus: its path under its scenarios folder."""
    for folder in scenario_dirs():
        try:
            return str(Path(path).relative_to(folder))
        except ValueError:
            continue
    return path


def validate(
    text: str,
    source: str,
    path: Path | None,
    overrides: list[str],
    notices: list[Problem] | None = None,
) -> Scenario:
    """Validate a shipped file (``path``) or pasted ``text`` with overrides, as the CLI does.

    ``notices`` collects deprecation notices (old field names, still read), as the CLI prints.

    Raises:
        ScenarioError: with one line-numbered problem per mistake.
    """
    check_corpus_path(text, source, overrides)  # before validation looks at the folder
    if path is not None:
        scenario = load_scenario(path, overrides, notices)
    else:
        scenario = validate_text(text, source, overrides, notices)
    return scenario


def allowed_corpus_folders() -> list[Path]:
    """The folders named with ``ecosim dashboard --corpus`` (none by default)."""
    listed = os.environ.get(CORPUS_ENV, "")
    return [Path(p).resolve() for p in listed.split(os.pathsep) if p]


def check_corpus_path(text: str, source: str, overrides: list[str]) -> None:
    """Refuse a ``truth.path`` outside the corpus folders the dashboard was started with.

    Raises:
        ScenarioError: naming the line of ``truth.path`` and the folders allowed.
    """
    data, lines = yaml_reader.parse(text, source)
    truth = data.get("truth")
    value, where, line = truth.get("path") if isinstance(truth, dict) else None, source, None
    line = lines.get(("truth", "path"))
    for over_source, keys, over_value in parse_overrides(overrides):
        if keys == ("truth", "path"):
            value, where, line = over_value, over_source, None
    if value is None:
        return
    folder = Path(str(value)).expanduser().resolve()
    allowed = allowed_corpus_folders()
    if not any(folder.is_relative_to(root) for root in allowed):
        names = ", ".join(str(p) for p in allowed) or "none"
        raise ScenarioError(
            [
                Problem(
                    where,
                    line,
                    "truth.path",
                    f"the dashboard reads corpus folders only under those it was started "
                    f"with (`ecosim dashboard --corpus FOLDER`; now: {names})",
                )
            ]
        )


def _field(model: type[BaseModel], path: str):
    cls: Any = model
    info = None
    for part in path.split("."):
        info = cls.model_fields[part]
        cls = info.annotation
    return info


def _bounds(info) -> tuple[float | None, float | None]:
    low = high = None
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            low = meta.ge
        elif isinstance(meta, annotated_types.Gt):
            low = meta.gt
        elif isinstance(meta, annotated_types.Le):
            high = meta.le
        elif isinstance(meta, annotated_types.Lt):
            high = meta.lt
    return low, high


def _choices(info) -> list[str]:
    annotation = info.annotation
    inner = get_args(annotation)[0] if get_origin(annotation) is list else annotation
    return list(get_args(inner))


def current(scenario: Scenario, path: str) -> Any:
    """The value at a dotted path of a validated scenario."""
    return functools.reduce(getattr, path.split("."), scenario)


def _as_yaml(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _widget(knob: Knob, info) -> Any:
    """The knob's widget; its value lives in session state (see ``sync_knobs``)."""
    helptext = info.description or None
    if knob.widget == "choices":
        return st.multiselect(knob.label, _choices(info), key=knob.key, help=helptext)
    if knob.widget == "share":
        return st.slider(knob.label, 0.0, 1.0, step=0.05, key=knob.key, help=helptext)
    low, high = _bounds(info)
    high = min(int(high), MAX_WIDGET_INT) if high is not None else MAX_WIDGET_INT
    return st.number_input(
        knob.label,
        min_value=int(low) if low is not None else None,
        max_value=high,
        step=1,
        key=knob.key,
        help=helptext,
    )


def signature(text: str, source: str) -> str:
    """Identity of a base scenario, for ``sync_knobs``."""
    return hashlib.sha256(f"{source}\n{text}".encode()).hexdigest()[:16]


def sync_knobs(base: Scenario, base_signature: str) -> None:
    """Put the base scenario's values into the widgets when the base scenario changes.

    Values go through session state, which also updates what the browser shows.
    """
    if st.session_state.get("new_base") == base_signature:
        return
    for knob in KNOBS.get(base.kind, []):
        value = current(base, knob.path)
        st.session_state[knob.key] = list(value) if isinstance(value, list | tuple) else value
    st.session_state["new_base"] = base_signature


def knob_overrides(base: Scenario, columns: int = 3) -> list[str]:
    """Widgets for the main parameters of ``base``; returns overrides for the changed ones."""
    knobs = KNOBS.get(base.kind, [])
    model = SCENARIO_KINDS[base.kind]
    cells = st.columns(columns)
    overrides = []
    for i, knob in enumerate(knobs):
        value = current(base, knob.path)
        with cells[i % columns]:
            chosen = _widget(knob, _field(model, knob.path))
        if chosen != (list(value) if isinstance(value, list | tuple) else value):
            overrides.append(f"{knob.path}={_as_yaml(chosen)}")
    return overrides


def problems(exc: ScenarioError) -> str:
    """The CLI's lines for a scenario error: FILE:LINE: field.path: message."""
    return "\n".join(str(p) for p in exc.problems)


MAX_RUN_NAME = 200


def run_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a run folder's name under the runs folder (None: it can).

    Only a plain name is taken: no folder separators, not ``.`` or ``..``, not hidden (those
    are the scratch folders of runs being written), no control characters, not absolute.
    """
    if not name:
        return "Give the run folder a name."
    if name != name.strip():
        return "The name starts or ends with a space."
    if "/" in name or "\\" in name or (os.sep in name) or (os.altsep and os.altsep in name):
        return "Give a plain name, without / or \\: the run is written inside the runs folder."
    if name in (".", "..") or name.startswith("."):
        return "The name may not start with a dot."
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "The name holds control characters."
    if len(name) > MAX_RUN_NAME or Path(name).is_absolute() or Path(name).name != name:
        return f"Give a plain name of at most {MAX_RUN_NAME} characters."
    return None


def run_with_progress(spec: RunSpec, scenario: Scenario) -> Path:
    """Run ``scenario`` into ``spec.out`` with a progress bar; returns the run folder."""
    total = max(1, progress_total(scenario))
    bar = st.progress(0.0, text=f"Running {scenario.name}…")
    done = 0

    def advance(units: int) -> None:
        nonlocal done
        done += units
        bar.progress(min(1.0, done / total), text=f"Running {scenario.name}: {done} of {total}")

    folder = execute(spec, scenario, advance)
    bar.progress(1.0, text=f"Finished {scenario.name}")
    return folder
