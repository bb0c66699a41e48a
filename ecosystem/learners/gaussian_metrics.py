"""Closed-form quality of Gaussian models against a vectors truth, batched over replicas.

All metrics compare N(mean_r, cov_r) with the truth's first two moments (μ*, Σ*):

- ``w2``: the 2-Wasserstein distance (not squared) between N(mean_r, cov_r) and N(μ*, Σ*):
  W2² = ‖μ - μ*‖² + tr(Σ + Σ* - 2 (Σ*^½ Σ Σ*^½)^½); in d = 1, (μ - μ*)² + (σ - σ*)².
- ``sigma_ratio``: sqrt(tr Σ / tr Σ*), the model's spread relative to the truth's.
- ``mean_error``: ‖μ - μ*‖.
- ``cross_entropy``: the exact expected negative log-likelihood of a truth point under the model,
  E_x~truth[-log N(x; μ, Σ)] = ½ (d log 2π + log det Σ + tr(Σ⁻¹ Σ*) + (μ - μ*)ᵀ Σ⁻¹ (μ - μ*)),
  in nats per point. It depends on the truth only through its moments, so it is exact for a
  mixture truth too.
- ``perplexity``: exp(cross_entropy); ``excess_cross_entropy``: cross_entropy minus the truth's
  entropy (KL(truth ‖ model) for a Gaussian truth).

A collapsed model (zero variance) gets infinite cross-entropy, not a warning.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecosystem.learners.base import Metrics


def gaussian_metrics(
    mean: np.ndarray,
    cov: np.ndarray,
    truth: Any,
    eig: tuple[np.ndarray, np.ndarray] | None = None,
) -> Metrics:
    """Closed-form metrics of R Gaussian models against ``truth``.

    Args:
        mean: (R, d) model means.
        cov: (R, d, d) model covariances.
        truth: a VectorsTruth (uses ``mean``, ``cov`` and ``entropy``).
        eig: ``np.linalg.eigh(cov)`` when the caller has it already.

    Returns:
        (R,) arrays: w2, sigma_ratio, mean_error, cross_entropy, perplexity, excess_cross_entropy.
    """
    dim = mean.shape[-1]
    if dim == 1:
        return scalar_gaussian_metrics(mean[..., 0], cov[..., 0, 0], truth)
    truth_cov = truth.cov
    offset = mean - truth.mean
    model_val, model_vec = np.linalg.eigh(cov) if eig is None else eig
    truth_scale = truth_cov[0, 0]
    if np.array_equal(truth_cov, truth_scale * np.eye(dim)):
        # Isotropic truth s²I: Σ*^½ Σ Σ*^½ = s²Σ and v_iᵀΣ*v_i = s², no second eigensolve.
        cross = truth_scale * model_val
        spread = np.full_like(model_val, truth_scale)
    else:
        eigval, eigvec = np.linalg.eigh(truth_cov)
        truth_sqrt = (eigvec * np.sqrt(np.clip(eigval, 0.0, None))) @ eigvec.T
        cross = np.linalg.eigvalsh(truth_sqrt @ cov @ truth_sqrt)
        spread = np.einsum("...ji,jk,...ki->...i", model_vec, truth_cov, model_vec)
    trace_model = np.trace(cov, axis1=-2, axis2=-1)
    offset_sq = np.sum(offset**2, axis=-1)
    w2_sq = (
        offset_sq
        + trace_model
        + np.trace(truth_cov)
        - 2 * np.sum(np.sqrt(np.clip(cross, 0.0, None)), axis=-1)
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # In the model's eigenbasis: tr(Σ⁻¹Σ*) = Σ_i v_iᵀΣ*v_i / λ_i, likewise the quadratic form.
        shift = np.einsum("...ji,...j->...i", model_vec, offset) ** 2
        cross_entropy = 0.5 * (
            dim * np.log(2 * np.pi)
            + np.sum(np.log(model_val), axis=-1)
            + np.sum((spread + shift) / model_val, axis=-1)
        )
        cross_entropy = np.where(np.any(model_val <= 0, axis=-1), np.inf, cross_entropy)
        return _finish(
            w2=np.sqrt(np.clip(w2_sq, 0.0, None)),
            sigma_ratio=np.sqrt(np.clip(trace_model, 0.0, None) / np.trace(truth_cov)),
            mean_error=np.sqrt(offset_sq),
            cross_entropy=cross_entropy,
            truth=truth,
        )


def scalar_gaussian_metrics(mean: np.ndarray, var: np.ndarray, truth: Any) -> Metrics:
    """The same metrics for one-dimensional models, elementwise on arrays of any shape.

    Args:
        mean: model means.
        var: model variances (same shape).
        truth: a one-dimensional VectorsTruth.
    """
    truth_mean, truth_var = float(truth.mean[0]), float(truth.cov[0, 0])
    # In place where possible: the loop hands over (G+1, R) arrays of millions of entries.
    offset_sq = np.subtract(mean, truth_mean)
    mean_error = np.abs(offset_sq)
    offset_sq **= 2
    sigma_ratio = np.sqrt(np.clip(var, 0.0, None))
    w2 = sigma_ratio - np.sqrt(truth_var)
    w2 **= 2
    w2 += offset_sq
    np.sqrt(w2, out=w2)
    sigma_ratio /= np.sqrt(truth_var)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cross_entropy = offset_sq
        cross_entropy += truth_var
        cross_entropy /= var
        cross_entropy += np.log(var)
        cross_entropy += np.log(2 * np.pi)
        cross_entropy *= 0.5
        np.copyto(cross_entropy, np.inf, where=~(var > 0))
        return _finish(w2, sigma_ratio, mean_error, cross_entropy, truth)


def _finish(
    w2: np.ndarray,
    sigma_ratio: np.ndarray,
    mean_error: np.ndarray,
    cross_entropy: np.ndarray,
    truth: Any,
) -> Metrics:
    return {
        "w2": w2,
        "sigma_ratio": sigma_ratio,
        "mean_error": mean_error,
        "cross_entropy": cross_entropy,
        "perplexity": np.exp(cross_entropy),
        "excess_cross_entropy": cross_entropy - truth.entropy,
    }
