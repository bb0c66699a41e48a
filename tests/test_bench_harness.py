"""The benchmark harness: paired runs alternate and report the median ratio with its range."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench import common


def test_paired_alternates_and_reports_median_and_range(monkeypatch):
    calls: list[str] = []
    seconds = iter([2.0, 1.0, 1.0, 4.0, 3.0, 1.0, 1.0, 5.0, 6.0, 1.0])

    def fake_timed(fn):
        fn()
        return next(seconds)

    monkeypatch.setattr(common, "timed", fake_timed)
    result = common.paired(lambda: calls.append("a"), lambda: calls.append("b"), pairs=5)
    assert calls == ["a", "b"] + ["a", "b", "b", "a", "a", "b", "b", "a", "a", "b"]
    # pairs: (a, b) = (2, 1), (4, 1), (3, 1), (5, 1), (6, 1): in the B A pairs b runs first
    assert result["ratios"] == [2.0, 4.0, 3.0, 5.0, 6.0]
    assert result["ratio_median"] == 4.0
    assert (result["ratio_min"], result["ratio_max"]) == (2.0, 6.0)
    with pytest.raises(ValueError):
        common.paired(lambda: None, lambda: None, pairs=0)


def test_machine_records_load_date_and_threads(monkeypatch):
    monkeypatch.setattr(common, "_threads", {"requested": 1})  # what fix_threads(1) records
    facts = common.machine()
    assert facts["threads"]["requested"] == 1
    assert {"date_utc", "load_average", "cpu", "cpu_count"} <= set(facts)


def test_speed_page_renders_from_the_saved_results():
    from bench import speed_doc

    page = speed_doc.render()
    assert page.startswith("# Speed") and "| benchmark | script | target |" in page


def test_interleave_rotates_the_order_every_round():
    calls: list[str] = []
    results = common.interleave(
        [lambda: calls.append("a") or 1, lambda: calls.append("b") or 2, lambda: calls.append("c")],
        rounds=3,
    )
    assert calls == list("abc" + "bca" + "cab")
    assert results[0] == [1, 1, 1] and results[1] == [2, 2, 2]
    summary = common.ratio_summary([2.0, 6.0, 3.0], [1.0, 2.0, 1.0])
    assert summary["ratio_median"] == 3.0 and (summary["ratio_min"], summary["ratio_max"]) == (
        2.0,
        3.0,
    )


def test_save_refuses_a_result_whose_threads_were_not_fixed(monkeypatch, tmp_path):
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    monkeypatch.setattr(common, "_threads", {})
    with pytest.raises(RuntimeError, match="fix_threads"):
        common.save("x", {})
    monkeypatch.setattr(common, "_threads", {"requested": 1})
    saved = json.loads(common.save("x", {"figure": 1.0}).read_text())
    assert saved["figure"] == 1.0 and saved["machine"]["threads"]["requested"] == 1
    assert {"load_average_start", "load_average", "duration_s", "command"} <= set(saved["machine"])


@pytest.mark.parametrize("path", sorted(common.RESULTS.glob("*.json")), ids=lambda p: p.stem)
def test_every_saved_result_says_when_under_what_load_with_how_many_threads(path):
    machine = json.loads(path.read_text())["machine"]
    assert machine["date_utc"] and machine["load_average"]
    assert isinstance(machine["threads"]["requested"], int)


def test_the_suite_runs_every_benchmark_script():
    from bench import run_all

    scripts = {script for script, _, _ in run_all.SUITE.values()}
    assert scripts == {p.name for p in Path(common.__file__).parent.glob("bench_*.py")}


def test_readme_times_are_taken_from_the_speed_page():
    """A README paragraph that states a time or a speed-up cites docs/SPEED.md, where the
    benchmark suite keeps the measured figure (the README repeats no number that goes stale)."""
    readme = (common.ROOT / "README.md").read_text(encoding="utf-8")
    claim = re.compile(r"\b\d+(\.\d+)?\s?(s|ms|seconds)\b|\d\s?× faster|faster than")
    for paragraph in readme.split("\n\n"):
        if claim.search(paragraph):
            assert "docs/SPEED.md" in paragraph, paragraph


def ratio_series(value: object) -> list[list[float]]:
    """Every list of per-pair ratios (``ratios``) found anywhere in a saved result."""
    if isinstance(value, dict):
        found = [value["ratios"]] if "ratios" in value else []
        return found + [s for v in value.values() for s in ratio_series(v)]
    if isinstance(value, list):
        return [s for v in value for s in ratio_series(v)]
    return []


@pytest.mark.parametrize("path", sorted(common.RESULTS.glob("*.json")), ids=lambda p: p.stem)
def test_every_saved_ratio_comes_from_at_least_five_pairs(path):
    result = json.loads(path.read_text())
    for ratios in ratio_series(result):
        assert len(ratios) >= common.MIN_PAIRS
    if isinstance(result.get("pairs"), list):  # whole runs paired (levers, checkpoints)
        assert len(result["pairs"]) >= common.MIN_PAIRS
