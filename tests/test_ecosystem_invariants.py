"""Invariants of an ecosystem run: conservation, shares, opt-outs, determinism, Mesa agents."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from agents.authors import HumanAuthor
from agents.companies import Company
from agents.farms import ContentFarm
from agents.trainers import ModelTrainer
from ecosystem.world.content import NO_MODEL, Origin
from ecosystem.world.model import EcosystemModel
from ecosystem.world.run import run_ecosystem
from ecosystem.world.web import SiteKind
from tests.ecosystem_scenarios import tiny


@pytest.fixture(scope="module")
def run():
    """A tiny world stepped to its end; the tables and the model."""
    scenario = tiny()
    model = EcosystemModel(scenario)
    crawls = []
    for _ in range(scenario.steps):
        before = [t.generation for t in model.trainers]
        model.step()
        for trainer, gen in zip(model.trainers, before, strict=True):
            if trainer.generation != gen:
                step = model.step_index - 1
                opted = model.web.opted_out(trainer.index, step)
                crawls.append((trainer, step, trainer.last_crawl.copy(), opted))
    return model, model.recorder.tables(), crawls


def test_documents_are_conserved(run):
    model, t, _ = run
    steps, store = t["steps"], model.store
    backlog = int(np.count_nonzero(store.column("step") == -1))
    assert store.n_docs == backlog + steps["docs_new"].sum() == steps["docs_total"][-1]
    assert (steps["docs_total"].diff().drop_nulls() == steps["docs_new"][1:]).all()
    assert (steps["human_docs_new"] + steps["ai_docs_new"] == steps["docs_new"]).all()
    assert (steps["farm_docs_new"] + steps["assisted_docs_new"] == steps["ai_docs_new"]).all()
    assert store.column("length").sum() == store.n_tokens
    assert store.frame().height == store.n_docs
    assert store.n_ai == int((store.column("origin") == Origin.AI).sum())


def test_document_metadata_is_consistent(run):
    model, _, _ = run
    store, web = model.store, model.web
    ai = store.column("origin") == Origin.AI
    assert (store.column("trainer")[~ai] == NO_MODEL).all()
    assert (store.column("trainer")[ai] >= 0).all()
    on_farm = web.kind[store.column("site")] == SiteKind.FARM
    assert ai[on_farm].all(), "farms publish AI documents only"
    assert (store.column("author")[on_farm] == -1).all()
    assert (store.column("author")[~on_farm] >= 0).all()
    marked = store.column("watermark")
    acme = [t.index for t in model.trainers if t.name == "acme"][0]
    by_acme_product = ai & ~on_farm & (store.column("trainer") == acme)
    assert marked[by_acme_product].all() and not marked[~ai].any()
    human_sites = store.column("site")[~on_farm & (store.column("step") >= 0)]
    authors = store.column("author")[~on_farm & (store.column("step") >= 0)]
    assert (model.authors.site[authors] == human_sites).all()


def test_take_draws_each_documents_own_text(run):
    """A document's text depends on its id and writer only: not on the order of reading,
    on what was read before, nor on whether it was read at all in another run."""
    model, _, _ = run
    store = model.store
    backlog = int(np.count_nonzero(store.column("step") == -1))
    ids = np.array([0, 5, backlog - 1, 7, 5])
    docs = store.take(ids)
    assert docs.lengths.tolist() == store.column("length")[ids].tolist()
    assert np.array_equal(docs.topics, store.column("topic")[ids])
    fresh = EcosystemModel(model.params)  # same seed, built only: it has read other documents
    again = fresh.store.take(ids[::-1])
    for i in range(len(ids)):
        j = len(ids) - 1 - i
        first = docs.tokens[docs.offsets[i] : docs.offsets[i + 1]]
        assert np.array_equal(first, again.tokens[again.offsets[j] : again.offsets[j + 1]])


def test_shares_are_within_unit_interval(run):
    _, t, _ = run
    share_columns = {
        "steps": [
            "ai_share_new",
            "ai_share_web",
            "adopter_share",
            "farm_pagerank_share",
            "opted_out_share",
            "market_hhi",
        ],
        "generations": ["train_ai_share", "crawled_ai_share", "distinct_2"],
        "firms": ["market_share", "user_share"],
    }
    for table, columns in share_columns.items():
        for column in columns:
            values = t[table][column].to_numpy()
            assert np.all((values >= 0) & (values <= 1)), (table, column)
    firms = t["firms"]
    totals = firms.group_by("step").agg(pl.col("market_share").sum())["market_share"]
    assert np.allclose(totals.to_numpy(), 1.0)
    steps = t["steps"]
    assert steps["ai_share_new"][0] == 0.0, "no AI before launch_step"
    assert steps["ai_share_new"][-1] > 0


def test_every_crawl_respects_opt_outs(run):
    model, _, crawls = run
    store_site = model.store.column("site")
    respected = [c for c in crawls if c[0].params.respect_opt_out]
    ignored = [c for c in crawls if not c[0].params.respect_opt_out]
    assert respected and ignored
    for trainer, step, crawled, opted in respected:
        assert opted.any(), "the test needs opted-out sites"
        assert not opted[store_site[crawled]].any(), (trainer.name, step)
    # the trainer that ignores robots.txt does crawl opted-out sites: the check has teeth
    assert any(opted[store_site[crawled]].any() for _, _, crawled, opted in ignored)


def test_human_only_control_never_trains_on_ai_text(run):
    _, t, crawls = run
    control = t["generations"].filter(pl.col("human_only"))
    assert control.height and (control["train_ai_share"] == 0).all()
    model = run[0]
    origin = model.store.column("origin")
    for trainer, _, crawled, _ in crawls:
        if trainer.params.human_only:
            assert (origin[crawled] == Origin.HUMAN).all()


def test_generation_zero_sees_only_the_human_web(run):
    _, t, _ = run
    first = t["generations"].filter(pl.col("generation") == 0)
    assert first.height == 4
    assert (first["step"] == 0).all() and (first["train_ai_share"] == 0).all()


def test_agents_are_mesa_agents_created_in_bulk(run):
    model, _, _ = run
    by_type = model.agents_by_type
    assert len(by_type[HumanAuthor]) == model.authors.size
    assert len(by_type[ContentFarm]) == 2
    assert len(by_type[ModelTrainer]) == 4 and len(by_type[Company]) == 2
    author = next(iter(by_type[HumanAuthor]))
    assert author.active == bool(model.authors.active[author.index])
    assert model.authors.size > 300, "entrants joined"
    joined = model.authors.joined
    assert (joined[:300] == -1).all() and (joined[300:] >= 0).all()


def test_author_agents_are_views_that_change_no_result():
    scenario = tiny()
    without = scenario.model_copy(
        update={"authors": scenario.authors.model_copy(update={"agents": "none"})}
    )
    model = EcosystemModel(without)
    assert HumanAuthor not in model.agents_by_type and model.authors.size > 0
    first, second = run_ecosystem(scenario), run_ecosystem(without)
    for name, table in first.items():
        assert table.equals(second[name]), name


def test_same_seed_gives_identical_tables():
    first = run_ecosystem(tiny())
    second = run_ecosystem(tiny())
    assert first.keys() == second.keys() == {"steps", "generations", "firms", "samples"}
    for name in first:
        assert first[name].height > 0
        assert first[name].equals(second[name]), name
    other = run_ecosystem(tiny(seed=6))
    assert not other["steps"].equals(first["steps"])


def test_samples_show_model_text_beside_human_text(run):
    _, t, _ = run
    samples = t["samples"]
    assert samples.height == 15 * 2  # 15 generations, 2 documents each
    assert samples["model_text"].str.len_chars().min() > 0
    assert samples["human_text"].str.len_chars().min() > 0
