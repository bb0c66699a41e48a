"""Holdings, the ledger and the walls around owned platforms: invariants on a tiny world, the
bad-input errors, and proof that a world without holdings is unchanged."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import yaml

from ecosystem.config import validate_text
from ecosystem.core.errors import ScenarioError
from ecosystem.runner import simulate
from ecosystem.world.content import Origin
from ecosystem.world.holdings import posts_on
from ecosystem.world.model import EcosystemModel
from tests.ecosystem_scenarios import TINY, TINY_HOLDINGS, tiny_holdings
from tests.golden import reduced_text, table_hash


@pytest.fixture(scope="module")
def world():
    """The tiny world with holdings, run to the end, with every trained generation kept."""
    model = EcosystemModel(tiny_holdings())
    trained = list(model.trained)
    active = []  # (step, [(platform, buyer, exclusive), ...]) after each trade stage
    for _ in range(model.params.steps):
        model.step()
        trained.extend(model.trained)
        active.append(
            (
                model.step_index - 1,
                [(x.platform, x.buyer, x.exclusive) for x in model.ledger.active],
            )
        )
    return model, trained, active, model.recorder.tables()


def test_owned_platform_documents_never_reach_another_trainer(world):
    model, trained, _, _ = world
    owned = posts_on(model.store, np.array([0]))  # Acme's platform, sold to no one
    assert len(owned) > 0
    acme = [t for t in trained if model.trainers[t.trainer].name == "acme"]
    assert any(np.isin(owned, np.concatenate([t.selected, t.proprietary])).any() for t in acme)
    for t in trained:
        if model.trainers[t.trainer].name == "acme":
            continue
        used = np.concatenate([t.crawled, t.selected, t.proprietary])
        assert not np.isin(used, owned).any(), model.trainers[t.trainer].name


def test_owner_takes_its_newest_posts(world):
    model, trained, _, _ = world
    last = [t for t in trained if model.trainers[t.trainer].name == "acme"][-1]
    owned = posts_on(model.store, np.array([0]))
    at_training = owned[model.store.column("step")[owned] <= last.step]
    newest = at_training[-150:]
    got = np.concatenate([last.selected, last.proprietary])
    assert np.isin(newest, got).all()


def test_the_ledger_conserves_money_and_tokens(world):
    model, _, _, tables = world
    ledger, licences, firms = model.ledger, tables["licences"], tables["firms"]
    assert licences.height > 0
    # money: what buyers paid is what sellers (companies or independent platforms) received
    paid = licences["paid"].sum()
    assert firms["licence_spend"].sum() == pytest.approx(paid)
    assert firms["licence_income"].sum() + ledger.platform_income.sum() == pytest.approx(paid)
    # each budget: endowment + revenue_share × revenue + income - spend
    for company in model.params.companies:
        rows = firms.filter(pl.col("company") == company.name)
        held = company.holdings
        expected = (
            held.endowment
            + held.revenue_share * rows["revenue"].sum()
            + rows["licence_income"].sum()
            - rows["licence_spend"].sum()
        )
        assert rows["budget"][-1] == pytest.approx(expected)
    # tokens: each row's tokens are the platform's tokens published by the purchase step
    site, step, length = (model.store.column(c) for c in ("site", "step", "length"))
    for row in licences.iter_rows(named=True):
        covered = (site == row["platform"]) & (step <= row["step"])
        assert row["tokens"] == int(length[covered].sum())
        assert row["paid"] == pytest.approx(row["price_per_1k_tokens"] * row["tokens"] / 1000)
        assert row["expiry"] > row["step"]


def test_an_exclusive_licence_is_never_held_twice(world):
    _, _, active, tables = world
    exclusive = tables["licences"].filter(pl.col("exclusive"))
    assert exclusive["buyer"].n_unique() == 2  # both companies bought platform 1 in turn
    for _, held in active:
        for platform in {p for p, _, excl in held if excl}:
            assert sum(p == platform for p, _, _ in held) == 1
    spans = sorted(zip(exclusive["step"], exclusive["expiry"], strict=True))
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end


def test_a_struck_deal_is_executed_at_its_step(world):
    _, _, _, tables = world
    deal = tables["licences"].filter((pl.col("step") == 1) & (pl.col("buyer") == "Acme"))
    assert deal.height == 1 and deal["paid"][0] == 0.0 and deal["expiry"][0] == 3


def test_a_snapshot_holds_only_documents_from_before_its_cutoff(world):
    model, trained, _, tables = world
    snapshot = model.companies[0].holdings.snapshot_ids()
    assert len(snapshot) > 0
    assert (model.store.column("step")[snapshot] < 3).all()
    assert (model.store.column("origin")[snapshot] == Origin.HUMAN).all()  # cutoff ~ launch
    firms = tables["firms"].filter(pl.col("company") == "Acme")
    tokens = int(model.store.column("length")[snapshot].sum())
    assert firms["snapshot_tokens"][-1] == tokens


def test_firms_and_generations_record_holdings(world):
    _, _, _, tables = world
    firms, generations = tables["firms"], tables["generations"]
    acme = firms.filter(pl.col("company") == "Acme")
    assert acme["holds_data"].all() and (acme["owned_platforms"] == 1).all()
    assert acme["platform_tokens"].is_sorted() and acme["platform_tokens"][-1] > 0
    assert firms["human_share"].is_between(0, 1).all()
    assert (firms["revenue"] >= 0).all()
    later = generations.filter((pl.col("trainer") == "acme") & (pl.col("generation") > 0))
    assert (later["proprietary_docs"] > 0).all()
    assert later["proprietary_share"].is_between(0, 1).all()
    plain = generations.filter(pl.col("trainer").is_in(["open", "control"]))
    assert (plain["proprietary_docs"] == 0).all()


def test_moat_gap_is_quality_minus_the_best_scraper(world):
    model, trained, _, tables = world
    firms = tables["firms"].filter(pl.col("step") == model.params.steps - 1)
    # scrape-only trainers: the open-weights one (Acme and Bolt both hold data)
    open_ece = [t for t in trained if model.trainers[t.trainer].name == "open"][-1]
    best = open_ece.metrics["excess_cross_entropy"]
    for row in firms.iter_rows(named=True):
        assert row["moat_gap"] == pytest.approx(row["quality"] + best)
        assert row["moat_ratio"] == pytest.approx(-row["quality"] / best)


def test_same_seed_same_tables():
    a = simulate(tiny_holdings(steps=5))
    b = simulate(tiny_holdings(steps=5))
    for name in a:
        assert table_hash(a[name]) == table_hash(b[name]), name


# ---------------------------------------------------------------------- no holdings: unchanged
PRE_MOAT_HASHES = {
    # the firms and generations tables without the holdings' columns, golden size: recorded
    # before holdings existed (main at af87617), re-recorded when document text became drawn
    # on read from per-document uniforms (every ecosystem result changed then, on purpose)
    "baseline.yaml": {
        "firms": "6772f8ddb4f79a5de30e937ed14adcf90f0b406acc38cd2d3e5c99a4c9277954",
        "generations": "1df2b15929cf526c18e7cd3dba4335731d80325dc64a292430f978f8e78420e6",
    },
    "calibrated_web.yaml": {
        "firms": "a1490956c3bf4f8bdaec0e045e68ad9b28d3d7d7b10c2ae45b305b2263fd18ed",
        "generations": "06fafb94670a03c3495f647f2fb64a759f268ff339669f71b5d19e525a629dfa",
    },
}
NEW_COLUMNS = {
    "firms": [
        "holds_data",
        "owned_platforms",
        "platform_tokens",
        "licensed_tokens",
        "snapshot_tokens",
        "proprietary_tokens",
        "human_share",
        "consumer_users",
        "revenue",
        "licence_spend",
        "licence_income",
        "budget",
        "moat_gap",
        "moat_ratio",
    ],
    "generations": ["proprietary_docs", "proprietary_tokens", "proprietary_share"],
}


@pytest.mark.parametrize("name", sorted(PRE_MOAT_HASHES))
def test_a_world_without_holdings_is_unchanged(name):
    tables = simulate(validate_text(reduced_text(name), name))
    assert "licences" not in tables
    for table, known in PRE_MOAT_HASHES[name].items():
        frame = tables[table]
        old = frame.drop(NEW_COLUMNS[table])
        assert table_hash(old) == known, f"{name} {table}: a pre-existing column changed"
    generations = tables["generations"]
    assert (generations["proprietary_docs"] == 0).all()
    firms = tables["firms"]
    assert not firms["holds_data"].any() and (firms["licence_spend"] == 0).all()


# ---------------------------------------------------------------------- bad input
def _messages(tmp_path, change) -> list[str]:
    data = yaml.safe_load(TINY)
    data.update(yaml.safe_load(yaml.safe_dump(TINY_HOLDINGS)))
    change(data)
    path = tmp_path / "eco.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    from ecosystem.config import load_scenario

    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def _set(path: str, value):
    def change(data):
        node = data
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        last = keys[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


@pytest.mark.parametrize(
    "path, value, field, words",
    [
        (
            "companies.0.holdings.platforms",
            [7],
            "companies.0.holdings.platforms.0",
            "no platform 7",
        ),
        (
            "companies.1.holdings.platforms",
            [0],
            "companies.1.holdings.platforms.0",
            "already owned",
        ),
        ("licences.0.platform", 9, "licences.0.platform", "no platform 9"),
        ("licences.2.buyer", "Zed", "licences.2.buyer", "unknown company 'Zed'"),
        ("licences.0.price", -1.0, "licences.0.price", "greater than or equal to 0"),
        ("companies.1.holdings.endowment", -5.0, "companies.1.holdings.endowment", "greater"),
        (
            "companies.0.holdings.snapshot_cutoff",
            40,
            "companies.0.holdings.snapshot_cutoff",
            "after",
        ),
    ],
)
def test_bad_holdings_point_at_their_field(tmp_path, path, value, field, words):
    (msg,) = _messages(tmp_path, _set(path, value))
    assert "eco.yaml:" in msg and f": {field}: " in msg and words in msg, msg


def test_an_exclusive_licence_sold_twice_is_an_error(tmp_path):
    def change(data):
        deal = {"platform": 1, "price": 1.0, "exclusive": True, "duration": 4}
        data["licences"] += [
            dict(deal, buyer="Acme", start=2),
            dict(deal, buyer="Bolt", start=5, exclusive=False),
        ]

    (msg,) = _messages(tmp_path, change)
    assert ": licences.4.start: an exclusive licence to platform 1 is sold twice" in msg


def test_bad_holdings_exit_2_and_write_nothing(tmp_path):
    from typer.testing import CliRunner

    from ecosystem.cli import app

    data = yaml.safe_load(TINY)
    data.update(yaml.safe_load(yaml.safe_dump(TINY_HOLDINGS)))
    data["companies"][1]["holdings"]["platforms"] = [0]
    path = tmp_path / "eco.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "companies.1.holdings.platforms.0: platform 0 is already owned by 'Acme'" in (
        result.output
    )
    assert not (tmp_path / "run").exists()


def test_an_open_offer_never_overlaps_an_exclusive_deal_struck_for_later():
    licences = [
        {"platform": 1, "price": 0.01, "exclusive": True, "duration": 4},
        {"platform": 1, "price": 0.0, "exclusive": True, "duration": 3, "buyer": "Bolt",
         "start": 5},
    ]  # fmt: skip
    model = EcosystemModel(tiny_holdings(steps=9, licences=licences))
    for _ in range(model.params.steps):
        model.step()
        holders = [x.buyer for x in model.ledger.active if x.platform == 1]
        assert len(holders) <= 1, (model.step_index, holders)
    bought = [(x.buyer, x.step, x.offer) for x in model.ledger.rows]
    assert ("Bolt", 5, 1) in bought  # the struck deal is executed
    assert any(offer == 0 for _, _, offer in bought)  # and the open offer sold around it
