"""Dashboard data layer: finding and reading run folders, caching, queries, charts, launch."""

from __future__ import annotations

import os
import time

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from dashboard import catalog, charts, launch, loaders, summaries
from ecosystem.cli import app
from ecosystem.core.errors import RunDirError
from tests.dashboard_runs import write_broken_runs, write_ecosystem_run


def test_find_runs_nests_skips_hidden_and_lists_newest_first(tmp_path):
    old = write_ecosystem_run(tmp_path / "old")
    new = write_ecosystem_run(tmp_path / "sweep" / "member_0")
    write_ecosystem_run(tmp_path / ".new.partial-123")  # a run being written
    (tmp_path / "notes").mkdir()
    os.utime(old / "run.json", ns=(1, 1))
    assert loaders.find_runs(tmp_path) == [new, old]
    assert loaders.find_runs(tmp_path / "absent") == []


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("corrupt_json", "corrupt"),
        ("unknown_kind", "unknown run kind"),
    ],
)
def test_a_broken_run_json_is_a_readable_error(tmp_path, what, message):
    folder = write_broken_runs(tmp_path)[what]
    with pytest.raises(RunDirError, match=message) as err:
        loaders.open_run(folder)
    assert str(folder) in str(err.value)


def test_missing_folders_and_tables_are_readable_errors(tmp_path):
    broken = write_broken_runs(tmp_path)
    with pytest.raises(RunDirError, match="no such folder"):
        loaders.open_run(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunDirError, match="not a run folder .*ecosim run"):
        loaders.open_run(tmp_path / "empty")
    with pytest.raises(RunDirError, match="not readable Parquet"):
        loaders.load_table(loaders.open_run(broken["bad_parquet"]), "steps")
    with pytest.raises(RunDirError, match="generations.parquet is missing from .*ecosim run"):
        loaders.open_run(broken["missing_table"])
    with pytest.raises(RunDirError, match="says kind 'loop', but .* an ecosystem run"):
        loaders.open_run(broken["kind_mismatch"])
    run = loaders.open_run(write_ecosystem_run(tmp_path / "ok"))
    with pytest.raises(RunDirError, match="has no column 'w2'"):
        loaders.bands(run, "w2")


def test_reads_are_cached_until_the_file_changes(tmp_path, monkeypatch):
    run = loaders.open_run(write_ecosystem_run(tmp_path / "run"))
    scans = []
    real_scan = pl.scan_parquet
    monkeypatch.setattr(pl, "scan_parquet", lambda path: scans.append(path) or real_scan(path))
    first = loaders.load_table(run, "steps", ["step", "ai_share_new"])
    read_once = len(scans)
    assert read_once > 0
    assert loaders.load_table(run, "steps", ["step", "ai_share_new"]).equals(first)
    assert len(scans) == read_once  # served from the cache: no file opened
    path = run.table_path("steps")
    pl.DataFrame({"step": [0], "ai_share_new": [0.5]}).write_parquet(path)
    later = time.time_ns() + 10**9
    os.utime(path, ns=(later, later))
    again = loaders.load_table(run, "steps", ["step", "ai_share_new"])
    assert again["ai_share_new"].to_list() == [0.5]


def test_bands_are_mean_and_10_90_quantiles_over_replicas():
    values = np.arange(11, dtype=float)
    frame = pl.LazyFrame(
        {
            "strategy": ["replace"] * 11 + ["accumulate"],
            "generation": [1] * 12,
            "metric": [*values, float("nan")],
            "replica": range(12),
        }  # fmt: skip
    )
    out = summaries.bands(frame, "metric", "generation", "strategy").collect()
    replace = out.filter(pl.col("strategy") == "replace").row(0, named=True)
    assert replace["mean"] == pytest.approx(values.mean())
    assert replace["q10"] == pytest.approx(np.quantile(values, 0.1))
    assert replace["q90"] == pytest.approx(np.quantile(values, 0.9))
    assert replace["replicas"] == 11
    assert out.filter(pl.col("strategy") == "accumulate").height == 0  # NaN is no value


