"""Sweep specs: clear errors, nothing written; list items by name or index in field paths."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ecosystem.cli import app
from ecosystem.config import load_scenario
from ecosystem.core.errors import ScenarioError
from ecosystem.sweeps import cli as sweep_cli
from ecosystem.sweeps.spec import load_sweep
from tests.conftest import SCENARIOS
from tests.test_sweeps import BASE

GOOD = """\
base: base.yaml
levers:
  loop.samples_per_generation: {values: [10, 100]}
replications: 2
outcomes:
  sigma: {table: generations, column: sigma_ratio}
"""

BAD = {
    "unknown field path": (
        GOOD.replace("loop.samples_per_generation", "loop.samples_per_gen"),
        "sweep.yaml:3: levers.loop.samples_per_gen: unknown field 'samples_per_gen'",
    ),
    "value out of range": (
        GOOD.replace("[10, 100]", "[10, 1]"),
        "sweep.yaml:3: levers.loop.samples_per_generation: got 1: input should be greater",
    ),
    "empty grid": (
        GOOD.replace("[10, 100]", "[]"),
        "sweep.yaml:3: levers.loop.samples_per_generation.values: List should have at least 1",
    ),
    "range low above high": (
        GOOD.replace("{values: [10, 100]}", "{range: {low: 100, high: 10}}").replace(
            "replications: 2", "replications: 2\ndesign: lhs\nsamples: 4"
        ),
        "sweep.yaml:3: levers.loop.samples_per_generation.range: low (100) must be below high",
    ),
    "more members than the cap": (
        GOOD.replace("[10, 100]", "[10, 100]").replace("replications: 2", "replications: 251"),
        "sweep.yaml:4: 502 members is more than the cap of 500 (pass --yes",
    ),
    "grid with a range": (
        GOOD.replace("{values: [10, 100]}", "{range: {low: 10, high: 100}}"),
        "sweep.yaml:3: levers.loop.samples_per_generation: design grid needs values",
    ),
    "sobol without samples": (
        GOOD.replace("{values: [10, 100]}", "{range: {low: 10, high: 100}}").replace(
            "replications: 2", "replications: 2\ndesign: sobol"
        ),
        "sweep.yaml:5: samples: design sobol needs samples",
    ),
    "unknown outcome column": (
        GOOD.replace("sigma_ratio", "sigma_ration"),
        "sweep.yaml:6: outcomes.sigma.column: unknown column 'sigma_ration'",
    ),
    "missing base": (
        GOOD.replace("base.yaml", "nowhere.yaml"),
        "sweep.yaml:1: base: scenario file not found",
    ),
    "the seed as a parameter": (
        GOOD.replace("loop.samples_per_generation", "seed"),
        "sweep.yaml:3: levers.seed: 'seed' cannot be swept (seeds come from replications",
    ),
    "unknown key": (
        GOOD + "replicatons: 3\n",
        "sweep.yaml:7: replicatons: unknown field 'replicatons'",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=str)
def test_bad_specs_exit_2_and_write_nothing(case, tmp_path, monkeypatch):
    text, expected = BAD[case]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(text)
    result = CliRunner().invoke(app, ["sweep", "sweep.yaml", "--out", "out"])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_the_cap_is_lifted_by_yes(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(GOOD.replace("replications: 2", "replications: 251"))
    with pytest.raises(ScenarioError):
        load_sweep(tmp_path / "sweep.yaml")
    assert load_sweep(tmp_path / "sweep.yaml", cap=None).spec.replications == 251


def test_a_folder_with_another_sweep_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(GOOD.replace("replications: 2", "replications: 1"))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sweep.json").write_text('{"identity": {}}')
    result = CliRunner().invoke(app, ["sweep", "sweep.yaml", "--out", "out"])
    assert result.exit_code == 2
    assert "holds a different sweep" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["sweep.json"]


def test_missing_ray_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(GOOD)
    monkeypatch.setattr(sweep_cli.importlib.util, "find_spec", lambda name: None)
    result = CliRunner().invoke(app, ["sweep", "sweep.yaml", "--out", "out", "--executor", "ray"])
    assert result.exit_code == 2
    assert result.output.strip() == 'the ray executor needs Ray: pip install "ecosim[ray]"'
    assert not (tmp_path / "out").exists()


def test_list_items_by_name_or_index_in_field_paths():
    baseline = SCENARIOS / "baseline.yaml"
    scenario = load_scenario(
        baseline, ["trainers.open_web.crawl_budget=123", "trainers.0.crawl_budget=7"]
    )
    budgets = {t.name: t.crawl_budget for t in scenario.trainers}
    assert budgets["open_web"] == 123 and budgets["alpha"] == 7


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("trainers.nope.crawl_budget=1", "trainers.nope: no item named 'nope' (names: 'alpha'"),
        ("trainers.9.crawl_budget=1", "trainers.9: no item 9 (5 items)"),
        ("trainers.open_web.crawl_budget=0", "trainers.3.crawl_budget: got 0: input should be"),
    ],
)
def test_list_item_overrides_report_clear_errors(override, message):
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / "baseline.yaml", [override])
    assert str(info.value) == f"--set {override}: " + str(info.value).split(": ", 1)[1]
    assert message in str(info.value)


@pytest.mark.parametrize("path", sorted((SCENARIOS / "sweeps").glob("*.yaml")), ids=str)
def test_shipped_sweeps_validate(path):
    loaded = load_sweep(path)
    assert loaded.spec.outcomes
