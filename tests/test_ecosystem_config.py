"""The ecosystem scenario format: validation messages with file:line: field.path, the CLI run."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ecosystem.cli import app
from ecosystem.config import load_scenario, scenario_json_schema
from ecosystem.config.ecosystem import EcosystemScenario
from ecosystem.core.errors import ScenarioError
from tests.ecosystem_scenarios import TINY

GOOD = """\
kind: ecosystem
steps: 12
companies:
  - name: Acme
trainers:
  - name: acme
    company: Acme
  - name: open
    open_weights: true
"""


def messages(tmp_path: Path, text: str, overrides: list[str] | None = None) -> list[str]:
    path = tmp_path / "eco.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return [str(p) for p in info.value.problems]


def test_minimal_scenario_fills_in_defaults(tmp_path):
    path = tmp_path / "eco.yaml"
    path.write_text(GOOD)
    scenario = load_scenario(path)
    assert isinstance(scenario, EcosystemScenario)
    assert scenario.authors.count == 10_000 and scenario.trainers[1].strategy == "replace"


def test_unknown_company_points_at_the_trainer_line(tmp_path):
    (msg,) = messages(tmp_path, GOOD.replace("    company: Acme", "    company: Acne"))
    assert msg.startswith(f"{tmp_path / 'eco.yaml'}:7: trainers.0.company: unknown company 'Acne'")
    assert "'Acme'" in msg


def test_every_broken_rule_is_reported_at_its_field(tmp_path):
    text = GOOD + "  - name: open\n    human_only: true\n    company: Acme\nlaunch_step: 20\n"
    msgs = messages(tmp_path, text)
    path = tmp_path / "eco.yaml"
    assert f"{path}:10: trainers.2.name: duplicate name 'open' (names are unique)" in msgs
    assert any(m.startswith(f"{path}:12: trainers.2.company: a human_only control") for m in msgs)
    assert f"{path}:13: launch_step: must be <= steps (12)" in msgs
    assert len(msgs) == 3


def test_company_without_trainer(tmp_path):
    text = GOOD.replace("  - name: Acme\n", "  - name: Acme\n  - name: Idle\n")
    (msg,) = messages(tmp_path, text)
    assert msg == (
        f"{tmp_path / 'eco.yaml'}:5: companies.1.name: company 'Idle' owns no trainer "
        "(set company: Idle on a trainer)"
    )


def test_field_ranges_are_reported_with_their_lines(tmp_path):
    msgs = messages(tmp_path, GOOD + "authors:\n  ai_share: 1.5\n  count: 0\n")
    path = tmp_path / "eco.yaml"
    assert any(m.startswith(f"{path}:11: authors.ai_share: got 1.5") for m in msgs)
    assert any(m.startswith(f"{path}:12: authors.count: got 0") for m in msgs)


def test_bad_choice_and_unknown_field(tmp_path):
    text = GOOD.replace("    open_weights: true", "    open_weights: true\n    crawl_mode: bfs")
    (msg,) = messages(tmp_path, text)
    assert msg.startswith(f"{tmp_path / 'eco.yaml'}:10: trainers.1.crawl_mode: got 'bfs'")
    assert "'pagerank'" in msg and "'random_surfer'" in msg
    (msg,) = messages(tmp_path, GOOD, ["farms.sites=3"])
    assert msg.startswith("--set farms.sites=3: farms.sites: unknown field 'sites'")
    assert "sites_each" in msg


def test_schema_lists_the_ecosystem_kind():
    kinds = [
        s["properties"]["kind"].get("const") or s["properties"]["kind"].get("default")
        for s in scenario_json_schema()["oneOf"]
    ]
    assert "ecosystem" in kinds


def test_cli_run_writes_four_tables_and_a_summary(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--set", "steps=7"])
    assert result.exit_code == 0, result.output
    assert "excess cross-entropy" in result.output and "Excess cross-entropy" in result.output
    for name in ("steps", "generations", "firms", "samples"):
        assert pl.read_parquet(out / f"{name}.parquet").height > 0
    run = json.loads((out / "run.json").read_text())
    assert run["kind"] == "ecosystem" and run["tables"]["steps"] == 7
