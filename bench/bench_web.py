"""PageRank on the web's kept link matrix vs networkx's, on the same grown web, paired.

The web is grown the way the world grows it (platforms, batches of personal sites by
preferential attachment, link-farm sites) to ``--sites`` sites. ecosim's ``update_pagerank``
is timed with its cached matrix dropped first (the worst case: links arrived since the last
ranking); the reference is ``networkx.pagerank`` on the same graph (prebuilt, as the world kept
it), which builds its sparse matrix from the graph on every call. Ranks must agree within 1e-9.

Run: ``.venv/bin/python bench/bench_web.py [--sites 100000] [--pairs 5]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import describe, fix_threads, paired, save  # noqa: E402

from ecosystem.config.world import FarmsParams, OptOutParams, WebParams  # noqa: E402
from ecosystem.world.web import Web  # noqa: E402


def grow(sites: int, seed: int = 0) -> Web:
    """A web of about ``sites`` sites: 20 platforms, personal batches of 2%, a few farm sites."""
    rng = np.random.default_rng(seed)
    web = Web(WebParams(), OptOutParams(), n_crawlers=1, opt_out_rng=np.random.default_rng(1))
    web.add_platforms(20)
    batch = max(sites // 50, 1)
    while web.n_sites < sites:
        web.add_personal_sites(np.arange(batch), rng)
        web.add_farm_sites(np.zeros(2, dtype=np.int64), FarmsParams(), rng)
    return web


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    fix_threads(args.threads)
    import networkx as nx

    web = grow(args.sites)
    graph = web.graph

    def kept() -> np.ndarray:
        web._matrix = None
        return web.update_pagerank()

    def networkx() -> dict:
        return nx.pagerank(graph, alpha=web.params.damping)

    reference = networkx()
    gap = float(np.abs(kept() - np.array([reference[i] for i in range(web.n_sites)])).max())
    timing = paired(networkx, kept, pairs=args.pairs)
    print(f"{web.n_sites:,} sites, {web.n_links:,} links; max |rank difference| {gap:.1e}")
    print(
        f"networkx {timing['a_median_s']:.3f}s, kept matrix {timing['b_median_s']:.3f}s; "
        + describe(timing, "networkx", "kept")
        + " = speed-up"
    )
    path = save(
        "web",
        {
            "sites": web.n_sites,
            "links": web.n_links,
            "max_rank_difference": gap,
            "networkx_median_s": timing["a_median_s"],
            "kept_median_s": timing["b_median_s"],
            "speedup": timing["ratio_median"],
            "speedup_range": [timing["ratio_min"], timing["ratio_max"]],
            "target_max_rank_difference": 1e-9,
            "pairs": timing,
        },
    )
    print(f"saved {path}")


if __name__ == "__main__":
    main()
