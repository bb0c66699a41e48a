"""Token draws: guide tables (O(1) per draw) vs the binary search they replace, paired.

Both find the same index (the inverse CDF) for the same uniforms; the binary search is the
previous code path (``sparse.search``: sort the targets, ``np.searchsorted``, unsort, for the
n-gram; a plain ``np.searchsorted`` over the flat cumulative weights for the truth). Two
tables: the n-gram learner's decoded rows fitted on ``--tokens`` human tokens (trigram, V =
``--vocab``; one draw per token of a document batch) and the truth's per-topic unigram (K x V
cumulative weights, small enough to stay in cache; it draws every document's first token and
the background draws), through the truth's own guide table (``TokensTruth._draw_unigram``).

Run: ``.venv/bin/python bench/bench_samplers.py [--tokens 2000000] [--draws 2000000]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import describe, fix_threads, paired, save  # noqa: E402

from ecosystem.config.learners import DecodingParams, NgramParams  # noqa: E402
from ecosystem.config.truth import TokensTruthParams  # noqa: E402
from ecosystem.core.rng import ReplicaRNG, Stream  # noqa: E402
from ecosystem.learners.ngram import NgramLearner  # noqa: E402
from ecosystem.learners.sparse import search  # noqa: E402
from ecosystem.truth.tokens import TokensTruth  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=2_000_000)
    parser.add_argument("--draws", type=int, default=2_000_000)
    parser.add_argument("--vocab", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    fix_threads(1)
    truth = TokensTruth(TokensTruthParams(vocab_size=args.vocab, topics=8), seed=0)
    docs = truth.sample(
        np.array([args.tokens // 40]), ReplicaRNG.for_replicas(0, Stream.INITIAL, [0])
    )
    learner = NgramLearner(NgramParams(order=3, add_k=0.01), truth.vocab_size, truth.topics)
    fitted = learner.fit(docs)
    rows = fitted.decoded(DecodingParams())
    gen = np.random.default_rng(1)
    row = gen.integers(0, len(rows.row_kept_start), size=args.draws)
    target = rows.row_cum_start[row] + gen.random(args.draws) * rows.row_seen_mass[row]
    lo, hi = rows.row_kept_start[row], rows.row_kept_end[row] - 1

    def binary() -> np.ndarray:
        return np.clip(search(rows.kept_cum, target, side="right"), lo, hi)

    def guide() -> np.ndarray:
        return np.minimum(rows.guide.index(row, target), hi)

    assert np.array_equal(binary(), guide())
    ngram = paired(binary, guide, pairs=args.pairs)
    topic = gen.integers(0, truth.topics, size=args.draws)
    u = gen.random(args.draws)
    flat, V = truth._flat_unigram_cdf, truth.vocab_size

    def unigram_binary() -> np.ndarray:  # the truth's draw before its guide table
        idx = np.searchsorted(flat, topic + u, side="right")
        return np.clip(idx - topic * V, 0, V - 1)

    def unigram_guide() -> np.ndarray:
        return truth._draw_unigram(topic, u)

    assert np.array_equal(unigram_binary(), unigram_guide())
    unigram = paired(unigram_binary, unigram_guide, pairs=args.pairs)
    print(f"n-gram rows: {len(rows.row_kept_start):,}, entries {len(rows.kept_cum):,}")
    print("ngram draw:   " + describe(ngram, "binary search", "guide table") + " = speed-up")
    print("truth unigram: " + describe(unigram, "binary search", "guide table") + " = speed-up")
    result = {
        "draws": args.draws,
        "ngram_rows": len(rows.row_kept_start),
        "ngram_entries": len(rows.kept_cum),
        "truth_unigram_entries": len(flat),
        "ngram": {
            "binary_ns_per_draw": ngram["a_median_s"] / args.draws * 1e9,
            "guide_ns_per_draw": ngram["b_median_s"] / args.draws * 1e9,
            "speedup": ngram["ratio_median"],
            "speedup_range": [ngram["ratio_min"], ngram["ratio_max"]],
            "pairs": ngram,
        },
        "truth_unigram": {
            "binary_ns_per_draw": unigram["a_median_s"] / args.draws * 1e9,
            "guide_ns_per_draw": unigram["b_median_s"] / args.draws * 1e9,
            "speedup": unigram["ratio_median"],
            "speedup_range": [unigram["ratio_min"], unigram["ratio_max"]],
            "pairs": unigram,
        },
    }
    print(f"saved {save('samplers', result)}")


if __name__ == "__main__":
    main()
