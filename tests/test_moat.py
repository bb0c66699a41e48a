"""The data-moat scenario's claims (docs/MOAT.md) at reduced size, and their failure once the
holdings are removed; the value-of-data table's arithmetic."""

from __future__ import annotations

import polars as pl
import pytest
import yaml

from ecosystem.world import moat_value

LAUNCH = 6


def _data(holdings: bool = True) -> dict:
    data = yaml.safe_load(moat_value.SCENARIO.read_text(encoding="utf-8"))
    data = moat_value.scaled(data, 0.1, steps=36)  # a tenth of the world, three years
    return data if holdings else moat_value.without_holdings(data)


def _holds(claims: dict[str, float]) -> bool:
    """The scenario's claims: the incumbent's excess cross-entropy rises far less than the
    entrants' (by a factor of at least 1.5), its market share and revenue share grow, the
    licence buyer lands in between, and the moat narrows after its peak as the incumbent's
    platform fills with AI posts."""
    return (
        claims["factor"] >= 1.5
        and claims["share_end"] >= claims["share_start"] + 0.05
        and claims["revenue_share_end"] > claims["revenue_share_start"]
        and claims["rise_incumbent"] < claims["rise_buyer"] < claims["rise_entrants"]
        and claims["gap_peak"] > 0
        and claims["gap_end"] < claims["gap_peak"]
        and claims["human_lead_end"] < claims["human_lead_peak"]
    )


@pytest.fixture(scope="module")
def claims() -> dict[str, dict[str, float]]:
    return {
        kind: moat_value.moat_claims(moat_value.run_tables(_data(kind == "with")), LAUNCH)
        for kind in ("with", "without")
    }


def test_the_moat_claims_hold_at_reduced_size(claims):
    got = claims["with"]
    assert _holds(got), got


def test_the_moat_claims_fail_without_holdings(claims):
    got, held = claims["without"], claims["with"]
    assert not _holds(got), got
    assert got["gap_peak"] <= 0.0  # no one beats the best scraper: everyone scrapes
    # the incumbent's lead is the holdings': without them its share gains a fraction as much
    # and its model degrades like the others' (it is larger, so less: the factor stays finite)
    gain, held_gain = (c["share_end"] - c["share_start"] for c in (got, held))
    assert gain < held_gain / 2, (gain, held_gain)
    assert got["rise_incumbent"] > 0 and got["factor"] < held["factor"]


def test_setting_and_scaling_leave_the_source_alone():
    data = yaml.safe_load(moat_value.SCENARIO.read_text(encoding="utf-8"))
    changed = moat_value.setting(data, "companies.0.holdings.platform_docs", 7)
    assert changed["companies"][0]["holdings"]["platform_docs"] == 7
    assert data["companies"][0]["holdings"]["platform_docs"] == 20_000
    small = moat_value.scaled(data, 0.1)
    assert small["authors"]["count"] == 1000 and data["authors"]["count"] == 10_000
    assert "holdings" not in moat_value.without_holdings(data)["companies"][0]
    shares = moat_value.with_platform_docs(data, 0.3)
    assert shares["companies"][0]["holdings"]["platform_docs"] == 6000


def test_value_table_markdown_has_one_row_per_size():
    table = pl.DataFrame(
        {
            "share_of_crawl": [0.0, 0.5],
            "platform_docs": [0, 10],
            "excess_cross_entropy": [0.2, 0.1],
            "excess_saved": [0.0, 0.1],
            "extra_revenue": [0.0, 30.0],
            "proprietary_tokens": [0, 3000],
            "break_even_price": [None, 10.0],
        }
    )
    text = moat_value.markdown(table)
    assert text.count("\n") == 4 and "| 50% | 10 |" in text and "| 10.00 |" in text
