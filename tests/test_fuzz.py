"""Fuzzing the scenario reader: every invalid scenario ends in ScenarioError and nothing else.

Hypothesis mutates every shipped scenario (wrong types, NaN / infinity / huge numbers, values
out of range, unknown and duplicate keys, broken YAML, alias bombs, deep nesting, binary junk)
at least ``IN_PROCESS`` times per run through ``validate_text``; a sample goes through the real
command line (exit 2, one line per problem, no traceback, nothing written); and valid scenarios
drawn from the schema's bounds validate and run at tiny size.
"""

from __future__ import annotations

import copy
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ecosystem.config import validate_text
from ecosystem.core.errors import NumericalError, ScenarioError
from ecosystem.runner import simulate
from tests.conftest import ROOT, SCENARIOS
from tests.golden import _set, reduced_text, shipped
from tests.test_numbers import numeric_fields

IN_PROCESS = 1200
SHIPPED = {name: (SCENARIOS / name).read_text(encoding="utf-8") for name in shipped()}
DATA = {name: yaml.safe_load(text) for name, text in SHIPPED.items()}
NAMES = sorted(SHIPPED)


def leaves(node, path=()) -> list[tuple]:
    """Paths of every scalar in parsed YAML."""
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in leaves(v, (*path, i))]
    return [path]


def mappings(node, path=()) -> list[tuple]:
    """Paths of every mapping in parsed YAML (the root included)."""
    if isinstance(node, dict):
        return [path] + [p for k, v in node.items() for p in mappings(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in mappings(v, (*path, i))]
    return []


def get(node, path):
    for key in path:
        node = node[key]
    return node


def put(data, path, value):
    node = get(data, path[:-1])
    node[path[-1]] = value


def dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# A value no field accepts in place of a number, a string, a choice or a flag.
NOT_A_NUMBER = [float("nan"), float("inf"), float("-inf"), True, "x1", [1], {"a": 1}, -(10**30)]
NOT_A_TEXT = [12345, 1.5, [1, 2], {"a": "b"}, True]
NOT_A_FLAG = ["perhaps", 2, 1.5, [True], {"a": 1}]


def wrong_value(old, draw) -> object:
    if isinstance(old, bool):
        return draw(st.sampled_from(NOT_A_FLAG))
    if isinstance(old, int | float):
        # huge magnitudes both ways: every numeric field is bounded above and below
        return draw(st.sampled_from([*NOT_A_NUMBER, 1e308, -1e308, 10**30 + 0.5]))
    return draw(st.sampled_from(NOT_A_TEXT))


@st.composite
def wrong_type_or_range(draw):
    name = draw(st.sampled_from(NAMES))
    data = copy.deepcopy(DATA[name])
    path = draw(st.sampled_from(leaves(data)))
    if path[-1] in ("description",) or (len(path) > 1 and path[-2] == "description"):
        assume(False)  # free text: any string is valid (its wrong types are drawn elsewhere)
    put(data, path, wrong_value(get(data, path), draw))
    return dump(data)


@st.composite
def unknown_key(draw):
    name = draw(st.sampled_from(NAMES))
    data = copy.deepcopy(DATA[name])
    where = draw(st.sampled_from(mappings(data)))
    key = "zz_" + draw(st.text("abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=30))
    get(data, where)[key] = draw(st.sampled_from([1, "a", [1], None, {"k": 2}]))
    return dump(data)


@st.composite
def duplicate_key(draw):
    name = draw(st.sampled_from(NAMES))
    text = SHIPPED[name]
    lines = [line for line in text.splitlines() if line and line[0].isalpha() and ":" in line]
    line = draw(st.sampled_from(lines))
    return text + ("\n" if not text.endswith("\n") else "") + line + "\n"


BREAKERS = [
    "x: [1, 2",
    "x: {a: 1",
    "- item",
    "x: 'open",
    'x: "open',
    "\tx: 1",
    "x: *undefined",
    "x: !!python/object/apply:os.system [ls]",
    "x: !!binary 'not base64 ??'",
    "  : :",
    "? [a]\n: 1",
    "x: &a 1\ny: &a [*a, *b]",
    "%YAML 9.9\n---",
    "---\nsecond: document",
    "x: @reserved",
    "x: `backtick",
]


@st.composite
def broken_yaml(draw):
    name = draw(st.sampled_from(NAMES))
    lines = SHIPPED[name].split("\n")
    # between two lines: a cut inside a quoted scalar would only lengthen the string
    cut = draw(st.integers(0, len(lines)))
    breaker = draw(st.sampled_from(BREAKERS))
    return "\n".join([*lines[:cut], breaker, *lines[cut:]])


@st.composite
def special_numbers(draw):
    name = draw(st.sampled_from(NAMES))
    data = copy.deepcopy(DATA[name])
    numbers = [p for p in leaves(data) if type(get(data, p)) in (int, float)]
    path = draw(st.sampled_from(numbers))
    specials = [".nan", ".NaN", ".inf", "-.inf", "+.INF", "1.0e+999", "-1.0e+999", "1e999"]
    specials += ["9" * 5000, "0x" + "f" * 5000, "1:" * 3000 + "1", "2001-13-99"]
    token = draw(st.sampled_from(specials))
    marker = "__SPECIAL__"
    put(data, path, marker)
    return dump(data).replace(f"'{marker}'", token).replace(marker, token)


@st.composite
def alias_bomb(draw):
    levels = draw(st.integers(5, 14))
    width = draw(st.integers(10, 16))
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    where = draw(st.sampled_from(["before", "after", "description"]))
    bomb = "\n".join(lines)
    text = SHIPPED[draw(st.sampled_from(NAMES))]
    if where == "before":
        return bomb + "\n" + text
    if where == "after":
        return text + "\n" + bomb + "\n"
    return text + "\nextra: " + "{" + ", ".join(line.replace(": ", ": ", 1) for line in lines) + "}"


@st.composite
def self_reference(draw):
    text = SHIPPED[draw(st.sampled_from(NAMES))]
    shape = draw(st.sampled_from(["&r [*r]", "&r {a: *r}", "&r [1, [2, *r]]", "&r {a: [*r]}"]))
    return text + f"\nextra: {shape}\n"


@st.composite
def deep_nesting(draw):
    depth = draw(st.integers(51, 3000))
    opening, closing = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("- ", "")]))
    text = SHIPPED[draw(st.sampled_from(NAMES))]
    if opening == "- ":  # block style: indentation grows with depth, so keep it shallower
        nested = "\n".join("  " * i + "- " for i in range(min(depth, 200))) + "1"
        return text + "\nextra:\n" + nested + "\n"
    return text + "\nextra: " + opening * depth + "1" + closing * depth + "\n"


