"""Lab runs keep statistics over replicas (generations_summary) and every replica's rows only on
request (metrics.replica_rows): the statistics are numpy's, both kinds of run folder read the
same everywhere (CLI summary, sweeps, dashboard, report)."""

from __future__ import annotations

import importlib
import json

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import loaders
from dashboard.report import run_figures
from dashboard.views.loop import summary_only_note
from ecosystem import outcomes
from ecosystem.config import load_scenario
from ecosystem.config.schema import REPLICA_ROWS_AUTO_LIMIT
from ecosystem.core.errors import ScenarioError
from ecosystem.lab.loop import run_loop
from ecosystem.lab.quantiles import replica_statistics
from ecosystem.runner import RunSpec, execute, simulate, summarize
from ecosystem.sweeps.outcomes import member_outcomes
from ecosystem.sweeps.spec import OutcomeSpec
from tests.conftest import ROOT
from tests.dashboard_app import assert_clean, charts, open_app, texts
from tests.dashboard_runs import write_loop_run
from tests.golden import REDUCTIONS, reduced_text

GAUSSIAN = ROOT / "scenarios" / "loop_gaussian.yaml"
SMALL = ["loop.replicas=30", "loop.generations=25"]


def gaussian(*overrides: str):
    return load_scenario(GAUSSIAN, [*SMALL, *overrides])


def test_statistics_are_numpys_with_nan_left_out_and_infinities_at_their_limit():
    rng = np.random.default_rng(7)
    values = rng.lognormal(size=(40, 13))
    stats = replica_statistics(values)
    np.testing.assert_array_equal(stats["mean"], values.mean(axis=1))
    for name, q in (("q10", 0.1), ("median", 0.5), ("q90", 0.9)):
        np.testing.assert_array_equal(stats[name], np.quantile(values, q, axis=1))
    assert (stats["replicas"] == 13).all() and (stats["finite"] == 13).all()

    odd = np.array(
        [
            [1.0, np.nan, 2.0, 3.0],  # NaN left out: the statistics of (1, 2, 3)
            [1.0, 2.0, np.inf, 3.0],  # an infinite replica: mean ∞, quantiles their limits
            [np.nan] * 4,  # no value: NaN statistics over 0 replicas
        ]
    )
    got = replica_statistics(odd)
    assert got["replicas"].tolist() == [3, 4, 0] and got["finite"].tolist() == [3, 3, 0]
    assert got["mean"][0] == 2.0 and got["median"][0] == np.quantile([1, 2, 3], 0.5)
    assert got["mean"][1] == np.inf and got["median"][1] == 2.5 and got["q90"][1] == np.inf
    assert got["q10"][1] == np.quantile([1.0, 2.0, 3.0, 1e300], 0.1)
    assert all(np.isnan(got[s][2]) for s in ("mean", "q10", "median", "q90"))


def test_the_summary_of_a_run_is_numpys_over_its_replica_rows():
    tables = run_loop(gaussian("metrics.replica_rows=true"))
    rows, summary = tables["generations"], tables["generations_summary"]
    metrics = [c for c in rows.columns if c not in ("strategy", "replica", "generation")]
    assert summary.height == rows.height // 30 * len(metrics)
    wide = rows.sort("strategy", "generation", "replica")
    for metric in metrics:
        values = wide[metric].cast(pl.Float64).to_numpy().reshape(-1, 30)
        part = summary.filter(metric=metric).sort("strategy", "generation")
        np.testing.assert_array_equal(part["mean"].to_numpy(), values.mean(axis=1))
        np.testing.assert_array_equal(part["q10"].to_numpy(), np.quantile(values, 0.1, axis=1))
        np.testing.assert_array_equal(part["median"].to_numpy(), np.median(values, axis=1))
        np.testing.assert_array_equal(part["q90"].to_numpy(), np.quantile(values, 0.9, axis=1))
        assert (part["replicas"] == 30).all()


def test_replica_rows_true_false_and_auto():
    assert set(simulate(gaussian("metrics.replica_rows=true"))) == {
        "generations",
        "generations_summary",
    }
    assert set(simulate(gaussian("metrics.replica_rows=false"))) == {"generations_summary"}
    assert "generations" in simulate(gaussian())  # auto: 30 x 26 x 2 rows, under the limit
    # auto: replicas x (generations + 1) x strategies against the limit (2 strategies)
    under = gaussian("loop.replicas=100", "loop.generations=998")
    at = gaussian("loop.replicas=100", "loop.generations=999")
    assert under.replica_row_count() == REPLICA_ROWS_AUTO_LIMIT - 200
    assert under.writes_replica_rows() and not at.writes_replica_rows()
    assert set(simulate(at)) == {"generations_summary"}
    assert at.model_copy(
        update={"metrics": at.metrics.model_copy(update={"replica_rows": True})}
    ).writes_replica_rows()


