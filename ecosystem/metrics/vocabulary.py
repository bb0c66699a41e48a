"""What a count-based token model's training data holds of the truth's vocabulary, per replica.

These metrics read a fitted model's training token counts (summed over contexts), not its
samples, so they are exact for the model:

- ``unigram_collision``: Σ_v q(v)² of the training unigram frequencies q, the collision
  probability of the maximum-likelihood unigram model; it rises towards 1 as a categorical
  model collapses onto few tokens (Shumailov et al. 2024; Seddik et al. 2024).
- ``unseen_mass``: the truth's token mass on tokens absent from the training data, i.e. the
  test error of a model that memorises what it saw (Hutter 2021; Dohmatob et al. 2024).

``TokenSurvival`` records, per replica and token, the first generation whose training data lacks
the token: its extinction generation under ``replace`` with ``add_k: 0``, where a lost token never
returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl


def training_counts(fitted: Any, truth: Any) -> tuple[np.ndarray, ...] | None:
    """(replica, token, count) of ``fitted``'s training data and the truth's token marginal, or
    None when the model keeps no token counts or the truth has no exact marginal."""
    counts = getattr(fitted, "training_token_counts", None)
    if not callable(counts) or not hasattr(truth, "token_marginal"):
        return None
    return (*counts(), truth.token_marginal())


def vocabulary_metrics(
    replica: np.ndarray,
    token: np.ndarray,
    count: np.ndarray,
    n_replicas: int,
    truth_marginal: np.ndarray,
) -> dict[str, np.ndarray]:
    """Collision probability and unseen truth mass of R replicas' training token counts.

    Args:
        replica: replica of each (replica, token) entry.
        token: token id of each entry.
        count: occurrences of the token in the replica's training data (> 0).
        n_replicas: R.
        truth_marginal: (V,) the truth's expected token shares.

    Returns:
        (R,) arrays ``unigram_collision`` and ``unseen_mass``.
    """
    totals = np.bincount(replica, weights=count, minlength=n_replicas)
    share = count / totals[replica]
    seen_mass = np.bincount(replica, weights=truth_marginal[token], minlength=n_replicas)
    return {
        "unigram_collision": np.bincount(replica, weights=share**2, minlength=n_replicas),
        "unseen_mass": np.clip(1.0 - seen_mass, 0.0, 1.0),
    }


class TokenSurvival:
    """The first generation whose training data lacks each token, per replica.

    Args:
        n_replicas: R.
        truth_marginal: (V,) the truth's expected token shares (recorded beside each token).
    """

    def __init__(self, n_replicas: int, truth_marginal: np.ndarray):
        self.truth_marginal = truth_marginal
        self.extinct = np.full((n_replicas, truth_marginal.shape[0]), -1, dtype=np.int64)

    def update(self, generation: int, replica: np.ndarray, token: np.ndarray) -> None:
        """Record the tokens present in ``generation``'s training data (sparse pairs)."""
        present = np.zeros(self.extinct.shape, dtype=bool)
        present[replica, token] = True
        self.extinct[~present & (self.extinct < 0)] = generation

    def frame(self, strategy: str) -> pl.DataFrame:
        """One row per (replica, token): truth rank (1 = most likely), truth probability and
        ``extinct_generation`` (null when the token was present in every generation)."""
        n_replicas, vocab = self.extinct.shape
        rank = np.empty(vocab, dtype=np.int64)
        rank[np.argsort(-self.truth_marginal, kind="stable")] = np.arange(1, vocab + 1)
        extinct = self.extinct.ravel()
        return pl.DataFrame(
            {
                "strategy": strategy,
                "replica": np.repeat(np.arange(n_replicas, dtype=np.int32), vocab),
                "token": np.tile(np.arange(vocab, dtype=np.int32), n_replicas),
                "truth_rank": np.tile(rank, n_replicas),
                "truth_prob": np.tile(self.truth_marginal, n_replicas),
                "extinct_generation": extinct,
            }
        ).with_columns(
            pl.when(pl.col("extinct_generation") >= 0).then(pl.col("extinct_generation"))
        )
