"""Deployed models and the market for them: quality, logit shares, concentration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.config.learners import DecodingParams
from ecosystem.core.data import TokenDocs
from ecosystem.core.rng import ReplicaRNG


@dataclass(frozen=True)
class Deployment:
    """A model that writes documents on the web: a trainer's generation and how it decodes.

    Attributes:
        trainer: index of the trainer that trained it.
        generation: its generation.
        fitted: the fitted learner (R = 1).
        decoding: how it samples.
        excess_cross_entropy: its excess over the truth on the shared test set (nats/token).
        price: price per document (0 for open weights).
        watermark: whether its documents carry a watermark.
    """

    trainer: int
    generation: int
    fitted: Any
    decoding: DecodingParams
    excess_cross_entropy: float
    price: float = 0.0
    watermark: bool = False

    @property
    def quality(self) -> float:
        """Quality on the market: minus the excess cross-entropy (higher is better)."""
        return -self.excess_cross_entropy

    @property
    def usefulness(self) -> float:
        """u = exp(-excess cross-entropy) in (0, 1]: the truth's perplexity over the model's."""
        return float(np.exp(-max(self.excess_cross_entropy, 0.0)))

    def write(self, topics: np.ndarray, rng: np.random.Generator) -> TokenDocs:
        """One document per entry of ``topics`` (one sampling call for the whole batch).

        Learners without topic-conditioned sampling write on topics of their own choosing.
        """
        sample_topics = getattr(self.fitted, "sample_topics", None)
        if sample_topics is not None:
            return sample_topics(topics, rng, self.decoding)
        return self.fitted.sample(np.array([len(topics)]), ReplicaRNG([rng]), self.decoding)

    def priced(self, price: float, watermark: bool) -> Deployment:
        """The same model sold at ``price`` (with or without a watermark)."""
        return Deployment(
            self.trainer,
            self.generation,
            self.fitted,
            self.decoding,
            self.excess_cross_entropy,
            price,
            watermark,
        )


def logit_shares(quality: np.ndarray, sensitivity: float) -> np.ndarray:
    """Market shares ∝ exp(sensitivity · quality); NaN quality (nothing deployed) gets 0."""
    quality = np.asarray(quality, dtype=np.float64)
    present = ~np.isnan(quality)
    shares = np.zeros(quality.shape)
    if present.any():
        z = sensitivity * quality[present]
        w = np.exp(z - z.max())
        shares[present] = w / w.sum()
    return shares


def herfindahl(shares: np.ndarray) -> float:
    """Herfindahl-Hirschman index of shares that sum to 1 (0..1; 1 is a monopoly)."""
    shares = np.asarray(shares, dtype=np.float64)
    total = shares.sum()
    return float(((shares / total) ** 2).sum()) if total > 0 else 0.0