@pytest.mark.parametrize("value", ["1", "always", "[true]"])
def test_replica_rows_takes_true_false_or_auto_only(value):
    with pytest.raises(ScenarioError, match=r"metrics\.replica_rows: allowed: true, false or auto"):
        gaussian(f"metrics.replica_rows={value}")


def test_summary_matches_the_catalog_and_does_not_depend_on_the_replica_rows():
    kept = simulate(gaussian("metrics.replica_rows=true"))["generations_summary"]
    dropped = simulate(gaussian("metrics.replica_rows=false"))["generations_summary"]
    again = simulate(gaussian("metrics.replica_rows=false"))["generations_summary"]
    assert dict(kept.schema) == outcomes.schema("generations_summary", "loop")
    assert_frame_equal(kept, dropped)
    assert_frame_equal(dropped, again)
    other_seed = simulate(gaussian("metrics.replica_rows=false", "seed=2"))["generations_summary"]
    assert not other_seed["mean"].equals(dropped["mean"])


def test_the_catalog_states_the_config_limit():
    catalog = importlib.import_module("ecosystem.outcomes.tables")  # the package's `tables` is
    assert catalog.REPLICA_ROWS_AUTO_LIMIT == REPLICA_ROWS_AUTO_LIMIT  # a function
    when = outcomes.table("generations", "loop").when
    assert f"{REPLICA_ROWS_AUTO_LIMIT:,}" in when


def test_golden_lab_runs_still_hash_their_replica_rows():
    """Every shipped loop scenario keeps its per-replica table at golden size (auto), so the
    golden hashes of those tables still guard it."""
    from ecosystem.config import validate_text

    for name in REDUCTIONS:
        text = reduced_text(name, ROOT)  # a placeholder model path: only validated here
        if "kind: loop" in text:
            assert validate_text(text, name).writes_replica_rows(), name


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """The same small Gaussian loop written with and without replica rows."""
    root = tmp_path_factory.mktemp("quantile_runs")
    return {
        kept: execute(RunSpec(GAUSSIAN, root / kept, [*SMALL, f"metrics.replica_rows={flag}"]))
        for kept, flag in (("rows", "true"), ("summary", "false"))
    }


def test_cli_summary_reads_both_kinds_of_folder(folders):
    rows, summary = (summarize(folders[k], "loop") for k in ("rows", "summary"))
    assert not (folders["summary"] / "generations.parquet").exists()
    assert json.loads((folders["summary"] / "run.json").read_text())["tables"] == {
        "generations_summary": 2 * 26 * 8  # strategies x generations x columns
    }
    np.testing.assert_allclose(summary.values(), rows.values(), rtol=1e-12)
    assert [r.statistic for r in summary.tables[0].rows] == [
        r.statistic for r in rows.tables[0].rows
    ]
    assert summary.takeaways == rows.takeaways
    assert "metrics.replica_rows=true" in summary.notes[-1]


def test_sweep_outcomes_read_both_kinds_of_folder(folders):
    specs = {
        "w2": OutcomeSpec(table="generations", column="w2"),
        "sigma": OutcomeSpec(
            table="generations", column="sigma_ratio", at="mean", filter={"strategy": "replace"}
        ),
    }
    rows = member_outcomes(folders["rows"], specs)
    summary = member_outcomes(folders["summary"], specs)
    assert summary == pytest.approx(rows, rel=1e-12)
    by_replica = {"one": OutcomeSpec(table="generations", column="w2", filter={"replica": 0})}
    with pytest.raises(ValueError, match="metrics.replica_rows: true"):
        member_outcomes(folders["summary"], by_replica)


def test_dashboard_loaders_and_report_read_a_summary_only_run(folders):
    rows, summary = (loaders.open_run(folders[k]) for k in ("rows", "summary"))
    assert loaders.summary_only(summary) and not loaders.summary_only(rows)
    assert loaders.main_table(summary) == "generations_summary"
    assert set(loaders.columns(summary, "generations")) == set(
        loaders.columns(rows, "generations")
    ) - {"replica"}
    for metric in ("w2", "sigma_ratio", "train_ai_share"):
        assert_frame_equal(loaders.bands(summary, metric), loaders.bands(rows, metric))
    assert "metrics.replica_rows: true" in summary_only_note(summary)
    assert len(run_figures(folders["summary"])) == len(run_figures(folders["rows"])) == 2


def test_runs_page_draws_a_summary_only_loop_run(tmp_path):
    write_loop_run(tmp_path / "loop_summary", overrides=["metrics.replica_rows=false"])
    at = open_app(tmp_path, run=str(tmp_path / "loop_summary"))
    assert_clean(at)
    assert len(at.metric) == 2  # one headline per strategy
    assert len(charts(at)) == 3  # metric, AI share of training data, perplexity densities
    assert "metrics.replica_rows: true" in texts(at.info)
