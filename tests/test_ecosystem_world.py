"""The world's parts: the web graph, the content store, crawl weights and sampling."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from ecosystem.core.data import TokenDocs
from ecosystem.world.content import ContentStore, Origin
from ecosystem.world.crawl import (
    _needs_more_points,
    _poisson_keys,
    document_weights,
    site_weights,
    weighted_sample,
)
from ecosystem.world.model import EcosystemModel
from ecosystem.world.web import SiteKind
from tests.ecosystem_scenarios import tiny


@pytest.fixture(scope="module")
def model():
    world = EcosystemModel(tiny())
    for _ in range(5):
        world.step()
    return world


def test_web_is_a_preferential_attachment_graph_with_a_link_farm(model):
    web = model.web
    assert isinstance(web.graph, nx.DiGraph) and web.graph.number_of_nodes() == web.n_sites
    assert np.isclose(web.pagerank.sum(), 1.0)
    in_degree = np.array([d for _, d in sorted(web.graph.in_degree())])
    personal = web.kind == SiteKind.PERSONAL
    assert in_degree[web.kind == SiteKind.PLATFORM].min() > np.median(in_degree[personal])
    farm = np.flatnonzero(web.kind == SiteKind.FARM)
    inside = web.graph.subgraph(farm.tolist()).number_of_edges()
    assert inside / (len(farm) * (len(farm) - 1)) > 0.3, "farm sites link to each other"
    for u, v in web.graph.edges():
        if web.kind[v] == SiteKind.FARM and web.kind[u] != SiteKind.FARM:
            assert web.kind[u] == SiteKind.PERSONAL, "spam links come from personal sites"


def test_opt_outs_grow_and_never_touch_farms(model):
    web = model.web
    early, late = web.opted_out(0, 0), web.opted_out(0, 10)
    assert not (early & ~late).any(), "a site that opted out stays out"
    assert late.sum() > early.sum()
    assert not late[web.kind == SiteKind.FARM].any()


class _EagerWriter:
    """A writer that writes whole documents at publication (as a transformer does)."""

    trainer, generation, lanes, lazy = 0, 1, 1, False


def test_content_store_round_trip_and_compact_columns():
    store = ContentStore(vocab_size=100, seed=3, max_step=60, max_length=48)
    assert store.column("step").dtype == np.int16 and store.column("site").dtype == np.int32
    wide = ContentStore(vocab_size=100, max_step=100_000, max_length=40_000, max_writers=50_000)
    assert {wide.column(c).dtype for c in ("step", "length", "writer")} == {np.dtype(np.int32)}
    eager = store.writer(("t", 1), _EagerWriter)
    assert store.writer(("t", 1), _EagerWriter) == eager, "a writer is registered once"
    docs = TokenDocs.from_arrays(
        np.array([1, 2, 3, 4, 5, 6]), np.array([2, 4]), np.array([0, 1]), np.zeros(2), 1
    )
    ids = store.append(
        topic=docs.topics,
        length=docs.lengths,
        writer=eager,
        site=np.array([3, 4]),
        author=np.array([-1, -1]),
        step=2,
        watermark=np.array([False, True]),
    )
    store.keep_text(ids, docs)
    ids2 = store.append(
        topic=np.array([1, 0]),
        length=np.array([5, 3]),
        writer=eager,
        site=np.array([5, 6]),
        author=np.array([8, 9]),
        step=3,
        watermark=np.zeros(2, dtype=bool),
    )
    store.keep_text(ids2, TokenDocs.from_arrays(np.arange(8), [5, 3], [1, 0], np.zeros(2), 1))
    assert list(ids) == [0, 1] and list(ids2) == [2, 3]
    back = store.take(np.array([3, 0, 3]))
    assert back.tokens.tolist() == [5, 6, 7, 1, 2, 5, 6, 7]
    assert back.topics.tolist() == [0, 0, 0] and back.lengths.tolist() == [3, 2, 3]
    frame = store.frame()
    assert frame.columns[0] == "doc_id" and frame.height == 4
    assert frame["origin"].to_list() == [Origin.AI] * 4
    assert frame["trainer"].to_list() == [0] * 4 and frame["generation"].to_list() == [1] * 4
    assert store.ai_share() == 1.0 and store.n_tokens == 14
    assert store.site_tokens[[3, 4, 5, 6]].tolist() == [2, 4, 5, 3]


def test_weighted_sample_without_replacement():
    rng = np.random.default_rng(0)
    weights = np.array([0.0, 1.0, 0.0, 2.0, 3.0])
    assert weighted_sample(weights, 10, rng).tolist() == [1, 3, 4]
    picks = np.concatenate([weighted_sample(weights, 1, rng) for _ in range(3000)])
    share = np.bincount(picks, minlength=5) / len(picks)
    assert np.allclose(share, weights / weights.sum(), atol=0.03)
    two = weighted_sample(np.arange(1.0, 101.0), 50, rng)
    assert len(np.unique(two)) == 50


def _successive_pair_law(w: np.ndarray) -> dict[tuple[int, int], float]:
    """Exact probability of each pair drawn by two successive draws ∝ w without replacement."""
    total, law = w.sum(), {}
    for i in range(len(w)):
        for j in range(i + 1, len(w)):
            law[(i, j)] = w[i] / total * w[j] / (total - w[i]) + w[j] / total * w[i] / (
                total - w[j]
            )
    return law


@pytest.mark.parametrize("draw", [weighted_sample, _poisson_keys], ids=["keys", "points"])
def test_weighted_sample_has_the_law_of_successive_draws(draw):
    """Chi-square of 20,000 samples of 2 out of 5 against the exact pair probabilities (a
    sequential weighted draw without replacement), with weights 0.1 .. 4 that make several
    slabs of points and many points per item likely; both ways of finding the keys."""
    from scipy.stats import chisquare

    w = np.array([0.1, 0.5, 1.0, 2.0, 4.0])
    law = _successive_pair_law(w)
    rng = np.random.default_rng(7)
    counts = dict.fromkeys(law, 0)
    for _ in range(20_000):
        i, j = draw(w, 2, rng).tolist()
        counts[(i, j)] += 1
    observed = np.array([counts[p] for p in law])
    expected = np.array([law[p] for p in law]) * observed.sum()
    assert chisquare(observed, expected).pvalue > 1e-3
    big = np.r_[np.zeros(10), rng.random(100_000), np.zeros(5)]  # zero weights: never drawn
    big[100:200] = 0.0
    picks = draw(big, 2000, rng)
    assert len(np.unique(picks)) == 2000 and np.all(np.diff(picks) > 0)
    assert (big[picks] > 0).all()


def test_the_choice_of_key_search_compares_the_points_needed_with_the_budget():
    """W·τ, with τ the root of Σ 1 - exp(-w τ) = k (found to 1e-12 by bisection here), is
    above the budget of points exactly when the one-pass test says so."""
    rng = np.random.default_rng(3)
    for weights, k in [
        (rng.pareto(1.0, 5000), 50),
        (rng.random(20_000), 2000),
        (np.r_[np.full(10, 1e6), rng.random(3000) * 1e-3], 10),
    ]:
        lo, hi = 0.0, 1.0
        while np.sum(-np.expm1(-weights * hi)) < k:
            hi *= 2.0
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if np.sum(-np.expm1(-weights * mid)) < k else (lo, mid)
        points = weights.sum() * hi
        for budget in (points * 0.9, points * 1.1):
            assert _needs_more_points(weights, k, budget) == (points > budget)


@pytest.mark.parametrize("unit", ["site", "page"])
def test_crawl_unit_sets_how_sites_share_the_crawl(model, unit):
    params = model.params.trainers[0].model_copy(update={"crawl_unit": unit})
    rng = np.random.default_rng(1)
    weights = document_weights(model.store, model.web, 0, params, model.step_index, rng)
    rank = site_weights(model.web, params, rng)
    site = model.store.column("site")
    per_site = np.bincount(site, weights=weights, minlength=model.web.n_sites)
    blocked = model.web.opted_out(0, model.step_index)
    has_docs = np.bincount(site, minlength=model.web.n_sites) > 0
    assert blocked[has_docs].any() and (per_site[blocked] == 0).all()
    if unit == "site":  # a site's total weight is its rank, however many pages it has
        assert np.allclose(per_site[has_docs & ~blocked], rank[has_docs & ~blocked])
    else:  # every page carries its site's rank
        open_docs = ~blocked[site]
        assert np.allclose(weights[open_docs], rank[site[open_docs]])
