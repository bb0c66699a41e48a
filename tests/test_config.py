"""Scenario validation: messages carry file, line and field path; --set validates the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecosystem.config import load_scenario
from ecosystem.config.schema import LoopScenario
from ecosystem.core.errors import ScenarioError
from tests.conftest import SCENARIOS


def messages(path: Path, overrides: list[str] | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return [str(p) for p in info.value.problems]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


BASE = """\
kind: loop
truth:
  modality: tokens
  vocab_size: 50
learner:
  kind: ngram
"""


def test_shipped_scenarios_are_valid():
    for path in SCENARIOS.rglob("*.yaml"):
        if (
            "sweeps" not in path.relative_to(SCENARIOS).parts
        ):  # sweep specs: tests/test_sweeps_spec.py
            assert load_scenario(path).name


def test_unknown_key_names_line_path_and_allowed(tmp_path):
    path = write(tmp_path, BASE + "loop:\n  generatons: 3\n")
    (msg,) = messages(path)
    assert msg.startswith(f"{path}:8: loop.generatons: unknown field 'generatons'")
    assert "generations" in msg  # the allowed names are listed


def test_wrong_type_and_range_each_reported(tmp_path):
    text = BASE.replace("vocab_size: 50", "vocab_size: -1") + "loop:\n  replicas: many\n"
    msgs = messages(write(tmp_path, text))
    assert any(
        ":4: truth.vocab_size: got -1" in m and "greater than or equal to 2" in m for m in msgs
    )
    assert any(":8: loop.replicas: got 'many'" in m and "integer" in m for m in msgs)
    assert len(msgs) == 2


def test_bad_choice_lists_allowed_values(tmp_path):
    msgs = messages(write(tmp_path, BASE + "loop:\n  strategies: [replace, keep_all]\n"))
    assert any(":8: loop.strategies.1: got 'keep_all'" in m and "'accumulate'" in m for m in msgs)


def test_unknown_learner_kind_points_at_kind(tmp_path):
    msgs = messages(write(tmp_path, BASE.replace("kind: ngram", "kind: lstm")))
    assert len(msgs) == 1
    assert msgs[0].startswith(f"{tmp_path / 'bad.yaml'}:6: learner.kind: unknown value 'lstm'")
    assert "'ngram'" in msgs[0]


def test_missing_required_section(tmp_path):
    msgs = messages(write(tmp_path, "kind: loop\nlearner:\n  kind: ngram\n"))
    assert any("truth: required field is missing" in m for m in msgs)


def test_incompatible_learner_and_truth(tmp_path):
    msgs = messages(write(tmp_path, BASE.replace("kind: ngram", "kind: gaussian")))
    assert any("needs truth.modality 'vectors'" in m for m in msgs)


def test_malformed_yaml_has_line(tmp_path):
    (msg,) = messages(write(tmp_path, "kind: loop\ntruth: [unclosed\nlearner: {}\n"))
    assert msg.startswith(f"{tmp_path / 'bad.yaml'}:")
    assert "malformed YAML" in msg


def test_missing_file_and_non_mapping(tmp_path):
    (msg,) = messages(tmp_path / "nope.yaml")
    assert msg == f"{tmp_path / 'nope.yaml'}: file not found"
    (msg,) = messages(write(tmp_path, "- just\n- a list\n"))
    assert "must be a YAML mapping" in msg


def test_set_overrides_apply_and_validate(tmp_path):
    path = write(tmp_path, BASE)
    scenario = load_scenario(path, ["loop.generations=7", "loop.strategies=[accumulate]"])
    assert isinstance(scenario, LoopScenario)
    assert scenario.loop.generations == 7
    assert scenario.loop.strategies == ["accumulate"]
    msgs = messages(path, ["loop.generations=-2"])
    assert msgs == [
        "--set loop.generations=-2: loop.generations: got -2: "
        "input should be greater than or equal to 0"
    ]
    msgs = messages(path, ["loop.gens=2"])
    assert msgs[0].startswith("--set loop.gens=2: loop.gens: unknown field 'gens'")
    (msg,) = messages(path, ["generations"])
    assert "expected key.path=value" in msg


def test_scenario_is_frozen(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE))
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError
        scenario.loop.generations = 3  # type: ignore[misc]


def test_samples_schedule_grows():
    scenario = LoopScenario.model_validate(
        {
            "truth": {"modality": "vectors"},
            "learner": {"kind": "gaussian"},
            "loop": {"samples_per_generation": 100, "samples_growth_exponent": 1.5},
        }
    )
    assert [scenario.loop.samples_at(i) for i in (0, 1, 4)] == [100, 100, 800]


def test_cross_field_rules_point_at_the_field(tmp_path):
    text = BASE + "  order: 2\nloop:\n  sampling: statistics\n"
    (msg,) = messages(write(tmp_path, text))
    assert msg.startswith(f"{tmp_path / 'bad.yaml'}:9: loop.sampling: 'statistics' needs")
    text = BASE.replace(
        "vocab_size: 50", "vocab_size: 50\n  doc_length_min: 9\n  doc_length_max: 3"
    )
    (msg,) = messages(write(tmp_path, text))
    assert msg == f"{tmp_path / 'bad.yaml'}:6: truth.doc_length_max: must be >= doc_length_min"
