"""Crawling: which documents a trainer's crawler collects from the web.

Each site has a weight: its PageRank, or the visit share of simulated random surfers; 0 when it
blocks this crawler (and the crawler respects that). Each document has a base weight: a recency
factor 0.5^(age / half-life) when the crawler prefers fresh pages (else 1), and 0 for AI text
when the crawler is a human-only control. Walled sites (platforms owned by another company, or
selling licences: ``ecosystem.world.holdings``) weigh 0 whatever the crawler's opt-out policy.
With ``crawl_unit: site`` a site's share of the crawl is its weight, split among its documents
by base weight; with ``crawl_unit: page`` every document weighs its site's weight times its
base weight, so prolific sites get more of the crawl. The crawl is a weighted sample without
replacement of ``budget`` documents (Efraimidis-Spirakis keys, found as the points of a Poisson
process: :func:`weighted_sample`).
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
    # the recency factor is one value per step, and documents are stored in step order
    steps = np.arange(-1, step + 1)
    per_step = np.ones(len(steps))
    if params.recency_half_life is not None:
        per_step = np.exp2(-np.maximum(step - steps, 0) / params.recency_half_life)
    counts = store.docs_per_step()
    base = np.repeat(per_step[: len(counts)], counts)
    chunks = [slice(lo, lo + CHUNK) for lo in range(0, store.n_docs, CHUNK)]
    if params.human_only:
        origin = store.column("origin")
        for part in chunks:
            base[part][origin[part] != Origin.HUMAN] = 0.0
    if params.crawl_unit == "site":
        site_total = np.zeros(web.n_sites)
        for part in chunks:
            site_total += np.bincount(site[part], weights=base[part], minlength=web.n_sites)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_site = np.where(site_total > 0, per_site / site_total, 0.0)
    for part in chunks:  # in chunks: the gathers' index copies stay small
        base[part] *= per_site[site[part]]
    return base


CHUNK = 1 << 22
"""Documents per chunk of the per-document passes (bounds their temporary arrays)."""


def weighted_sample(
    weights: np.ndarray, k: int, rng: np.random.Generator, overwrite: bool = False
) -> np.ndarray:
    """Up to ``k`` indices without replacement, sequentially ∝ ``weights`` (sorted ids).

    The sample is Efraimidis & Spirakis's (2006): the ``k`` smallest keys E_i / w_i with E_i
    standard exponential. When few of the items are in reach of the sample, the keys are found
    without drawing one per item (:func:`_poisson_keys`); when the weight is concentrated on
    about ``k`` items, every item gets its key. The choice depends on the weights only, so
    either way the sample has the same law; zero-weight items are never drawn. With
    ``overwrite`` the weights' array may be reused (it holds their cumulative sum after).
    """
    weights = np.asarray(weights, dtype=np.float64)
    positive = weights > 0
    n_positive = int(np.count_nonzero(positive))
    if n_positive <= k:
        return np.flatnonzero(positive)
    if _expected_points(weights, k) > len(weights) / POINTS_PER_KEY:
        idx = np.flatnonzero(positive)
        keys = rng.standard_exponential(len(idx)) / weights[idx]
        return np.sort(idx[np.argpartition(keys, k - 1)[:k]])
    return _poisson_keys(weights, k, rng, overwrite)


POINTS_PER_KEY = 32
"""A point of :func:`_poisson_keys` (a search into every item's cumulative weight) costs about
as much as this many per-item keys."""


def _expected_points(weights: np.ndarray, k: int) -> float:
    """About how many points :func:`_poisson_keys` needs for ``k`` items: W·τ with τ where the
    expected number of items holding a point, Σ 1 - exp(-w_i τ), reaches ``k`` (solved by
    bisection on a fixed stride of the items: deterministic, so the choice it guides is too)."""
    stride = max(1, len(weights) // 65_536)
    sample = weights[::stride]
    scale = len(weights) / len(sample)
    total = float(weights.sum())
    lo, hi = 1e-300, 1.0 / max(float(sample[sample > 0].min(initial=1.0)), 1e-300)
    hi = max(hi, k / total) * 1e6
    neg = -sample  # the sums below are -Σ expm1(-w·τ), in two reused buffers
    scaled, held = np.empty_like(neg), np.empty_like(neg)
    for _ in range(100):
        mid = np.sqrt(lo * hi)
        np.multiply(neg, mid, out=scaled)
        if scale * -float(np.expm1(scaled, out=held).sum()) < k:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1.01:
            break
    return total * hi


def _poisson_keys(
    weights: np.ndarray, k: int, rng: np.random.Generator, overwrite: bool = False
) -> np.ndarray:
    """The ``k`` smallest exponential keys, found as the points of a Poisson process.

    Lay the items end to end on [0, W) (item i owns an interval of length w_i) and scatter the
    points of a unit-rate Poisson process over [0, W) × [0, ∞): the earliest point in item i's
    strip comes at an exponential time of rate w_i, independently across items, which is
    exactly the law of its key E_i / w_i. So the points up to a time τ (a Poisson number,
    uniform in the rectangle) give every key below τ; once at least ``k`` items have one, the
    ``k`` earliest are the sample. More time is added (memorylessly: a new slab of points)
    until they do. The cost is one cumulative sum and the points' searches, instead of a key
    and a partition over every item; zero-weight items own empty intervals.
    """
    cum = np.cumsum(weights, out=weights if overwrite else None)
    total = float(cum[-1])
    last = int(np.searchsorted(cum, total, side="left"))  # the last item of positive weight
    items, times = [], []
    start, end = 0.0, (k + 4.0 * np.sqrt(k) + 8.0) / total  # enough for k, when spread
    while True:
        m = int(rng.poisson(total * (end - start)))
        where = np.sort(rng.random(m)) * total  # sorted: the searches walk memory in order
        items.append(np.minimum(np.searchsorted(cum, where, side="right"), last))
        times.append(start + (end - start) * rng.random(m))
        item, time = np.concatenate(items), np.concatenate(times)
        order = np.lexsort((time, item))
        first = np.r_[True, item[order][1:] != item[order][:-1]]
        if np.count_nonzero(first) >= k:
            earliest = order[first]
            keep = earliest[np.argpartition(time[earliest], k - 1)[:k]]
            return np.sort(item[keep])
        start, end = end, 2.0 * end


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
    return weighted_sample(weights, budget, rng, overwrite=True)
