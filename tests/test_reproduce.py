"""The reproduction framework: tolerances, the run cache, the report and ``ecosim reproduce``."""

from __future__ import annotations

import math

import pytest
from typer.testing import CliRunner

from ecosystem.cli import app
from ecosystem.papers import GAUSS_MLE, REPRODUCTIONS, reproduce
from ecosystem.papers.reproduce import (
    Experiment,
    Reproduction,
    RunCache,
    Tolerance,
    collect,
    format_value,
)

ROOT_SCENARIOS = reproduce.ROOT / "scenarios" / "papers"


@pytest.mark.parametrize(
    ("tolerance", "value", "target", "expected"),
    [
        (Tolerance("rel", 0.05), 1.04, 1.0, True),
        (Tolerance("rel", 0.05), 0.94, 1.0, False),
        (Tolerance("abs", 0.02), 0.31, 0.3, True),
        (Tolerance("abs", 0.02), 0.33, 0.3, False),
        (Tolerance("log", 0.1), 1.1, 1.0, True),
        (Tolerance("log", 0.1), 0.8, 1.0, False),
        (Tolerance("log", 0.1), -1.0, 1.0, False),
        (Tolerance("at_least"), 2.0, 2.0, True),
        (Tolerance("at_least"), 1.9, 2.0, False),
        (Tolerance("at_most"), 0.5, 1.0, True),
        (Tolerance("at_most"), 1.5, 1.0, False),
        (Tolerance("within"), 0.5, (0.1, 1.0), True),
        (Tolerance("within"), 1.5, (0.1, 1.0), False),
        (Tolerance("rel", 0.05), math.nan, 1.0, False),
    ],
)
def test_tolerances(tolerance, value, target, expected):
    assert tolerance.passes(value, target) is expected
    assert tolerance.describe()


def test_every_experiment_validates_at_both_sizes_and_prints_its_command():
    experiments = {e.name: e for row in REPRODUCTIONS for e in row.experiments}
    for experiment in experiments.values():
        assert experiment.resolve(quick=False).name
        assert experiment.resolve(quick=True).name
        command = experiment.command()
        assert command.startswith(f"ecosim run {experiment.scenario} --out runs/")
        assert all(f"--set {item}" in command for item in experiment.overrides)
    papers_on_disk = {p.name for p in ROOT_SCENARIOS.glob("*.yaml")}
    assert {e.scenario.split("/")[-1] for e in experiments.values()} <= papers_on_disk


def _row(key: str, experiment: Experiment, value: float) -> Reproduction:
    return Reproduction(
        key=key,
        paper="Test et al.",
        claim="a claim",
        detail="what is compared",
        experiments=(experiment,),
        paper_value=lambda runs: 1.0,
        paper_text="one",
        ecosim_value=lambda runs: value,
        tolerance=Tolerance("rel", 0.1),
    )


def test_cache_runs_each_experiment_once_and_forgets_it_after_its_last_row(monkeypatch):
    calls = []

    def fake_run(experiment, quick=False):
        calls.append(experiment.name)
        return reproduce.Run(scenario=None, tables={}, seconds=0.5)

    monkeypatch.setattr(reproduce, "run_experiment", fake_run)
    a, b = Experiment("a", "x.yaml"), Experiment("b", "y.yaml")
    rows = [_row("r1", a, 1.0), _row("r2", b, 2.0), _row("r3", a, 1.05)]
    cache = RunCache(rows)
    outcomes = list(cache.outcomes())
    assert calls == ["a", "b"]
    assert [o.passed for o in outcomes] == [True, False, True]
    assert cache.runs == {} and cache.seconds == {"a": 0.5, "b": 0.5}


def test_report_renders_every_row_with_its_run_and_details():
    rows = [r for r in REPRODUCTIONS if GAUSS_MLE in r.experiments]
    report = collect(quick=True, rows=rows)
    text = report.markdown()
    assert not report.failures
    assert "| # | paper | claim | paper value | ecosim value | tolerance | pass |" in text
    assert text.count("| yes |") == len(rows)
    assert GAUSS_MLE.command() in text and "## Details" in text
    assert f"{len(rows)} of {len(rows)} rows pass" in text


def test_format_value_keeps_four_significant_digits():
    assert format_value(0.123456) == "0.1235"
    assert format_value((1.0, 2.5)) == "[1, 2.5]"


def test_cli_writes_the_report_and_fails_on_a_failing_row(tmp_path, monkeypatch):
    good = [r for r in REPRODUCTIONS if GAUSS_MLE in r.experiments]
    monkeypatch.setattr(reproduce, "registry", lambda: good)
    out = tmp_path / "docs" / "REPRODUCTIONS.md"
    result = CliRunner().invoke(app, ["reproduce", "--quick", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("# Paper reproductions")
    bad = _row("always-off", GAUSS_MLE, 5.0)
    monkeypatch.setattr(reproduce, "registry", lambda: [bad])
    result = CliRunner().invoke(app, ["reproduce", "--quick", "--out", str(out)])
    assert result.exit_code == 1
    assert "**no**" in out.read_text()


def test_quick_results_go_to_stdout_and_leave_docs_untouched(tmp_path, monkeypatch):
    good = [r for r in REPRODUCTIONS if GAUSS_MLE in r.experiments]
    monkeypatch.setattr(reproduce, "registry", lambda: good)
    monkeypatch.chdir(tmp_path)
    committed = tmp_path / "docs" / "REPRODUCTIONS.md"
    committed.parent.mkdir()
    committed.write_text("the full-size table\n")
    result = CliRunner().invoke(app, ["reproduce", "--quick"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Paper reproductions")
    assert "test-size" in result.stdout
    assert committed.read_text() == "the full-size table\n"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["REPRODUCTIONS.md"]