@st.composite
def binary_junk(draw):
    text = SHIPPED[draw(st.sampled_from(NAMES))].encode()
    junk = draw(st.binary(min_size=1, max_size=64))
    control = draw(st.sampled_from([b"\x00", b"\x01", b"\x07", b"\x1b", b"\xff", b"\xc3\x28"]))
    where = draw(st.integers(0, len(text)))
    raw = text[:where] + junk + control + text[where:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw  # bytes: through the file reader, which must refuse them


INVALID = st.one_of(
    wrong_type_or_range(),
    unknown_key(),
    duplicate_key(),
    broken_yaml(),
    special_numbers(),
    alias_bomb(),
    self_reference(),
    deep_nesting(),
    binary_junk(),
)


def refuse(text: str | bytes, tmp: Path | None = None) -> ScenarioError:
    """Validate ``text`` (bytes through the file reader); return the ScenarioError it must raise."""
    from ecosystem.config.yaml_reader import decode

    try:
        if isinstance(text, bytes):
            validate_text(decode(text, "fuzz.yaml"), "fuzz.yaml")
        else:
            validate_text(text, "fuzz.yaml")
    except ScenarioError as exc:
        return exc
    raise AssertionError(f"accepted an invalid scenario:\n{text[:2000]!r}")


def test_at_least_a_thousand_invalid_scenarios_all_end_in_scenario_error():
    seen = []

    @settings(
        max_examples=IN_PROCESS,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(INVALID)
    def check(text):
        exc = refuse(text)
        seen.append(len(exc.problems))
        for problem in exc.problems:
            line = str(problem)
            assert "\n" not in line and len(line) <= 400, line
            assert line.startswith("fuzz.yaml"), line

    check()
    assert len(seen) >= 1000, len(seen)


def cli_sample(count: int, seed: int = 13) -> list[str | bytes]:
    """``count`` invalid scenarios, one per kind of mutation in turn (deterministic)."""
    rng = random.Random(seed)
    kinds = [
        wrong_type_or_range(),
        unknown_key(),
        duplicate_key(),
        broken_yaml(),
        special_numbers(),
        alias_bomb(),
        self_reference(),
        deep_nesting(),
        binary_junk(),
    ]
    out = []
    for i in range(count):
        strategy = kinds[i % len(kinds)]
        out.append(_draw(strategy, rng))
    return out


def _draw(strategy, rng: random.Random):
    """One value of ``strategy``, chosen by ``rng`` (hypothesis' own seeded search)."""
    found = []

    @settings(max_examples=1, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def grab(value):
        found.append(value)

    from hypothesis import seed as hseed

    hseed(rng.randrange(2**32))(grab)()
    return found[0]


def test_a_sample_through_the_real_command_line(tmp_path):
    cases = cli_sample(20)
    jobs = []
    for i, text in enumerate(cases):
        path = tmp_path / f"case{i}.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        out = tmp_path / f"out{i}"
        command = ["validate", str(path)] if i % 2 else ["run", str(path), "--out", str(out)]
        jobs.append((path, out, [sys.executable, "-m", "ecosystem.cli", *command]))

    def call(job):
        path, out, argv = job
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
        )
        return path, out, proc

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(call, jobs))
    for path, out, proc in results:
        assert proc.returncode == 2, (path.read_bytes()[:500], proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stdout == ""
        lines = proc.stderr.splitlines()
        assert lines and all(line.startswith(f"{path}") for line in lines), proc.stderr
        assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# Valid scenarios drawn from the schema's bounds: tiny loop scenarios of each learner.
VALID_BASES = {
    "loop_tokens.yaml": {"loop.replicas": 2, "loop.generations": 2},
    "loop_gaussian.yaml": {"loop.replicas": 3, "loop.generations": 3},
    "papers/gerstgrasser_linear.yaml": {"loop.replicas": 3, "loop.generations": 2},
    "papers/shumailov_gmm.yaml": {"loop.replicas": 1, "loop.generations": 1},
    "papers/discrete_collapse.yaml": {"loop.replicas": 5, "loop.generations": 3},
}
SIZES = ("replicas", "generations", "samples", "test_samples", "sample_size", "dim", "seed")


def bounds(model, name: str) -> tuple[float, float, bool, bool]:
    """(low, high, low excluded, high excluded) of a field, from its schema (capped at ±1e6)."""
    field = type(model).model_fields[name]
    lo, hi, open_lo, open_hi = -1e6, 1e6, False, False
    for meta in field.metadata:
        for attr, is_low, is_open in (("ge", 1, 0), ("gt", 1, 1), ("le", 0, 0), ("lt", 0, 1)):
            value = getattr(meta, attr, None)
            if value is None:
                continue
            if is_low and value >= lo:
                lo, open_lo = value, bool(is_open)
            elif not is_low and value <= hi:
                hi, open_hi = value, bool(is_open)
    return lo, hi, open_lo, open_hi


def owner(scenario, path: tuple[str, ...]):
    node = scenario
    for key in path[:-1]:
        node = node[int(key)] if isinstance(node, list) else getattr(node, key)
    return node


@st.composite
def valid_perturbation(draw):
    name = draw(st.sampled_from(sorted(VALID_BASES)))
    data = yaml.safe_load(reduced_text(name))
    for path, value in VALID_BASES[name].items():
        _set(data, path.split("."), value)
    scenario = validate_text(dump(data), name)
    fields = [
        p
        for p in numeric_fields(scenario)
        if not any(s in p[-1] for s in SIZES) and isinstance(get_attr(scenario, p), float)
    ]
    for path in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4, unique=True)):
        model = owner(scenario, path)
        if isinstance(model, list):  # a coordinate of a mixture mean
            lo, hi, open_lo, open_hi = -1e3, 1e3, False, False
        else:
            lo, hi, open_lo, open_hi = bounds(model, path[-1])
        value = draw(st.floats(lo, hi, exclude_min=open_lo, exclude_max=open_hi))
        _set(data, list(path), value)
    return name, dump(data)


def get_attr(scenario, path):
    node = scenario
    for key in path:
        node = node[int(key)] if isinstance(node, list) else getattr(node, key)
    return node


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(valid_perturbation())
def test_valid_scenarios_from_the_schema_validate_and_run(case):
    name, text = case
    try:
        scenario = validate_text(text, name)
    except ScenarioError as exc:  # only a cross-field rule may refuse values within bounds
        assert not any(p.message.startswith("got ") for p in exc.problems), exc
        assume(False)
    try:
        tables = simulate(scenario)
    except NumericalError as exc:  # pragma: no cover - a failure worth reading
        pytest.fail(f"{name}: {exc}\n{text}")
    for table, frame in tables.items():
        if table == "generations_summary":  # statistics over no value (distinct_2) are null
            frame = frame.filter(pl.col("replicas") > 0)
        for column, dtype in frame.schema.items():
            if dtype.is_float() and column != "distinct_2":
                assert not np.isnan(frame[column].to_numpy()).any(), (name, column, text)
