"""Numbers are sane or refused: no NaN, infinity or boolean in any numeric field of any shipped
scenario; values at the documented bounds run without a numerical failure; a NaN met during a
run stops it (exit 1) with the generation or step and the likely fields, writing nothing."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from ecosystem.cli import app
from ecosystem.config import validate_text
from ecosystem.core.errors import NumericalError, ScenarioError
from ecosystem.runner import simulate
from tests.conftest import SCENARIOS
from tests.golden import _set, reduced_text, shipped

runner = CliRunner()


def numeric_fields(model: BaseModel, path: tuple = ()) -> list[tuple[str, ...]]:
    """Paths of every int or float value of a validated scenario (lists entered)."""
    out = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        here = (*path, name)
        if isinstance(value, BaseModel):
            out += numeric_fields(value, here)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    out += numeric_fields(item, (*here, str(i)))
                elif isinstance(item, int | float) and not isinstance(item, bool):
                    out.append((*here, str(i)))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out.append(here)
    return out


def refused(data: dict, keys: tuple[str, ...], value, name: str) -> str:
    bad = copy.deepcopy(data)
    _set(bad, list(keys), value)
    with pytest.raises(ScenarioError) as info:
        validate_text(yaml.safe_dump(bad), name)
    problems = [p for p in info.value.problems if p.path == ".".join(keys)]
    assert problems, (keys, value, [str(p) for p in info.value.problems])
    assert all(p.line is not None for p in problems)
    return problems[0].message


def _has_parent(data, keys: tuple[str, ...]) -> bool:
    """Whether the section holding ``keys`` is written in the file (a default section may be a
    tagged union that a lone field cannot pick)."""
    node = data
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node.get(key)
        if node is None:
            return False
    return True


@pytest.mark.parametrize("name", shipped())
def test_nan_infinity_and_booleans_are_refused_in_every_numeric_field(name):
    text = (SCENARIOS / name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    fields = [k for k in numeric_fields(validate_text(text, name)) if _has_parent(data, k)]
    assert fields
    for keys in fields:
        for value in (float("nan"), float("inf"), float("-inf")):
            message = refused(data, keys, value, name)
            assert "finite" in message or "integer" in message, message
        for value in (True, False):
            assert "got " in refused(data, keys, value, name)


def test_a_boolean_share_and_replica_count_are_refused():
    text = (SCENARIOS / "loop_tokens.yaml").read_text(encoding="utf-8")
    for old, new, what in (
        ("replicas: 8", "replicas: true", "loop.replicas: got True: input should be a valid int"),
        ("top_p: 1.0", "top_p: True", "decoding.top_p: got True: true/false is not a number"),
    ):
        with pytest.raises(ScenarioError) as info:
            validate_text(text.replace(old, new), "s.yaml")
        assert what in str(info.value)


def test_ngram_temperature_has_a_floor_that_says_why():
    text = (SCENARIOS / "loop_tokens.yaml").read_text(encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        validate_text(text.replace("temperature: 1.0", "temperature: 0.01"), "s.yaml")
    assert ":22: decoding.temperature: the n-gram learner needs temperature >= 0.5" in str(
        info.value
    )


# Values at the documented bounds, at tiny sizes: each must run without a NaN.
AT_BOUNDS = [
    ("loop_gaussian.yaml", {"truth.mean": 1e4, "truth.std": 1.0, "decoding.temperature": 1e-3}),
    ("loop_gaussian.yaml", {"truth.mean": 1e-2, "truth.std": 1e-6, "decoding.temperature": 1e-3}),
    ("loop_gaussian.yaml", {"truth.mean": -1e6, "truth.std": 1e6}),
    ("papers/bertrand_fresh.yaml", {"truth.mean": 1e6, "truth.std": 1e6}),
    ("papers/gerstgrasser_linear.yaml", {"truth.noise_std": 1e6, "learner.ridge": 1e12}),
    (
        "papers/shumailov_gmm.yaml",
        {
            "truth.mixture.0.mean": [1e6, -1e6],
            "truth.mixture.0.std": 100.0,
            "truth.mixture.1.mean": [1e-2, 0.0],
            "truth.mixture.1.std": 1e-6,
            "truth.mixture.1.weight": 1e6,
            "learner.tol": 1.0,
        },
    ),
    ("loop_tokens.yaml", {"learner.add_k": 1e6, "decoding.temperature": 0.5}),
    ("loop_tokens.yaml", {"learner.add_k": 1e-6, "decoding.temperature": 100.0}),
    ("papers/shumailov_ngram.yaml", {"learner.add_k": 0.0, "decoding.top_p": 1e-6}),
]


@pytest.mark.parametrize(("name", "values"), AT_BOUNDS)
def test_values_at_the_bounds_run_without_numerical_failure(name, values):
    data = yaml.safe_load(reduced_text(name))
    for path, value in {"loop.replicas": 2, "loop.generations": 2, **values}.items():
        _set(data, path.split("."), value)
    tables = simulate(validate_text(yaml.safe_dump(data), name))
    for frame in tables.values():
        for column, dtype in frame.schema.items():
            if dtype.is_float() and column != "distinct_2":
                assert not np.isnan(frame[column].to_numpy()).any(), (name, column)


def poison_ngram_metrics(monkeypatch, from_call: int = 3) -> None:
    """Make the n-gram model's cross-entropy NaN from its ``from_call``-th evaluation on."""
    from ecosystem.learners.ngram import NgramFitted

    original, calls = NgramFitted.evaluate, {"n": 0}

    def evaluate(self, test, truth):
        calls["n"] += 1
        metrics = dict(original(self, test, truth))
        if calls["n"] >= from_call:
            metrics["cross_entropy"] = np.full_like(metrics["cross_entropy"], np.nan)
        return metrics

    monkeypatch.setattr(NgramFitted, "evaluate", evaluate)


def test_a_nan_in_the_lab_loop_stops_the_run_and_writes_nothing(
    small_tokens_yaml, tmp_path, monkeypatch
):
    poison_ngram_metrics(monkeypatch)
    out = tmp_path / "run"
    res = runner.invoke(app, ["run", str(small_tokens_yaml), "--out", str(out), "-q"])
    assert res.exit_code == 1, res.output
    (line,) = res.output.strip().splitlines()
    assert line.startswith(f"{small_tokens_yaml}: numerical failure at strategy replace, ")
    assert "generation 2: cross_entropy is NaN" in line and "learner.add_k" in line
    assert "Traceback" not in res.output
    # nothing written as complete: the folder records the failure, and holds no table
    meta = json.loads((out / "run.json").read_text())
    assert meta["status"] == "failed" and "NumericalError" in meta["error"]
    assert not list(out.glob("*.parquet")) and not list(tmp_path.glob(".run*"))


def test_a_nan_in_a_trainer_evaluation_names_the_step(monkeypatch):
    poison_ngram_metrics(monkeypatch, from_call=1)
    scenario = validate_text(reduced_text("baseline.yaml"), "baseline.yaml")
    with pytest.raises(NumericalError) as info:
        simulate(scenario)
    message = str(info.value)
    assert message.startswith("numerical failure at step 0, trainer 'alpha', generation 0")
    assert "learner.add_k" in message
