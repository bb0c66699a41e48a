"""The labeled truth: linear regression y = x·w* + ε, ε ~ N(0, σ²), x ~ N(0, I_d).

This is the setting of Gerstgrasser et al. (2024), where replacing data makes the test risk grow
linearly in the generation and accumulating keeps it bounded.
"""

from __future__ import annotations

import numpy as np

from ecosystem.config.truth import LabeledTruthParams
from ecosystem.core.data import Labeled
from ecosystem.core.exact_draws import common_size
from ecosystem.core.rng import ReplicaRNG, Stream, generator


class LabeledTruth:
    """The human distribution of regression rows.

    Args:
        params: dimension, noise level and design kind.
        seed: the run seed; w* is drawn once from its TRUTH stream.

    Attributes:
        modality: "labeled".
        dim: d, number of features.
        noise_std: σ, label noise standard deviation.
        design: "fixed" (one design matrix per replica, reused every generation) or "random".
        w_star: (d,) true coefficients, drawn N(0, I/d) so that ‖w*‖² ≈ 1.
    """

    modality = "labeled"

    def __init__(self, params: LabeledTruthParams, seed: int):
        self.params = params
        self.dim = params.dim
        self.noise_std = float(params.noise_std)
        self.design = params.design
        self.w_star = generator(seed, Stream.TRUTH).standard_normal(self.dim) / np.sqrt(self.dim)

    def design_matrix(self, n_rows: int, rng: ReplicaRNG) -> np.ndarray:
        """Standard normal feature rows, (R, n_rows, d), one call per replica."""
        design = np.empty((len(rng), int(n_rows), self.dim))
        for r, gen in enumerate(rng):
            design[r] = gen.standard_normal((int(n_rows), self.dim))
        return design

    def labels(self, X: np.ndarray, rng: ReplicaRNG) -> np.ndarray:
        """Noisy true labels y = X w* + σ ε for a given design ``X`` (R, n, d); shape (R, n)."""
        noise = np.empty(X.shape[:2])
        for r, gen in enumerate(rng):
            noise[r] = gen.standard_normal(X.shape[1])
        return X @ self.w_star + self.noise_std * noise

    def sample(self, n: np.ndarray | int, rng: ReplicaRNG) -> Labeled:
        """Fresh rows X ~ N(0, I) with labels; ``n[r]`` rows for replica r (all equal)."""
        X = self.design_matrix(common_size(n, len(rng)), rng)
        return Labeled(X, self.labels(X, rng))
