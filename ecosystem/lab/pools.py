"""Training pools of the data strategies: what each generation trains on, and its AI share."""

from __future__ import annotations

import numpy as np

from ecosystem.core.data import Data, Labeled, TokenDocs, Vectors
from ecosystem.core.rng import ReplicaRNG


def concat(parts: list[Data]) -> Data:
    """Concatenate same-modality containers sample-wise, replica by replica."""
    return type(parts[0]).concat(parts)


def n_items(data: Data) -> int:
    """Items per replica along the sample axis (documents for tokens: all replicas' docs)."""
    if isinstance(data, TokenDocs):
        return data.n_docs
    return data.x.shape[1] if isinstance(data, Vectors) else data.X.shape[1]


def subsample(
    data: Data, synthetic: np.ndarray, budget: int, rng: ReplicaRNG
) -> tuple[Data, np.ndarray]:
    """Draw ``budget`` items per replica without replacement from a pool.

    Args:
        data: the pool.
        synthetic: per-item flag (documents for tokens) marking AI-made items.
        budget: items per replica to keep (all when the pool is smaller).
        rng: per-replica generators.

    Returns:
        The subsample and its AI share per replica.
    """
    if isinstance(data, TokenDocs):
        per_rep = data.docs_per_replica()
        first = np.concatenate([[0], np.cumsum(per_rep)[:-1]])
        picks = [
            first[r] + np.sort(g.choice(per_rep[r], size=min(budget, per_rep[r]), replace=False))
            for r, g in enumerate(rng)
        ]
        shares = np.array([synthetic[p].mean() if len(p) else 0.0 for p in picks])
        return data.take(np.concatenate(picks)), shares
    n = n_items(data)
    k = min(budget, n)
    idx = np.stack([np.sort(g.choice(n, size=k, replace=False)) for g in rng])
    shares = synthetic[idx].mean(axis=1)
    taken = data.take(idx) if isinstance(data, Vectors | Labeled) else data
    return taken, shares
