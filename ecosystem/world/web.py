"""The web: sites and hyperlinks grown by preferential attachment, ranked by PageRank.

Site attributes live in numpy columns indexed by site id (= graph node): kind (personal,
platform, farm), owner (author id, farm id, or -1 for platforms) and one opt-out threshold per
crawler. Hyperlinks only ever arrive: they are kept as one sorted array of edge keys
(``source << 32 | target``) that new links are merged into, which is the row-major order of the
link matrix, so the sparse matrix PageRank and the random surfer use is read off it in O(links)
without a sort and is never rebuilt from a graph. ``Web.graph`` hands out the same links as a
networkx DiGraph, built on demand, for users and tests that look at the web.

Platforms come first and link to each other; a new personal site links to
``links_per_new_site`` existing non-farm sites drawn with probability ∝ in-degree + offset (sites
created in one batch attach to the web as it was before the batch); farm sites link to one
another (the link farm) and get spam in-links from random personal sites (platforms mark
user links nofollow). All randomness comes
from the generators the caller passes in.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from ecosystem.config.world import FarmsParams, OptOutParams, WebParams
from ecosystem.core.buffers import Column

if TYPE_CHECKING:
    import networkx as nx

PLATFORM_OWNER = -1
_TARGET_BITS = 32
_TARGET_MASK = (1 << _TARGET_BITS) - 1
PAGERANK_TOL = 1.0e-6  # per site: the iteration stops when the L1 change < n_sites * tol
PAGERANK_MAX_ITER = 100


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
        self._edge_keys = np.zeros(0, dtype=np.int64)  # sorted, unique: source << 32 | target
        self._matrix: sparse.csr_array | None = None  # link matrix of the current links
        self._graph: tuple[tuple[int, int], nx.DiGraph] | None = None
        self._kind = Column(np.int8)
        self._owner = Column(np.int64)
        self._in_degree = Column(np.float64)
        self._threshold = Column(np.float64, width=max(n_crawlers, 1))
        self._opt_out_rng = opt_out_rng
        self.pagerank = np.zeros(0)
        self._rank_version = 0

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

    @property
    def n_links(self) -> int:
        """Number of distinct hyperlinks."""
        return len(self._edge_keys)

    def links(self) -> tuple[np.ndarray, np.ndarray]:
        """(sources, targets) of every hyperlink, sorted by source then target."""
        return self._edge_keys >> _TARGET_BITS, self._edge_keys & _TARGET_MASK

    def link_matrix(self) -> sparse.csr_array:
        """The (n_sites, n_sites) 0/1 link matrix, rows = sources, in canonical CSR form.

        Read off the sorted edge keys (no sort, no graph walk) and cached until links or sites
        arrive.
        """
        n = self.n_sites
        if self._matrix is None or self._matrix.shape[0] != n or self._matrix.nnz != self.n_links:
            sources, targets = self.links()
            indptr = np.searchsorted(sources, np.arange(n + 1))
            matrix = sparse.csr_array(
                (np.ones(self.n_links), targets, indptr), shape=(n, n), dtype=np.float64
            )
            matrix.has_sorted_indices = True
            matrix.has_canonical_format = True
            self._matrix = matrix
        return self._matrix

    @property
    def graph(self) -> nx.DiGraph:
        """The web as a networkx DiGraph (nodes = site ids), built on demand and cached.

        A snapshot for reading: editing it does not change the web.
        """
        import networkx as nx

        version = (self.n_sites, self.n_links)
        if self._graph is None or self._graph[0] != version:
            graph = nx.DiGraph()
            graph.add_nodes_from(range(self.n_sites))
            sources, targets = self.links()
            graph.add_edges_from(zip(sources.tolist(), targets.tolist(), strict=True))
            self._graph = (version, graph)
        return self._graph[1]

    # ------------------------------------------------------------------ growth
    def _new_sites(self, kind: SiteKind, owners: np.ndarray) -> np.ndarray:
        n = len(owners)
        ids = np.arange(self.n_sites, self.n_sites + n, dtype=np.int64)
        self._kind.append(np.full(n, kind))
        self._owner.append(owners)
        self._in_degree.append(np.zeros(n))
        self._threshold.append(self._opt_out_rng.random((n, self._threshold.view.shape[1])))
        return ids

    def _link(self, sources: np.ndarray, targets: np.ndarray) -> None:
        """Add the links not already there (no self-links); merged into the sorted keys."""
        keep = sources != targets
        keys = np.unique(
            (np.asarray(sources, dtype=np.int64)[keep] << _TARGET_BITS)
            | np.asarray(targets, dtype=np.int64)[keep]
        )
        at = np.searchsorted(self._edge_keys, keys)
        known = at < len(self._edge_keys)
        known[known] = self._edge_keys[at[known]] == keys[known]
        fresh = keys[~known]
        if len(fresh):
            self._edge_keys = np.insert(self._edge_keys, at[~known], fresh)
            np.add.at(self._in_degree.view, fresh & _TARGET_MASK, 1.0)

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
        """Recompute PageRank on the link matrix; returns it indexed by site id.

        The power iteration of ``networkx.pagerank`` (uniform start, teleport and dangling
        weights; tolerance ``n_sites * 1e-6`` in L1; at most 100 iterations), step for step, so
        the ranks equal networkx's on ``self.graph``.
        """
        self.pagerank = pagerank(self.link_matrix(), self.params.damping)
        self._rank_version += 1  # the critical sources may have changed
        return self.pagerank

    def surfer_visits(self, rng: np.random.Generator, surfers: int, length: int) -> np.ndarray:
        """Share of visits per site of ``surfers`` random walks of ``length`` sites each.

        Each walk starts at a uniform site; at each move it follows a uniform out-link with
        probability ``damping`` and jumps to a uniform site otherwise (or when it has no link).
        """
        n = self.n_sites
        adjacency = self.link_matrix()
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
        with ``critical_growth_per_step`` the critical sources follow their own share).

        Kept until the web changes (a site joins, PageRank is recomputed) or the step does: the
        crawl and several reporters ask for the same masks within a step. Read-only.
        """
        context = (step, self.n_sites, self._rank_version)
        if getattr(self, "_opted_context", None) != context:  # none yet, or a stale one
            self._opted_context, self._opted = context, {}
        if crawler not in self._opted:
            mask = self._opted_out(crawler, step)
            mask.flags.writeable = False
            self._opted[crawler] = mask
        return self._opted[crawler]

    def _opted_out(self, crawler: int, step: int) -> np.ndarray:
        share = self.opt_out_share(step)
        threshold = self._threshold.view[:, crawler]
        if self.opt_out_params.critical_growth_per_step is not None:
            share = np.where(self.critical_sites(), self.critical_share(step), share)
        return self.eligible_for_opt_out() & (threshold < share)


def pagerank(links: sparse.csr_array, damping: float) -> np.ndarray:
    """PageRank of a 0/1 link matrix (rows = sources) by networkx's scipy power iteration.

    Raises:
        networkx.PowerIterationFailedConvergence: after ``PAGERANK_MAX_ITER`` iterations.
    """
    n = links.shape[0]
    if n == 0:
        return np.zeros(0)
    out_links = links.sum(axis=1)
    out_links[out_links != 0] = 1.0 / out_links[out_links != 0]
    transition = sparse.dia_array((out_links.T, 0), shape=links.shape).tocsr() @ links
    x = np.repeat(1.0 / n, n)
    teleport = np.repeat(1.0 / n, n)
    dangling = np.flatnonzero(out_links == 0)
    for _ in range(PAGERANK_MAX_ITER):
        last = x
        # the dangling mass summed left to right (cumsum), as networkx's builtin sum does
        dangling_mass = np.cumsum(x[dangling])[-1] if len(dangling) else 0
        x = damping * (x @ transition + dangling_mass * teleport) + (1 - damping) * teleport
        if np.absolute(x - last).sum() < n * PAGERANK_TOL:
            return x
    import networkx as nx

    raise nx.PowerIterationFailedConvergence(PAGERANK_MAX_ITER)
