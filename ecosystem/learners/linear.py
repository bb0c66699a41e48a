"""The linear learner: least squares (optionally ridge) without intercept, batched over replicas.

The fit depends on the data only through XᵀX and Xᵀy, so accumulating strategies keep running
sums and the loop can draw a synthetic sample's statistics from their exact law. Synthetic labels
are y = X ŵ + σ ε with the human labels' known σ (the setting of Gerstgrasser et al., 2024), so
Xᵀy = XᵀX ŵ + σ Xᵀε with Xᵀε ~ N(0, XᵀX): d normals per replica instead of T.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.config.learners import DecodingParams, LinearParams
from ecosystem.core.data import Labeled
from ecosystem.core.exact_draws import common_size, draw_standard_wishart_factor, psd_factor
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners.base import Metrics


@dataclass(frozen=True)
class LinearStats:
    """Sufficient statistics of R replicas' regression rows.

    Attributes:
        xtx: (R, d, d) Gram matrices XᵀX.
        xty: (R, d) moments Xᵀy.
        n: (R,) rows behind the statistics.
    """

    xtx: np.ndarray
    xty: np.ndarray
    n: np.ndarray

    def __add__(self, other: LinearStats) -> LinearStats:
        """The statistics of both data sets together (plain sums)."""
        return LinearStats(self.xtx + other.xtx, self.xty + other.xty, self.n + other.n)

    def size(self) -> np.ndarray:
        """Rows behind the statistics, per replica."""
        return self.n


class FixedDesign:
    """A design matrix reused every generation, with what sampling needs precomputed.

    A sample of n rows takes the design's rows in order and cycles through them: n = T is the
    design itself (Gerstgrasser et al.), n < T its first n rows (e.g. the synthetic part of a
    fresh-fraction generation), n = kT the design stacked k times.

    Args:
        X: (R, T, d) the design.
    """

    def __init__(self, X: np.ndarray):
        self.X = X
        self._gram_factor: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def rows(self) -> int:
        """T, the design's rows."""
        return int(self.X.shape[1])

    def rows_for(self, n: int) -> np.ndarray:
        """The (R, n, d) rows of a sample of n."""
        if n == self.rows:
            return self.X
        return np.take(self.X, np.arange(n) % self.rows, axis=1)

    def gram_factor(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """XₙᵀXₙ (R, d, d) of the rows of a sample of n, and F with F Fᵀ = XₙᵀXₙ (cached)."""
        if n not in self._gram_factor:
            rows = self.rows_for(n)
            gram = rows.transpose(0, 2, 1) @ rows
            self._gram_factor[n] = (gram, psd_factor(gram))
        return self._gram_factor[n]


def presample_noise(rng: ReplicaRNG, generations: int, dim: int) -> np.ndarray:
    """Standard normals for ``generations`` calls of ``sample_stats``, (generations, R, dim).

    One call per replica for the whole run instead of one per replica and generation; pass
    ``z=noise[g]`` to ``LinearFitted.sample_stats``.
    """
    noise = np.empty((generations, len(rng), dim))
    for r, gen in enumerate(rng):
        noise[:, r] = gen.standard_normal((generations, dim))
    return noise


@dataclass(frozen=True)
class LinearFitted:
    """R fitted linear models y ≈ x·ŵ_r.

    Attributes:
        w_hat: (R, d) coefficients.
        noise_std: σ of synthetic labels (the human labels', known).
        design: the fixed design synthetic rows reuse, or None for fresh N(0, I) rows.
    """

    w_hat: np.ndarray
    noise_std: float
    design: FixedDesign | None = None

    @property
    def n_replicas(self) -> int:
        """R, the number of replicas."""
        return int(self.w_hat.shape[0])

    def _label_std(self, decoding: DecodingParams) -> float:
        """σ·sqrt(T): temperature scales the label noise variance."""
        return self.noise_std * float(np.sqrt(decoding.temperature))

    def sample(self, n: np.ndarray, rng: ReplicaRNG, decoding: DecodingParams) -> Labeled:
        """``n[r]`` rows per replica labelled by the model: y = X ŵ + σ ε.

        X is the fixed design when there is one (its rows cycled to n, see FixedDesign), else
        fresh standard normal rows (drawn before the noise, one call each per replica).
        """
        size = common_size(n, self.n_replicas)
        dim = self.w_hat.shape[1]
        if self.design is not None:
            X = self.design.rows_for(size)
        else:
            X = np.empty((self.n_replicas, size, dim))
            for r, gen in enumerate(rng):
                X[r] = gen.standard_normal((size, dim))
        noise = np.empty((self.n_replicas, size))
        for r, gen in enumerate(rng):
            noise[r] = gen.standard_normal(size)
        y = np.einsum("rnd,rd->rn", X, self.w_hat) + self._label_std(decoding) * noise
        return Labeled(X, y)

    def sample_stats(
        self,
        n: np.ndarray,
        rng: ReplicaRNG,
        decoding: DecodingParams,
        z: np.ndarray | None = None,
    ) -> LinearStats:
        """The statistics of ``n[r]`` model-labelled rows, drawn from their exact law.

        Fixed design: XᵀX is known and Xᵀy = XᵀX ŵ + σ F z, F Fᵀ = XᵀX. Random design: XᵀX is
        Wishart(I, n) (Bartlett factor A, XᵀX = A Aᵀ) and Xᵀy = XᵀX ŵ + σ A z.

        Args:
            n: rows per replica (all equal).
            rng: per-replica generators.
            decoding: temperature scales the label noise variance.
            z: optional (R, d) standard normals (e.g. from ``presample_noise``); drawn per
                replica from ``rng`` when None. The random design draws its Wishart from ``rng``.
        """
        size = common_size(n, self.n_replicas)
        dim = self.w_hat.shape[1]
        if self.design is not None:
            gram, factor = self.design.gram_factor(size)
            if z is None:
                z = np.empty((self.n_replicas, dim))
                for r, gen in enumerate(rng):
                    z[r] = gen.standard_normal(dim)
        else:
            n_extra = 0 if z is not None else min(size, dim)
            factor, extra = draw_standard_wishart_factor(rng, size, dim, extra_normals=n_extra)
            gram = factor @ factor.transpose(0, 2, 1)
            z = extra if z is None else z[:, : factor.shape[2]]
        noise = np.einsum("rij,rj->ri", factor, z)
        xty = np.einsum("rij,rj->ri", gram, self.w_hat) + self._label_std(decoding) * noise
        return LinearStats(gram, xty, np.full(self.n_replicas, size, dtype=np.int64))

    def evaluate(self, test: Labeled, truth: Any) -> Metrics:
        """Excess test risk ``test_risk`` = ‖ŵ − w*‖² against the labeled truth's ``w_star``
        (exact for x ~ N(0, I); ``test`` unused)."""
        return {"test_risk": np.sum((self.w_hat - truth.w_star) ** 2, axis=1)}


class LinearLearner:
    """Least squares (ridge λ ≥ 0) without intercept: solve (XᵀX + λI) w = Xᵀy per replica.

    Args:
        params: the ridge penalty.
        noise_std: σ, the known label noise of human data; synthetic rows are labelled with it.

    Attributes:
        design: the fixed design (R, T, d) set by ``set_design``, or None for fresh rows.
    """

    def __init__(self, params: LinearParams, noise_std: float):
        self.params = params
        self.noise_std = float(noise_std)
        self._design: FixedDesign | None = None

    @property
    def design(self) -> np.ndarray | None:
        """The fixed design (R, T, d), or None when every sample draws fresh rows."""
        return None if self._design is None else self._design.X

    def set_design(self, X: np.ndarray) -> None:
        """Reuse design ``X`` (R, T, d) for every synthetic sample (Gerstgrasser et al.)."""
        self._design = FixedDesign(np.asarray(X, dtype=np.float64))

    def stats(self, data: Labeled) -> LinearStats:
        """XᵀX, Xᵀy and row counts of each replica's rows."""
        X = data.X
        xtx = X.transpose(0, 2, 1) @ X
        xty = np.einsum("rnd,rn->rd", X, data.y)
        return LinearStats(xtx, xty, data.size_per_replica())

    def fit_stats(self, stats: LinearStats) -> LinearFitted:
        """ŵ solving (XᵀX + λI) ŵ = Xᵀy; a singular system falls back to the pseudo-inverse."""
        system = stats.xtx + self.params.ridge * np.eye(stats.xtx.shape[-1])
        try:
            w_hat = np.linalg.solve(system, stats.xty[..., None])[..., 0]
        except np.linalg.LinAlgError:
            w_hat = (np.linalg.pinv(system) @ stats.xty[..., None])[..., 0]
        return LinearFitted(w_hat, self.noise_std, self._design)

    def fit(
        self, data: Labeled, rng: ReplicaRNG | None = None, previous: LinearFitted | None = None
    ) -> LinearFitted:
        """Fit from scratch on ``data`` (least squares needs no randomness)."""
        return self.fit_stats(self.stats(data))
