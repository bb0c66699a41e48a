"""The summary ``ecosim run`` prints: labels and units, named points, takeaways, and no value
blown up by a collapsed replica."""

from __future__ import annotations

import numpy as np
import polars as pl
from typer.testing import CliRunner

from ecosystem.cli import app
from ecosystem.runner import RunSpec, execute, summarize
from ecosystem.summary import Row, _statistic, _stats
from tests.conftest import ROOT
from tests.dashboard_runs import TINY_SCALING

SCENARIOS = ROOT / "scenarios"


def test_a_collapsed_gaussian_run_shows_no_blown_up_mean(tmp_path):
    spec = RunSpec(
        SCENARIOS / "loop_gaussian.yaml",
        tmp_path / "gauss",
        ["loop.replicas=200", "loop.generations=1000", "metrics.replica_rows=true"],
    )
    folder = execute(spec)
    raw = pl.read_parquet(folder / "generations.parquet").filter(pl.col("generation") == 1000)
    assert raw["cross_entropy"].mean() > 1e6  # a mean over replicas would blow up
    summary = summarize(folder, "loop")
    values = summary.values()
    assert np.isfinite(values).all() and np.abs(values).max() < 1e6
    assert summary.tables[0].points == ["generation 0", "generation 500", "generation 1,000"]
    assert {r.quantity for r in summary.tables[0].rows} == {"sigma_ratio", "w2"}
    assert all(r.statistic in ("mean", "median") for r in summary.tables[0].rows)
    assert "over 200 replicas" in " ".join(summary.notes)
    assert summary.takeaways[0].startswith("accumulate: σ ratio within ±2% over 1,000 generations")
    assert summary.takeaways[1].startswith("replace: σ ratio ")


def test_heavy_tails_are_summarised_by_the_median_and_tame_ones_by_the_mean():
    rng = np.random.default_rng(0)
    tame = pl.DataFrame({"g": [0] * 500, "m": rng.normal(size=500)})
    heavy = tame.with_columns(pl.Series("m", np.r_[rng.normal(size=499), 1e16]))
    assert _statistic(_stats(tame, ["g"], ["m"]), "m") == "mean"
    assert _statistic(_stats(heavy, ["g"], ["m"]), "m") == "median"
    with_inf = tame.with_columns(pl.Series("m", np.r_[rng.normal(size=499), np.inf]))
    assert _statistic(_stats(with_inf, ["g"], ["m"]), "m") == "median"
    single = pl.DataFrame({"g": [0], "m": [3.0]})
    assert _statistic(_stats(single, ["g"], ["m"]), "m") == ""


def test_a_memoriser_scaling_summary_leaves_out_infinite_metrics_and_shows_the_closed_form(
    tmp_path,
):
    folder = execute(
        RunSpec(SCENARIOS / "papers" / "dohmatob_tail.yaml", tmp_path / "tail", TINY_SCALING)
    )
    summary = summarize(folder, "scaling")
    assert np.isfinite(summary.values()).all()
    assert {r.quantity for r in summary.tables[0].rows} == {"unseen_mass"}
    assert "Cross-entropy is infinite for every replica" in " ".join(summary.notes)
    assert summary.tables[0].points == ["T = 100", "T = 1,000"]
    lines = [r.line for r in summary.tables[0].rows]
    assert "0% human" in lines and "0% human, closed form" in lines
    assert summary.takeaways[0].startswith("0% human: unseen truth mass ")


def test_the_printed_summary_names_months_generations_units_and_takeaways(tmp_path):
    out = tmp_path / "eco"
    result = CliRunner().invoke(
        app,
        [
            "run", str(SCENARIOS / "baseline.yaml"), "--out", str(out), "--set", "steps=13",
            "--set", "authors.count=400", "--set", "metrics.test_docs=100",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.output
    for expected in (
        "month 0",
        "month 6",
        "month 12",
        "generation 0 (month 0)",
        "AI share of new documents",
        "Excess cross-entropy (nats/token)",
        "- the web: AI share of new documents 0.0% → ",
        "- open_web: excess cross-entropy ",
        "against control's latest",
        f"run folder: {out}",
    ):
        assert expected in text, expected


def test_a_row_shows_shares_as_percentages_and_infinity_as_a_symbol():
    share = Row("ai_share_web", "", "", [0.25], "share")
    assert share.label == "AI share of the web" and share.show(0.25) == "25.0%"
    assert Row("cross_entropy", "x", "", [np.inf], "nats/token").show(np.inf) == "∞"
