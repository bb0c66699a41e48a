"""The benchmark harness: paired runs alternate and report the median ratio with its range."""

from __future__ import annotations

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
