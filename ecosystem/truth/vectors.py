"""The vectors truth: an isotropic Gaussian N(μ·1, σ²I) or a Gaussian mixture in d dimensions.

These are Shumailov et al.'s toy settings (Nature 2024): a single Gaussian refitted by moments, and
a mixture refitted by EM. The truth is fully determined by its parameters; only sampling is random.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from scipy.special import logsumexp

from ecosystem.config.truth import VectorsTruthParams
from ecosystem.core.data import Vectors
from ecosystem.core.exact_draws import common_size
from ecosystem.core.rng import ReplicaRNG

ENTROPY_MC_SAMPLES = 1 << 18
"""Monte Carlo points behind a mixture's entropy (standard error about 0.002 nats)."""


class VectorsTruth:
    """The human distribution of real vectors.

    Args:
        params: the truth's parameters (single Gaussian, or mixture when ``params.mixture``).

    Attributes:
        modality: "vectors".
        dim: d.
        is_mixture: whether the truth is a Gaussian mixture.
        weights: (k,) component weights (k = 1 for a single Gaussian).
        component_means: (k, d) component means.
        component_stds: (k,) isotropic component standard deviations.
        mean: (d,) the truth's mean (the mixture's overall mean).
        cov: (d, d) the truth's covariance (the mixture's overall covariance).
    """

    modality = "vectors"

    def __init__(self, params: VectorsTruthParams):
        self.params = params
        self.dim = params.dim
        self.is_mixture = bool(params.mixture)
        if params.mixture:
            weights = np.array([c.weight for c in params.mixture], dtype=np.float64)
            self.weights = weights / weights.sum()
            self.component_means = np.array([c.mean for c in params.mixture], dtype=np.float64)
            self.component_stds = np.array([c.std for c in params.mixture], dtype=np.float64)
        else:
            self.weights = np.ones(1)
            self.component_means = np.full((1, self.dim), params.mean, dtype=np.float64)
            self.component_stds = np.array([params.std], dtype=np.float64)
        self.mean = self.weights @ self.component_means
        # Law of total covariance, centred (no cancellation when |μ| >> σ):
        # Σ_c w_c (σ_c² I + (μ_c - μ)(μ_c - μ)ᵀ).
        offsets = self.component_means - self.mean
        self.cov = np.einsum("c,ci,cj->ij", self.weights, offsets, offsets) + np.eye(self.dim) * (
            self.weights @ self.component_stds**2
        )

    def sample(self, n: np.ndarray | int, rng: ReplicaRNG) -> Vectors:
        """Draw ``n[r]`` points for replica r from ``rng[r]`` (all ``n[r]`` must be equal).

        Returns:
            Vectors with x of shape (R, n, d).
        """
        size = common_size(n, len(rng))
        n_replicas, k = len(rng), self.weights.shape[0]
        normals = np.empty((n_replicas, size, self.dim))
        component = np.zeros((n_replicas, size), dtype=np.int64)
        for r, gen in enumerate(rng):
            if k > 1:
                component[r] = gen.choice(k, size=size, p=self.weights)
            normals[r] = gen.standard_normal((size, self.dim))
        x = self.component_means[component] + self.component_stds[component][..., None] * normals
        return Vectors(x)

    def log_prob(self, x: np.ndarray) -> np.ndarray:
        """Log density of points ``x`` (..., d) under the truth, shape (...)."""
        sq_dist = np.sum((x[..., None, :] - self.component_means) ** 2, axis=-1)
        var = self.component_stds**2
        log_comp = -0.5 * (self.dim * np.log(2 * np.pi * var) + sq_dist / var)
        return logsumexp(np.log(self.weights) + log_comp, axis=-1)

    @cached_property
    def entropy(self) -> float:
        """Differential entropy in nats: exact for one Gaussian; for a mixture a Monte Carlo
        estimate on a fixed stream (deterministic, standard error about 0.002 nats)."""
        if not self.is_mixture:
            return float(0.5 * self.dim * np.log(2 * np.pi * np.e * self.component_stds[0] ** 2))
        points = self.sample(ENTROPY_MC_SAMPLES, ReplicaRNG([np.random.default_rng(20240)]))
        return float(-np.mean(self.log_prob(points.x[0])))
