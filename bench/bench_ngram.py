"""ngram fit + sample throughput on 1e7 tokens vs a bare numpy kernel, in the same run.

The bare kernel is the least any bigram implementation must do: one ``bincount`` for the counts
and, per position, ``cumsum`` + ``searchsorted`` over the smoothed table to sample. ecosim's
learner does the same work plus topics, document structure, backoff and decoding. Target:
ecosim throughput >= 0.8x the bare kernel's.

Both run alternately in pairs (see ``common.paired``); the figure is the median over the pairs
of the per-pair throughput ratio, with its range. BLAS/OpenMP threads are fixed (``--threads``).

Run: ``.venv/bin/python bench/bench_ngram.py [--tokens 10000000] [--pairs 5] [--threads 1]``
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
from ecosystem.core.data import TokenDocs  # noqa: E402
from ecosystem.core.rng import ReplicaRNG, Stream  # noqa: E402
from ecosystem.learners.ngram import NgramLearner  # noqa: E402
from ecosystem.truth.tokens import TokensTruth  # noqa: E402

DOC_LENGTH = 64


def bare_kernel(docs: TokenDocs, V: int, add_k: float, rng: np.random.Generator) -> np.ndarray:
    """Bigram counts by bincount; sampling by cumsum + searchsorted, one pass per position."""
    tok = docs.tokens.astype(np.int64)
    first = docs.position_in_doc() == 0
    prev = np.empty_like(tok)
    prev[1:] = tok[:-1]
    prev[first] = V  # BOS row
    counts = np.bincount(prev * V + tok, minlength=(V + 1) * V).astype(np.float64) + add_k
    cum = np.cumsum(counts)
    row_total = counts.reshape(V + 1, V).sum(axis=1)
    row_start = cum[::V] - counts[::V]
    n_docs = docs.n_docs
    u = rng.random((DOC_LENGTH, n_docs))
    out = np.empty((DOC_LENGTH, n_docs), dtype=np.int64)
    state = np.full(n_docs, V, dtype=np.int64)
    for t in range(DOC_LENGTH):
        target = row_start[state] + u[t] * row_total[state]
        idx = np.minimum(np.searchsorted(cum, target, side="right"), (V + 1) * V - 1)
        state = idx % V
        out[t] = state
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=10_000_000)
    parser.add_argument("--vocab", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    fix_threads(args.threads)
    V, add_k = args.vocab, 0.01
    truth = TokensTruth(
        TokensTruthParams(
            vocab_size=V, topics=1, doc_length_min=DOC_LENGTH, doc_length_max=DOC_LENGTH
        ),
        seed=0,
    )
    n_docs = args.tokens // DOC_LENGTH
    docs = truth.sample(np.array([n_docs]), ReplicaRNG.for_replicas(0, Stream.INITIAL, [0]))
    learner = NgramLearner(
        NgramParams(order=2, add_k=add_k, condition_on_topic=False), truth.vocab_size, truth.topics
    )
    plain = DecodingParams()

    def ecosim() -> None:
        fitted = learner.fit(docs)
        fitted.sample(np.array([n_docs]), ReplicaRNG.for_replicas(0, Stream.LOOP, [0]), plain)

    def bare() -> None:
        bare_kernel(docs, V, add_k, np.random.default_rng(0))

    timing = paired(bare, ecosim, pairs=args.pairs)
    t_bare, t_ecosim = timing["a_median_s"], timing["b_median_s"]
    tokens = docs.n_tokens * 2  # counted once in the fit and once sampled
    result = {
        "tokens": docs.n_tokens,
        "vocab_size": V,
        "order": 2,
        "bare_median_s": round(t_bare, 3),
        "ecosim_median_s": round(t_ecosim, 3),
        "bare_tokens_per_s": round(tokens / t_bare),
        "ecosim_tokens_per_s": round(tokens / t_ecosim),
        "throughput_ratio": round(timing["ratio_median"], 3),
        "throughput_ratio_range": [round(timing["ratio_min"], 3), round(timing["ratio_max"], 3)],
        "pairs": timing,
        "target_ratio": 0.8,
    }
    print(f"{'':10}{'median s':>10}{'Mtokens/s':>12}")
    print(f"{'bare':10}{t_bare:10.2f}{tokens / t_bare / 1e6:12.2f}")
    print(f"{'ecosim':10}{t_ecosim:10.2f}{tokens / t_ecosim / 1e6:12.2f}")
    print(describe(timing, "bare", "ecosim") + " = ecosim/bare throughput (target >= 0.8)")
    print(f"saved {save('ngram', result)}")


if __name__ == "__main__":
    main()
