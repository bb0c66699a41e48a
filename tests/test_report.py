"""``ecosim report``: the dashboard's charts of a run or a sweep as PNG, SVG or PDF, captioned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard import report
from ecosystem.cli import app
from tests.dashboard_runs import write_ecosystem_run, write_loop_run, write_scaling_run
from tests.sweep_folders import OUTCOMES, write_broken_sweeps, write_sampled_sweep, write_sweep

runner = CliRunner()
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<svg", "pdf": b"%PDF"}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """A real loop run, a synthetic ecosystem run and a hand-made sweep."""
    root = tmp_path_factory.mktemp("report")
    return {
        "loop": write_loop_run(root / "loop"),
        "ecosystem": write_ecosystem_run(root / "web", holds_data=True),
        "sweep": write_sweep(root / "sweep", real_members=False),
    }


def assert_figures(out: Path, fmt: str, stems: set[str]) -> None:
    written = sorted(out.glob(f"*.{fmt}"))
    assert {p.stem for p in written} == stems
    for path in written:
        content = path.read_bytes()
        assert len(content) > 1000 and MAGIC[fmt] in content[:200], path
        caption = path.with_suffix(".txt").read_text()
        assert caption.strip() and "\n\n" in caption  # a title, then the caption


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_report_of_a_run_writes_its_charts_with_captions(folders, tmp_path, fmt):
    out = tmp_path / "figs"
    res = runner.invoke(app, ["report", str(folders["loop"]), "--out", str(out), "--format", fmt])
    assert res.exit_code == 0, res.output
    stems = {"excess_cross_entropy_per_generation", "train_ai_share_per_generation"}
    assert_figures(out, fmt, stems)
    assert "wrote 2 figures" in res.output
    caption = (out / "excess_cross_entropy_per_generation.txt").read_text()
    assert "mean over 3 replicas" in caption


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_report_of_a_sweep_writes_heatmaps_lines_and_sensitivity(folders, tmp_path, fmt):
    out = tmp_path / "figs"
    res = runner.invoke(app, ["report", str(folders["sweep"]), "--out", str(out), "--format", fmt])
    assert res.exit_code == 0, res.output
    names = [o["name"] for o in OUTCOMES]
    stems = {f"heatmap_{n}_authors_bass_q_farms_docs_per_step" for n in names}
    stems |= {f"lines_{n}_authors_bass_q_by_farms_docs_per_step" for n in names}
    stems |= {f"sensitivity_{n}" for n in names}
    assert_figures(out, fmt, stems)
    caption = (out / f"heatmap_{names[0]}_authors_bass_q_farms_docs_per_step.txt").read_text()
    assert "Held fixed: market.sensitivity = 2.0" in caption


def test_report_of_an_ecosystem_run_uses_the_runs_page_charts(folders, tmp_path):
    found = report.figures_of(folders["ecosystem"])
    assert [f.stem for f in found] == [
        "ai_share", "authors", "models_excess_cross_entropy", "market_share", "moat_gap",
        "human_share", "money",
    ]  # fmt: skip
    written = report.write_report(folders["ecosystem"], tmp_path / "figs", "svg")
    assert len(written) == 7 and all(p.stat().st_size > 1000 for p in written)
    assert "AI tools launch" in (tmp_path / "figs" / "ai_share.svg").read_text()


def test_report_of_a_sampled_sweep_draws_dots_and_one_line(tmp_path):
    found = report.figures_of(write_sampled_sweep(tmp_path / "lhs"))
    assert [f.stem for f in found] == [
        "heatmap_final_excess_authors_bass_q_farms_docs_per_step",
        "lines_final_excess_authors_bass_q",
    ]
    assert found[0].chart.to_dict()["mark"]["type"] == "circle"
    assert "Held fixed" not in found[0].caption  # nothing to hold: every point is shown


def test_report_says_clearly_when_there_is_nothing_to_draw(tmp_path):
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "run.json").write_text(json.dumps({"kind": "future", "status": "complete"}))
    res = runner.invoke(app, ["report", str(odd), "--out", str(tmp_path / "figs")])
    assert res.exit_code == 2
    assert "future runs have no dashboard charts yet" in res.output
    assert not (tmp_path / "figs").exists()


def test_report_exports_a_scaling_run_with_its_closed_form(tmp_path):
    (figure,) = report.run_figures(write_scaling_run(tmp_path / "tail"))
    assert figure.stem == "unseen_mass_per_train_size"
    assert set(figure.data["line"]) == {"ecosim", "closed form"}
    assert "closed form" in figure.caption


def test_report_of_a_broken_folder_is_a_message_and_writes_nothing(folders, tmp_path):
    broken = write_broken_sweeps(tmp_path / "broken")
    for name, message in [("corrupt_spec", "sweep.json: corrupt"),
                          ("missing_summary", "summary.parquet: missing")]:  # fmt: skip
        out = tmp_path / f"figs_{name}"
        res = runner.invoke(app, ["report", str(broken[name]), "--out", str(out)])
        assert res.exit_code == 2 and message in res.output
        assert not out.exists()
    res = runner.invoke(app, ["report", str(tmp_path), "--out", str(tmp_path / "figs")])
    assert res.exit_code == 2 and "neither a run folder" in res.output
    res = runner.invoke(
        app, ["report", str(folders["loop"]), "--out", str(tmp_path / "x"), "--format", "gif"]
    )
    assert res.exit_code == 2 and "--format gif: expected one of png, svg, pdf" in res.output