def test_run_deltas_say_which_way_is_better():
    finals = pl.DataFrame(
        {
            "run": ["a", "a", "b", "b", "b"],
            "strategy": ["x", "y", "x", "y", "z"],
            "last": [1.0, 2.0, 0.5, 2.0, 3.0],
        }  # fmt: skip
    )
    out = summaries.run_deltas(finals, "excess_cross_entropy", "strategy", baseline="a")
    verdicts = dict(zip(out["run"] + "/" + out["strategy"], out["verdict"], strict=True))
    assert verdicts == {
        "a/x": "same",
        "a/y": "same",
        "b/x": "better",
        "b/y": "same",
        "b/z": "no match",
    }
    assert out.filter(pl.col("run") == "b")["delta"].to_list()[:2] == [-0.5, 0.0]
    assert catalog.verdict("tail_mass_ratio", 0.8, 0.95) == "better"  # closer to 1
    assert catalog.verdict("distinct_2", 0.2, 0.1) == "worse"


def test_moat_gap_comes_from_holds_data_or_a_moat_gap_column():
    firms = pl.DataFrame(
        {
            "step": [0, 0, 1, 1],
            "holds_data": [True, False, True, False],
            "quality": [-0.1, -0.3, -0.1, -0.4],
        }  # fmt: skip
    )
    gap = summaries.moat_gap(None, firms)
    assert gap["moat_gap"].to_list() == pytest.approx([0.2, 0.3])
    steps = pl.DataFrame({"step": [0, 1], "moat_gap": [0.1, 0.2]})
    assert summaries.moat_gap(steps, None)["moat_gap"].to_list() == [0.1, 0.2]
    assert summaries.moat_gap(steps.drop("moat_gap"), firms.drop("holds_data")) is None


def test_line_charts_have_hover_tooltips_and_axis_titles_with_units():
    frame = pl.DataFrame(
        {
            "strategy": ["replace"] * 3,
            "generation": [0, 1, 2],
            "mean": [0.1, 0.2, 0.3],
            "q10": [0.0, 0.1, 0.2],
            "q90": [0.2, 0.3, 0.4],
        }  # fmt: skip
    )
    spec = charts.metric_lines(
        frame, x="generation", y="mean", metric="excess_cross_entropy", series="strategy",
        band=("q10", "q90"),
    ).to_dict()  # fmt: skip
    text = str(spec)
    assert "Excess cross-entropy (nats/token)" in text
    assert "Generation (0 = trained on human data)" in text
    assert any("tooltip" in layer.get("encoding", {}) for layer in spec["layer"])
    assert any(layer["mark"]["type"] == "area" for layer in spec["layer"])


def test_dashboard_command_binds_localhost_headless_without_telemetry(tmp_path, monkeypatch):
    seen = {}

    def fake_serve(runs, host, port, corpora=None):
        seen.update(runs=runs, host=host, port=port)

    monkeypatch.setattr(launch, "serve", fake_serve)
    result = CliRunner().invoke(app, ["dashboard", "--runs", str(tmp_path), "--port", "8600"])
    assert result.exit_code == 0, result.output
    assert seen == {"runs": tmp_path, "host": "127.0.0.1", "port": 8600}
    argv = launch.streamlit_argv("127.0.0.1", 8600)
    pairs = dict(zip(argv[5::2], argv[6::2], strict=True))
    assert argv[2:5] == ["streamlit", "run", str(launch.app_path())]
    assert launch.app_path().is_file()
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert launch.streamlit_env(tmp_path)[launch.ROOT_ENV] == str(tmp_path)
    bad = CliRunner().invoke(app, ["dashboard", "--port", "0"])
    assert bad.exit_code == 2


def test_legends_wrap_below_narrow_charts_instead_of_running_off():
    assert charts.legend_columns(["alpha", "beta", "control"]) == 3  # fits on one line
    long = ["AI share of new documents", "AI share of the web", "Active human authors"]
    assert 1 <= charts.legend_columns(long) < 3
    assert charts.legend_columns([]) == 1


def test_delta_bars_break_long_labels_instead_of_cutting_them():
    deltas = pl.DataFrame(
        {
            "run": ["baseline-seed7-with-a-long-name"],
            "series": ["open_web"],
            "last": [0.4],
            "baseline": [0.3],
            "delta": [0.1],
            "relative": [0.33],
            "verdict": ["worse"],
        }  # fmt: skip
    )
    spec = charts.delta_bars(deltas, metric="excess_cross_entropy", series="series").to_dict()
    y = spec["layer"][0]["encoding"]["y"]
    assert "split(datum.label" in y["axis"]["labelExpr"] and y["axis"]["labelLimit"] == 0
