"""The Gaussian learner: a multivariate normal fitted by moments (MLE or unbiased covariance).

Its fit depends on the data only through (n, mean, scatter), so it is a StatsLearner: statistics
combine exactly with Chan et al.'s parallel formula, and a fitted model can draw the statistics of
n samples straight from their exact law (mean normal, scatter Wishart), which is what makes
thousands of generations of Shumailov's single-Gaussian collapse cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.config.learners import DecodingParams, GaussianParams
from ecosystem.core.data import Vectors
from ecosystem.core.exact_draws import common_size, draw_standard_wishart_factor, psd_factor
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners.base import Metrics
from ecosystem.learners.gaussian_metrics import gaussian_metrics


@dataclass(frozen=True)
class GaussianStats:
    """Sufficient statistics of R replicas' vectors.

    Attributes:
        n: (R,) samples behind the statistics.
        mean: (R, d) sample means.
        scatter: (R, d, d) scatter matrices M2 = Σ (x - mean)(x - mean)ᵀ.
    """

    n: np.ndarray
    mean: np.ndarray
    scatter: np.ndarray

    def __add__(self, other: GaussianStats) -> GaussianStats:
        """The statistics of both data sets together (Chan et al.'s parallel update, stable)."""
        n = self.n + other.n
        total = np.maximum(n, 1).astype(np.float64)
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.n / total)[:, None]
        cross = (self.n * other.n / total)[:, None, None]
        scatter = self.scatter + other.scatter + cross * delta[:, :, None] * delta[:, None, :]
        return GaussianStats(n=n, mean=mean, scatter=scatter)

    def size(self) -> np.ndarray:
        """Samples behind the statistics, per replica."""
        return self.n

    @classmethod
    def of(cls, x: np.ndarray) -> GaussianStats:
        """The statistics of vectors ``x`` of shape (R, n, d)."""
        mean = x.mean(axis=1)
        centred = x - mean[:, None, :]
        scatter = centred.transpose(0, 2, 1) @ centred
        return cls(n=np.full(x.shape[0], x.shape[1], dtype=np.int64), mean=mean, scatter=scatter)


def covariance_divisor(n: np.ndarray, estimator: str) -> np.ndarray:
    """The covariance divisor: n - 1 (unbiased) or n (mle), at least 1."""
    divisor = n - 1 if estimator == "unbiased" else n
    return np.maximum(divisor, 1).astype(np.float64)


@dataclass(frozen=True)
class GaussianFitted:
    """R fitted Gaussians N(mean_r, cov_r).

    Attributes:
        mean: (R, d) means.
        cov: (R, d, d) covariances.
    """

    mean: np.ndarray
    cov: np.ndarray

    @property
    def n_replicas(self) -> int:
        """R, the number of replicas."""
        return int(self.mean.shape[0])

    def _factor(self, decoding: DecodingParams) -> np.ndarray:
        """F with F Fᵀ = T·cov: temperature T scales the covariance (std by sqrt(T))."""
        return psd_factor(self.cov) * np.sqrt(decoding.temperature)

    def sample(self, n: np.ndarray, rng: ReplicaRNG, decoding: DecodingParams) -> Vectors:
        """Draw ``n[r]`` vectors per replica (all equal) from N(mean_r, T·cov_r)."""
        size = common_size(n, self.n_replicas)
        dim = self.mean.shape[1]
        normals = np.empty((self.n_replicas, size, dim))
        for r, gen in enumerate(rng):
            normals[r] = gen.standard_normal((size, dim))
        factor = self._factor(decoding)
        return Vectors(self.mean[:, None, :] + normals @ factor.transpose(0, 2, 1))

    def sample_stats(
        self, n: np.ndarray, rng: ReplicaRNG, decoding: DecodingParams
    ) -> GaussianStats:
        """The statistics of ``n[r]`` i.i.d. draws per replica, drawn from their exact law.

        The sample mean is N(mean, T·cov/n) and the scatter is Wishart(T·cov, n - 1), independent
        of it (Bartlett decomposition; d = 1: T·cov·χ²_{n-1}).
        """
        size = common_size(n, self.n_replicas)
        dim = self.mean.shape[1]
        wishart, mean_normals = draw_standard_wishart_factor(rng, size - 1, dim, extra_normals=dim)
        factor = self._factor(decoding)
        mean = self.mean + np.einsum("rij,rj->ri", factor, mean_normals) / np.sqrt(max(size, 1))
        root = factor @ wishart
        scatter = root @ root.transpose(0, 2, 1)
        return GaussianStats(
            n=np.full(self.n_replicas, size, dtype=np.int64), mean=mean, scatter=scatter
        )

    def evaluate(self, test: Vectors, truth: Any) -> Metrics:
        """Closed-form quality against the truth (``test`` is not needed: see gaussian_metrics).

        Returns:
            (R,) arrays w2, sigma_ratio, mean_error, cross_entropy (exact expected NLL of a truth
            point, nats), perplexity, excess_cross_entropy.
        """
        return gaussian_metrics(self.mean, self.cov, truth)


class GaussianLearner:
    """Fits N(mean, cov) by moments; covariance divisor n - 1 (unbiased) or n (mle).

    Args:
        params: estimator choice.
    """

    def __init__(self, params: GaussianParams):
        self.params = params

    def stats(self, data: Vectors) -> GaussianStats:
        """Sufficient statistics (n, mean, scatter) of each replica's vectors."""
        return GaussianStats.of(data.x)

    def fit_stats(self, stats: GaussianStats) -> GaussianFitted:
        """The Gaussian with the statistics' mean and covariance scatter / divisor."""
        divisor = covariance_divisor(stats.n, self.params.estimator)
        return GaussianFitted(mean=stats.mean, cov=stats.scatter / divisor[:, None, None])

    def fit(
        self, data: Vectors, rng: ReplicaRNG | None = None, previous: GaussianFitted | None = None
    ) -> GaussianFitted:
        """Fit from scratch (moments need no randomness and no previous model)."""
        return self.fit_stats(self.stats(data))

    def closed_form_loop(
        self,
        fitted0: GaussianFitted,
        n0: np.ndarray,
        sizes: np.ndarray,
        rule: Any,
        human_share: float,
        truth: Any,
        decoding: DecodingParams,
        rng: ReplicaRNG,
        fresh_rng: ReplicaRNG,
    ) -> Metrics | None:
        """Every generation of a strategy's loop on statistics, in a few batched calls.

        The fast path of the data pipeline for rules with ``on_statistics``
        (:func:`ecosystem.learners.gaussian_loop.gaussian_stat_loop`); None where it has no
        closed form (fresh human data from a mixture truth), so the caller runs generation by
        generation.

        Returns:
            (G+1, R) arrays: metrics, ``train_size`` and ``train_ai_share``; or None.
        """
        from ecosystem.learners.gaussian_loop import gaussian_stat_loop

        if rule.human == "fresh" and getattr(truth, "is_mixture", False):
            return None
        return gaussian_stat_loop(
            fitted0.mean, fitted0.cov, n0, sizes, rule, self.params.estimator, rng, truth,
            fresh_fraction=human_share, decoding_temperature=decoding.temperature,
            fresh_rng=fresh_rng,
        )  # fmt: skip
