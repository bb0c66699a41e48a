"""The web's link arrays: PageRank on the kept matrix equals networkx's on the same graph."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from ecosystem.config.world import FarmsParams, OptOutParams, WebParams
from ecosystem.world.web import Web, pagerank


def grown_web(seed: int = 0) -> Web:
    """A web grown the way the world grows it: platforms, personal batches, farms, repeats."""
    rng = np.random.default_rng(seed)
    web = Web(WebParams(), OptOutParams(), n_crawlers=2, opt_out_rng=np.random.default_rng(1))
    web.add_platforms(3)
    farms = FarmsParams()
    for step in range(6):
        web.add_personal_sites(np.arange(40 * step, 40 * step + 40), rng)
        web.add_farm_sites(np.full(2, step), farms, rng)
    return web


def test_pagerank_equals_networkx_within_1e_9():
    web = grown_web()
    ranks = web.update_pagerank()
    reference = nx.pagerank(web.graph, alpha=web.params.damping)
    expected = np.array([reference[i] for i in range(web.n_sites)])
    assert np.abs(ranks - expected).max() <= 1e-9
    assert np.isclose(ranks.sum(), 1.0)


def test_links_are_unique_sorted_and_match_the_graph_and_in_degree():
    web = grown_web(3)
    sources, targets = web.links()
    keys = sources * web.n_sites + targets
    assert np.all(np.diff(keys) > 0), "sorted by (source, target), no duplicates"
    assert not np.any(sources == targets), "no self-links"
    assert web.graph.number_of_edges() == web.n_links
    assert set(web.graph.edges()) == set(zip(sources.tolist(), targets.tolist(), strict=True))
    in_degree = np.bincount(targets, minlength=web.n_sites)
    np.testing.assert_array_equal(web._in_degree.view, in_degree)


def test_link_matrix_equals_networkx_adjacency_and_follows_growth():
    web = grown_web(5)
    first = web.link_matrix()
    reference = nx.to_scipy_sparse_array(web.graph, nodelist=range(web.n_sites), format="csr")
    np.testing.assert_array_equal(first.indptr, reference.indptr)
    np.testing.assert_array_equal(first.indices, reference.indices)
    assert web.link_matrix() is first, "cached while nothing arrives"
    web.add_personal_sites(np.arange(5), np.random.default_rng(9))
    grown = web.link_matrix()
    assert grown.shape == (web.n_sites, web.n_sites) and grown.nnz == web.n_links > first.nnz


def test_relinking_adds_nothing():
    web = grown_web(2)
    sources, targets = web.links()
    before = web.n_links
    web._link(sources.copy(), targets.copy())
    assert web.n_links == before


def test_pagerank_of_a_cycle_with_a_dangling_site():
    # 0 -> 1 -> 2 -> 0 and 3 dangling: networkx on the same graph is the closed reference
    graph = nx.DiGraph([(0, 1), (1, 2), (2, 0)])
    graph.add_node(3)
    matrix = nx.to_scipy_sparse_array(graph, nodelist=range(4), format="csr")
    reference = nx.pagerank(graph, alpha=0.85)
    assert pagerank(matrix, 0.85) == pytest.approx([reference[i] for i in range(4)], abs=1e-12)
    assert len(pagerank(matrix[[], :][:, []], 0.85)) == 0
