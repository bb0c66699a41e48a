"""A company's proprietary data: index sets into the content store, never copies.

Three holdings, each optional (``ecosystem.config.holdings.HoldingsParams``):

- **owned platforms**: every post on the company's platforms, walled off from other crawlers
  (:func:`walled_sites`); the owner takes the newest ``platform_docs`` each generation. Its
  users quit and adopt AI like everyone else, so AI-assisted posts land there and the owner,
  without provenance, takes them too: the moat can erode;
- **licensed archives**: the posts of platforms it holds an active licence to (bought through
  the ledger, ``ecosystem.world.ledger``), the newest ``licence_docs`` each generation;
- **a snapshot**: every document its trainers crawled before ``snapshot_cutoff`` that was
  published before it (a mask over store ids), ``snapshot_docs`` drawn anew each generation.

What a trainer receives passes through its filter chain like its crawl
(``ecosystem.pipeline.filters``), so a provenance filter can drop labelled posts of the owner's
own platform once labels exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosystem.config.holdings import HoldingsParams

if TYPE_CHECKING:
    from ecosystem.config.ecosystem import EcosystemScenario
    from ecosystem.world.content import ContentStore

OPEN = -1  # a platform anyone may crawl
SOLD = -2  # an independent platform that sells licences: closed to every crawler


def platform_owners(scenario: EcosystemScenario) -> np.ndarray:
    """Who controls each platform site (platforms are sites 0 .. web.platforms - 1): a company
    index, :data:`SOLD` for an independent platform selling licences, or :data:`OPEN`."""
    owner = np.full(scenario.web.platforms, OPEN, dtype=np.int64)
    for licence in scenario.licences:
        owner[licence.platform] = SOLD
    for index, company in enumerate(scenario.companies):
        owner[company.holdings.platforms] = index
    return owner


def walled_sites(owners: np.ndarray, company: int | None) -> np.ndarray:
    """Platform sites closed to the crawlers of ``company`` (None: an independent trainer):
    every platform owned by another company or selling licences, whatever the crawler's
    ``respect_opt_out`` (the owner enforces it, e.g. with a login wall)."""
    closed = owners != OPEN
    if company is not None:
        closed &= owners != company
    return np.flatnonzero(closed)


def posts_on(store: ContentStore, sites: np.ndarray) -> np.ndarray:
    """Ids of every document on ``sites``, oldest first (ids are in publication order)."""
    if len(sites) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.isin(store.column("site"), sites))


def newest(ids: np.ndarray, n: int) -> np.ndarray:
    """The last ``n`` of ``ids`` (the newest, since ids follow publication order)."""
    return ids[len(ids) - min(n, len(ids)) :]


class Holdings:
    """The proprietary documents of one company, as index sets into the content store.

    Args:
        params: its holdings block.
    """

    def __init__(self, params: HoldingsParams):
        self.params = params
        self.platforms = np.asarray(params.platforms, dtype=np.int64)
        self.snapshot = np.zeros(0, dtype=bool)  # mask over store ids
        self.licensed = np.zeros(0, dtype=np.int64)  # platforms under an active licence

    @property
    def any(self) -> bool:
        """Whether anything can ever be added to its trainers' data."""
        p = self.params
        return bool(
            (len(self.platforms) and p.platform_docs)
            or (p.snapshot_cutoff is not None and p.snapshot_docs)
            or p.licence_docs
        )

    def record_crawl(self, crawled: np.ndarray, store: ContentStore, step: int) -> None:
        """Keep the crawled documents published before the snapshot cutoff (before it only)."""
        cutoff = self.params.snapshot_cutoff
        if cutoff is None or step >= cutoff or len(crawled) == 0:
            return
        kept = crawled[store.column("step")[crawled] < cutoff]
        if len(self.snapshot) < store.n_docs:
            grown = np.zeros(store.n_docs, dtype=bool)
            grown[: len(self.snapshot)] = self.snapshot
            self.snapshot = grown
        self.snapshot[kept] = True

    def snapshot_ids(self) -> np.ndarray:
        """Every document of the snapshot (sorted ids)."""
        return np.flatnonzero(self.snapshot)

    def documents(self, store: ContentStore, rng: np.random.Generator) -> np.ndarray:
        """This generation's proprietary documents (sorted unique ids): the newest posts of its
        platforms and licensed archives, and a uniform draw from its snapshot."""
        p = self.params
        parts = [
            newest(posts_on(store, self.platforms), p.platform_docs),
            newest(posts_on(store, self.licensed), p.licence_docs),
        ]
        if p.snapshot_docs:
            snapshot = self.snapshot_ids()
            size = min(p.snapshot_docs, len(snapshot))
            parts.append(rng.choice(snapshot, size=size, replace=False))
        return np.unique(np.concatenate(parts))

    def tokens(self, store: ContentStore) -> dict[str, int]:
        """Tokens held now: its own platforms' posts, its licensed archives, its snapshot."""
        length = store.column("length")
        return {
            "platform_tokens": int(length[posts_on(store, self.platforms)].sum()),
            "licensed_tokens": int(length[posts_on(store, self.licensed)].sum()),
            "snapshot_tokens": int(length[self.snapshot_ids()].sum()),
        }
