"""The Gaussian-mixture learner: EM by scikit-learn's GaussianMixture, one fit per replica.

This is Shumailov et al.'s second toy model: refitting a mixture on its own samples loses the
tails, and component variances drift towards zero. Fitted mixtures are stored with full
covariances whatever ``covariance_type`` EM used, so sampling and scoring are the same code.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from ecosystem.config.learners import DecodingParams, GMMParams
from ecosystem.core.data import Vectors
from ecosystem.core.exact_draws import common_size, psd_factor
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners.base import Metrics
from ecosystem.learners.gaussian_metrics import gaussian_metrics


@dataclass(frozen=True)
class GMMFitted:
    """R fitted Gaussian mixtures of k components.

    Attributes:
        weights: (R, k) component weights.
        means: (R, k, d) component means.
        covariances: (R, k, d, d) component covariances (full, whatever EM's covariance type).
        converged: (R,) whether EM converged within ``max_iter``.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    converged: np.ndarray

    @property
    def n_replicas(self) -> int:
        """R, the number of replicas."""
        return int(self.weights.shape[0])

    def sample(self, n: np.ndarray, rng: ReplicaRNG, decoding: DecodingParams) -> Vectors:
        """Draw ``n[r]`` vectors per replica (all equal): a component, then a normal from it.

        Temperature T scales every component covariance by T.
        """
        size = common_size(n, self.n_replicas)
        n_components, dim = self.means.shape[1:]
        component = np.empty((self.n_replicas, size), dtype=np.int64)
        normals = np.empty((self.n_replicas, size, dim))
        for r, gen in enumerate(rng):
            component[r] = gen.choice(n_components, size=size, p=self.weights[r])
            normals[r] = gen.standard_normal((size, dim))
        factor = psd_factor(self.covariances) * np.sqrt(decoding.temperature)
        x = np.zeros_like(normals)
        for c in range(n_components):
            drawn = self.means[:, c, None, :] + normals @ factor[:, c].transpose(0, 2, 1)
            np.copyto(x, drawn, where=(component == c)[..., None])
        return Vectors(x)

    def log_prob(self, x: np.ndarray) -> np.ndarray:
        """Log density of points ``x`` (1 or R, m, d) under each replica's mixture, (R, m)."""
        eigval, eigvec = np.linalg.eigh(self.covariances)  # (R, k, d), (R, k, d, d)
        offset = x[:, None, :, :] - self.means[:, :, None, :]  # (R, k, m, d)
        mahalanobis = np.sum((offset @ eigvec) ** 2 / eigval[:, :, None, :], axis=-1)
        dim = x.shape[-1]
        log_norm = -0.5 * (dim * np.log(2 * np.pi) + np.sum(np.log(eigval), axis=-1))
        log_comp = np.log(self.weights)[..., None] + log_norm[..., None] - 0.5 * mahalanobis
        return logsumexp(log_comp, axis=1)

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Each mixture's overall mean (R, d) and covariance (R, d, d)."""
        mean = np.einsum("rk,rkd->rd", self.weights, self.means)
        second = np.einsum(
            "rk,rkij->rij",
            self.weights,
            self.covariances + self.means[..., :, None] * self.means[..., None, :],
        )
        return mean, second - mean[:, :, None] * mean[:, None, :]

    def evaluate(self, test: Vectors, truth: Any) -> Metrics:
        """Quality against held-out human vectors and the truth.

        ``cross_entropy`` is the mean negative log-likelihood of the test points (nats per point;
        a one-replica test set is scored by every replica's model), ``perplexity`` its exp and
        ``excess_cross_entropy`` its excess over the truth's own NLL of the same points (an
        estimate of KL(truth ‖ model)). ``w2``, ``sigma_ratio`` and ``mean_error`` compare the
        moment-matched Gaussian of each mixture (its overall mean and covariance) with the truth's
        moments, as in ``gaussian_metrics``. ``min_component_var`` and ``max_component_var``
        are the smallest and largest component variance (mean over dimensions): they go to 0 as
        the mixture collapses.
        """
        mean, cov = self.moments()
        metrics = gaussian_metrics(mean, cov, truth)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            cross_entropy = -np.mean(self.log_prob(test.x), axis=1)
            truth_nll = -np.mean(truth.log_prob(test.x), axis=1)
            metrics.update(
                cross_entropy=cross_entropy,
                perplexity=np.exp(cross_entropy),
                excess_cross_entropy=cross_entropy - truth_nll,
            )
        variances = np.diagonal(self.covariances, axis1=-2, axis2=-1).mean(axis=-1)
        metrics["min_component_var"] = variances.min(axis=1)
        metrics["max_component_var"] = variances.max(axis=1)
        return metrics


class GMMLearner:
    """Fits a k-component Gaussian mixture by EM per replica.

    Args:
        params: components, covariance type and EM settings.

    EM's initialisation is seeded per replica from the generator passed to ``fit``, so a
    replica's fit does not depend on how many replicas run.
    """

    def __init__(self, params: GMMParams):
        self.params = params

    def fit(self, data: Vectors, rng: ReplicaRNG, previous: GMMFitted | None = None) -> GMMFitted:
        """One EM fit per replica; with ``previous`` EM starts from the previous mixture.

        Args:
            data: (R, n, d) vectors.
            rng: per-replica generators (one draw each seeds EM's random initialisation).
            previous: the previous generation's mixtures, for a warm start (fine-tuning).
        """
        params, x = self.params, data.x
        n_replicas, _, dim = x.shape
        k = params.components
        weights, means = np.empty((n_replicas, k)), np.empty((n_replicas, k, dim))
        covariances = np.empty((n_replicas, k, dim, dim))
        converged = np.empty(n_replicas, dtype=bool)
        warm = previous is not None and previous.weights.shape == (n_replicas, k)
        for r, gen in enumerate(rng):
            start = _warm_start(previous, r, params.covariance_type) if warm else {}
            model = GaussianMixture(
                n_components=k,
                covariance_type=params.covariance_type,
                max_iter=params.max_iter,
                tol=params.tol,
                n_init=1 if warm else params.n_init,
                random_state=int(gen.integers(2**32)),
                **start,
            )
            # EM on d x d matrices gains nothing from BLAS threads, and their spin-waits cost
            # 10x on a busy machine: one thread per fit.
            with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(x[r])
            weights[r], means[r] = model.weights_, model.means_
            covariances[r] = full_covariances(model.covariances_, params.covariance_type, k, dim)
            converged[r] = model.converged_
        return GMMFitted(weights, means, covariances, converged)


def full_covariances(native: np.ndarray, covariance_type: str, k: int, dim: int) -> np.ndarray:
    """scikit-learn's covariances_ of any covariance_type as (k, d, d) full matrices."""
    if covariance_type == "full":
        return native
    if covariance_type == "tied":
        return np.broadcast_to(native, (k, dim, dim)).copy()
    if covariance_type == "diag":
        return native[:, :, None] * np.eye(dim)
    return native[:, None, None] * np.eye(dim)  # spherical


def _warm_start(previous: GMMFitted, r: int, covariance_type: str) -> dict[str, np.ndarray]:
    """EM initial values from replica r's previous mixture, in scikit-learn's format."""
    cov = previous.covariances[r]
    if covariance_type == "full":
        precisions = np.linalg.inv(cov)
    elif covariance_type == "tied":
        precisions = np.linalg.inv(cov[0])
    elif covariance_type == "diag":
        precisions = 1.0 / np.diagonal(cov, axis1=-2, axis2=-1)
    else:
        precisions = 1.0 / np.diagonal(cov, axis1=-2, axis2=-1).mean(axis=-1)
    return {
        "weights_init": previous.weights[r] / previous.weights[r].sum(),
        "means_init": previous.means[r],
        "precisions_init": precisions,
    }
