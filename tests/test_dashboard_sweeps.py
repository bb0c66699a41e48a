"""The Sweeps page through AppTest: heatmap, lines with bands, sensitivity bars, members."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.dashboard_app import assert_clean, charts, open_app, texts
from tests.sweep_folders import (
    ERROR,
    FAILED,
    REAL_MEMBERS,
    write_broken_sweeps,
    write_sampled_sweep,
    write_sweep,
)

PAGE = "app_pages/sweeps.py"


@pytest.fixture(scope="module")
def sweep_root(tmp_path_factory) -> Path:
    """A runs folder holding one hand-made sweep with sensitivity indices."""
    root = tmp_path_factory.mktemp("sweeps")
    write_sweep(root / "study")
    return root


def marks(spec: dict) -> set[str]:
    """Every mark type in a (possibly layered) Vega-Lite spec."""
    found = set()
    for layer in spec.get("layer", [spec]):
        if "layer" in layer:
            found |= marks(layer)
        mark = layer.get("mark")
        if mark:
            found.add(mark["type"] if isinstance(mark, dict) else mark)
    return found


def shown_data(at) -> list:
    """The data under each chart (its Data box), then the members' table, as pandas frames."""
    return [frame.value for frame in at.dataframe]


def test_sweeps_page_draws_heatmap_lines_and_sensitivity_bars(sweep_root):
    at = open_app(sweep_root, PAGE)
    assert_clean(at)
    assert at.title[0].value == "Sweeps"
    heat, lines, bars = charts(at)
    assert "rect" in marks(heat) and "interval width" in json.dumps(heat)
    # final_excess = 0.1 + bass_q + small noise: the heatmap's means follow bass_q
    cells = shown_data(at)[0]
    assert len(cells) == 3 * 2  # bass_q × docs_per_step, market.sensitivity held fixed
    assert set(cells["market.sensitivity"]) == {2.0}  # the middle of [1, 2] by default
    assert ((cells["mean"] - 0.1 - cells["authors.bass_q"]).abs() < 0.05).all()
    assert (cells["width"].dropna() > 0).all()
    assert {"line", "area"} <= marks(lines)  # means with their 95% bands
    assert "bar" in marks(bars) and "rule" in marks(bars)  # indices with error bars
    assert "first-order (S1)" in json.dumps(bars)
    assert "**1** failed" in texts(at.markdown) and "**1** pending" in texts(at.markdown)


def test_sweeps_page_follows_the_chosen_outcome_and_fixed_values(sweep_root):
    at = open_app(sweep_root, PAGE)
    at.selectbox(key="sweep_outcome").set_value("ai_share").run()
    assert_clean(at)
    # ai_share = 0.2 · market.sensitivity: holding it at 1.0 then 2.0 doubles the means
    at.selectbox(key="sweep_heat_fix_market.sensitivity").set_value(1.0).run()
    low = shown_data(at)[0]["mean"].mean()
    at.selectbox(key="sweep_heat_fix_market.sensitivity").set_value(2.0).run()
    assert_clean(at)
    high = shown_data(at)[0]["mean"].mean()
    assert high == pytest.approx(2 * low, rel=0.05)
    at.selectbox(key="sweep_line_color").set_value("(one line)").run()
    assert_clean(at)
    assert len(charts(at)) == 3


def test_sweeps_page_lists_members_and_opens_one_on_the_runs_page(sweep_root):
    at = open_app(sweep_root, PAGE)
    members = at.dataframe[-1].value
    assert ERROR in members["error"].to_list()
    assert set(members["status"]) == {"complete", "failed", "pending"}
    at.selectbox(key="sweep_member").set_value(FAILED).run()
    assert at.button(key="sweep_open").disabled  # nothing finished to open
    at.selectbox(key="sweep_member").set_value(REAL_MEMBERS[1]).run()
    at.button(key="sweep_open").click().run()
    assert_clean(at)
    assert at.title[0].value == "Runs"
    assert at.session_state["run"] == str(sweep_root / "study" / "runs" / REAL_MEMBERS[1])
    assert len(charts(at)) == 3  # the member's loop charts


def test_runs_page_opens_a_member_from_a_link_outside_the_runs_folder(sweep_root, tmp_path):
    member = sweep_root / "study" / "runs" / REAL_MEMBERS[0]
    at = open_app(tmp_path / "elsewhere", query={"run": str(member)})
    assert_clean(at)
    assert at.selectbox(key="run").value == str(member)
    assert len(charts(at)) == 3


def test_a_sweep_without_sensitivity_draws_no_bars(tmp_path):
    write_sweep(tmp_path / "grid", sensitivity=False, real_members=False)
    at = open_app(tmp_path, PAGE)
    assert_clean(at)
    assert len(charts(at)) == 2


def test_a_sampled_design_draws_dots_and_holds_nothing_fixed(tmp_path):
    write_sampled_sweep(tmp_path / "lhs")
    at = open_app(tmp_path, PAGE)
    assert_clean(at)
    heat, lines = charts(at)
    assert "circle" in marks(heat) and "rect" not in marks(heat)
    assert not [s.key for s in at.selectbox if "_fix_" in str(s.key)]
    assert at.selectbox(key="sweep_line_color").value == "(one line)"
    assert len(at.dataframe[0].value) == 20  # every sampled point
    assert {"line", "area"} <= marks(lines)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("corrupt_spec", "sweep.json: corrupt"),
        ("bad_summary", "summary.parquet: not readable Parquet"),
        ("missing_summary", "summary.parquet: missing"),
    ],
)
def test_a_broken_sweep_folder_shows_a_message_not_a_traceback(tmp_path, broken, message):
    folders = write_broken_sweeps(tmp_path)
    at = open_app(tmp_path, PAGE, sweep=str(folders[broken]))
    assert_clean(at)
    assert "Cannot read this sweep" in texts(at.error) and message in texts(at.error)


def test_no_sweep_folder_says_how_to_make_one(tmp_path):
    at = open_app(tmp_path, PAGE)
    assert_clean(at)
    assert "holds no sweep folders" in texts(at.info) and "ecosim sweep" in texts(at.info)
