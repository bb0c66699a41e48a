"""The web: a networkx DiGraph of sites, grown by preferential attachment, ranked by PageRank.

Site attributes live in numpy columns indexed by site id (= graph node): kind (personal,
platform, farm), owner (author id, farm id, or -1 for platforms) and one opt-out threshold per
crawler. Platforms come first and link to each other; a new personal site links to
``links_per_new_site`` existing non-farm sites drawn with probability ∝ in-degree + offset (sites
created in one batch attach to the web as it was before the batch); farm sites link to one
another (the link farm) and get spam in-links from random personal sites (platforms mark
user links nofollow). All randomness comes
from the generators the caller passes in; networkx is only asked for PageRank (scipy-backed).
"""

from __future__ import annotations

from enum import IntEnum

import networkx as nx
import numpy as np

from ecosystem.config.world import FarmsParams, OptOutParams, WebParams
from ecosystem.core.buffers import Column

PLATFORM_OWNER = -1


class SiteKind(IntEnum):
    """What a site is."""

    PERSONAL = 0
    PLATFORM = 1
    FARM = 2


class Web:
    """Sites, hyperlinks, PageRank and crawl opt-outs.

    Args:
        params: web parameters.
        opt_out: opt-out parameters.
        n_crawlers: number of crawlers (trainers) that sites may block.
        opt_out_rng: generator of the per-(site, crawler) opt-out thresholds.
    """

    def __init__(
        self,
        params: WebParams,
        opt_out: OptOutParams,
        n_crawlers: int,
        opt_out_rng: np.random.Generator,
    ):
        self.params = params
        self.opt_out_params = opt_out
        self.n_crawlers = n_crawlers
        self.graph = nx.DiGraph()
        self._kind = Column(np.int8)
        self._owner = Column(np.int64)
        self._in_degree = Column(np.float64)
        self._threshold = Column(np.float64, width=max(n_crawlers, 1))
        self._opt_out_rng = opt_out_rng
        self.pagerank = np.zeros(0)

    # ------------------------------------------------------------------ columns
    @property
    def n_sites(self) -> int:
        return self._kind.size

    @property
    def kind(self) -> np.ndarray:
        """SiteKind of every site (int8)."""
        return self._kind.view

    @property
    def owner(self) -> np.ndarray:
        """Owner of every site: author id (personal), farm id (farm) or -1 (platform)."""
        return self._owner.view

    # ------------------------------------------------------------------ growth
    def _new_sites(self, kind: SiteKind, owners: np.ndarray) -> np.ndarray:
        n = len(owners)
        ids = np.arange(self.n_sites, self.n_sites + n, dtype=np.int64)
        self._kind.append(np.full(n, kind))
        self._owner.append(owners)
        self._in_degree.append(np.zeros(n))
        self._threshold.append(self._opt_out_rng.random((n, self._threshold.view.shape[1])))
        self.graph.add_nodes_from(ids.tolist())
        return ids

    def _link(self, sources: np.ndarray, targets: np.ndarray) -> None:
        keep = sources != targets
        pairs = np.unique(np.stack([sources[keep], targets[keep]], axis=1), axis=0)
        fresh = [(int(u), int(v)) for u, v in pairs if not self.graph.has_edge(int(u), int(v))]
        if fresh:
            self.graph.add_edges_from(fresh)
            np.add.at(self._in_degree.view, np.array([v for _, v in fresh]), 1.0)

    def add_platforms(self, n: int) -> np.ndarray:
        """Create ``n`` platform sites, all linking to each other."""
        ids = self._new_sites(SiteKind.PLATFORM, np.full(n, PLATFORM_OWNER))
        src, dst = np.meshgrid(ids, ids, indexing="ij")
        self._link(src.ravel(), dst.ravel())
        return ids

    def add_personal_sites(self, owners: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Create one personal site per owner, attached by preferential attachment.

        Large batches are added in chunks of at most half the current web, so early sites of
        the batch gather links from later ones (the rich-get-richer shape of the degree law).
        """
        owners = np.asarray(owners, dtype=np.int64)
        out = []
        done = 0
        while done < len(owners):
            chunk = max(1, min(len(owners) - done, self.n_sites // 2))
            candidates = np.flatnonzero(self.kind != SiteKind.FARM)
            ids = self._new_sites(SiteKind.PERSONAL, owners[done : done + chunk])
            if len(candidates):
                weight = self._in_degree.view[candidates] + self.params.attachment_offset
                m = self.params.links_per_new_site
                targets = rng.choice(candidates, size=(chunk, m), p=weight / weight.sum())
                self._link(np.repeat(ids, m), targets.ravel())
            out.append(ids)
            done += chunk
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)

    def add_farm_sites(
        self, farm_ids: np.ndarray, farms: FarmsParams, rng: np.random.Generator
    ) -> np.ndarray:
        """Create one site per entry of ``farm_ids``: link-farm edges and spam in-links."""
        farm_ids = np.asarray(farm_ids, dtype=np.int64)
        if len(farm_ids) == 0:
            return np.zeros(0, dtype=np.int64)
        personal = np.flatnonzero(self.kind == SiteKind.PERSONAL)
        ids = self._new_sites(SiteKind.FARM, farm_ids)
        farm_sites = np.flatnonzero(self.kind == SiteKind.FARM)
        # new -> every farm site and every farm site -> new, each with link_density
        out_mask = rng.random((len(ids), len(farm_sites))) < farms.link_density
        in_mask = rng.random((len(ids), len(farm_sites))) < farms.link_density
        new_rows, cols = np.nonzero(out_mask)
        in_rows, in_cols = np.nonzero(in_mask)
        sources = np.concatenate([ids[new_rows], farm_sites[in_cols]])
        targets = np.concatenate([farm_sites[cols], ids[in_rows]])
        if farms.spam_links and len(personal):
            spam = rng.choice(personal, size=(len(ids), farms.spam_links))
            sources = np.concatenate([sources, spam.ravel()])
            targets = np.concatenate([targets, np.repeat(ids, farms.spam_links)])
        self._link(sources, targets)
        return ids

    # ------------------------------------------------------------------ ranking
    def update_pagerank(self) -> np.ndarray:
        """Recompute PageRank (networkx, scipy-backed); returns it indexed by site id."""
        ranks = nx.pagerank(self.graph, alpha=self.params.damping)
        self.pagerank = np.fromiter(
            (ranks[i] for i in range(self.n_sites)), dtype=np.float64, count=self.n_sites
        )
        return self.pagerank

    def surfer_visits(self, rng: np.random.Generator, surfers: int, length: int) -> np.ndarray:
        """Share of visits per site of ``surfers`` random walks of ``length`` sites each.

        Each walk starts at a uniform site; at each move it follows a uniform out-link with
        probability ``damping`` and jumps to a uniform site otherwise (or when it has no link).
        """
        n = self.n_sites
        adjacency = nx.to_scipy_sparse_array(self.graph, nodelist=range(n), format="csr")
        indptr, indices = adjacency.indptr, adjacency.indices
        degree = np.diff(indptr)
        at = rng.integers(0, n, size=surfers)
        visits = np.bincount(at, minlength=n).astype(np.float64)
        for _ in range(length - 1):
            u_follow, u_pick, jump_to = (
                rng.random(surfers),
                rng.random(surfers),
                rng.integers(0, n, size=surfers),
            )
            deg = degree[at]
            follow = (u_follow < self.params.damping) & (deg > 0)
            pick = indptr[at] + np.minimum((u_pick * deg).astype(np.int64), np.maximum(deg - 1, 0))
            at = np.where(follow, indices[np.minimum(pick, len(indices) - 1)], jump_to)
            visits += np.bincount(at, minlength=n)
        return visits / visits.sum()

    # ------------------------------------------------------------------ opt-outs
    def opt_out_share(self, step: int) -> float:
        """The opted-out share of eligible sites per crawler at ``step``."""
        p = self.opt_out_params
        return min(p.max_share, p.initial_share + p.growth_per_step * max(step, 0))

    def eligible_for_opt_out(self) -> np.ndarray:
        """Sites that may opt out: personal sites, and platforms when the rule covers them."""
        kind = self.kind
        mask = kind == SiteKind.PERSONAL
        if self.opt_out_params.platforms:
            mask |= kind == SiteKind.PLATFORM
        return mask

    def critical_share(self, step: int) -> float:
        """The critical sources' opted-out share per crawler at ``step`` (weighted opt-outs)."""
        p = self.opt_out_params
        growth = p.critical_growth_per_step or 0.0
        return min(p.critical_max_share, p.initial_share + growth * max(step, 0))

    def critical_sites(self) -> np.ndarray:
        """The critical sources: the top ``critical_top`` share of eligible sites by PageRank
        (at the last recomputation; sites created since then are not critical)."""
        eligible = self.eligible_for_opt_out()
        ranked = np.flatnonzero(eligible[: len(self.pagerank)])
        n = int(np.ceil(self.opt_out_params.critical_top * np.count_nonzero(eligible)))
        top = ranked[np.argsort(-self.pagerank[ranked], kind="stable")[:n]]
        mask = np.zeros(self.n_sites, dtype=bool)
        mask[top] = True
        return mask

    def opted_out(self, crawler: int, step: int) -> np.ndarray:
        """Boolean mask of sites blocking ``crawler`` at ``step`` (thresholds below the share;
        with ``critical_growth_per_step`` the critical sources follow their own share)."""
        share = self.opt_out_share(step)
        threshold = self._threshold.view[:, crawler]
        if self.opt_out_params.critical_growth_per_step is not None:
            share = np.where(self.critical_sites(), self.critical_share(step), share)
        return self.eligible_for_opt_out() & (threshold < share)
