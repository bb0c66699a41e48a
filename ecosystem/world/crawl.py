"""Crawling: which documents a trainer's crawler collects from the web.

Each site has a weight: its PageRank, or the visit share of simulated random surfers; 0 when it
blocks this crawler (and the crawler respects that). Each document has a base weight: a recency
factor 0.5^(age / half-life) when the crawler prefers fresh pages (else 1), and 0 for AI text
when the crawler is a human-only control. Walled sites (platforms owned by another company, or
selling licences: ``ecosystem.world.holdings``) weigh 0 whatever the crawler's opt-out policy.
With ``crawl_unit: site`` a site's share of the crawl is its weight, split among its documents
by base weight; with ``crawl_unit: page`` every document weighs its site's weight times its
base weight, so prolific sites get more of the crawl. The crawl is a weighted sample without
replacement of ``budget`` documents (Efraimidis-Spirakis exponential keys, one vectorised pass).
"""

from __future__ import annotations

import numpy as np

from ecosystem.config.ecosystem import TrainerParams
from ecosystem.world.content import ContentStore, Origin
from ecosystem.world.web import Web


def site_weights(web: Web, params: TrainerParams, rng: np.random.Generator) -> np.ndarray:
    """Crawl weight of every site: PageRank or random-surfer visit shares.

    Sites created since the last PageRank update get the teleport floor (1 - damping) / N.
    """
    if params.crawl_mode == "random_surfer":
        return web.surfer_visits(rng, params.surfers, params.surf_length)
    weights = np.full(web.n_sites, (1.0 - web.params.damping) / max(web.n_sites, 1))
    weights[: len(web.pagerank)] = web.pagerank
    return weights


def document_weights(
    store: ContentStore,
    web: Web,
    crawler: int,
    params: TrainerParams,
    step: int,
    rng: np.random.Generator,
    walled: np.ndarray | None = None,
) -> np.ndarray:
    """Crawl weight of every stored document for crawler ``crawler`` at ``step`` (0 on the
    sites ``walled``)."""
    per_site = site_weights(web, params, rng)
    if params.respect_opt_out:
        per_site = np.where(web.opted_out(crawler, step), 0.0, per_site)
    if walled is not None and len(walled):
        per_site = per_site.copy()
        per_site[walled] = 0.0
    site = store.column("site")
    base = np.ones(store.n_docs)
    if params.recency_half_life is not None:
        age = step - store.column("step")
        base = np.exp2(-np.maximum(age, 0) / params.recency_half_life)
    if params.human_only:
        base = np.where(store.column("origin") == Origin.HUMAN, base, 0.0)
    if params.crawl_unit == "site":
        site_total = np.bincount(site, weights=base, minlength=web.n_sites)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_site = np.where(site_total > 0, per_site / site_total, 0.0)
    return per_site[site] * base


def weighted_sample(weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``k`` indices without replacement, sequentially ∝ ``weights`` (sorted ids).

    The k smallest keys E_i / w_i (E_i standard exponential) are a weighted sample without
    replacement (Efraimidis & Spirakis 2006); zero-weight items are never drawn.
    """
    positive = np.flatnonzero(weights > 0)
    if len(positive) <= k:
        return positive
    keys = rng.standard_exponential(len(positive)) / weights[positive]
    return np.sort(positive[np.argpartition(keys, k - 1)[:k]])


def crawl(
    store: ContentStore,
    web: Web,
    crawler: int,
    params: TrainerParams,
    step: int,
    budget: int,
    rng: np.random.Generator,
    walled: np.ndarray | None = None,
) -> np.ndarray:
    """The doc ids one crawl collects (at most ``budget``, sorted), none from ``walled`` sites."""
    weights = document_weights(store, web, crawler, params, step, rng, walled)
    return weighted_sample(weights, budget, rng)
