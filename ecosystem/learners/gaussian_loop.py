"""The Gaussian fit -> sample -> refit loop on sufficient statistics, vectorised over replicas.

Each generation's synthetic sample enters the next fit only through its mean and scatter, whose
exact law given the model N(μ, TΣ) is: mean ~ N(μ, TΣ/M), scatter ~ Wishart(TΣ, M - 1),
independent. Drawing those instead of M points makes a generation O(1) per replica. In d = 1 the
replace recursion is closed-form: σ²_g = σ²_0 ∏ T χ²_k / div_k (a cumulative product) and
μ_g = μ_0 + Σ sqrt(T σ²_{k-1} / M_k) z_k (a cumulative sum), so each replica needs one call for
all its normals and one for all its chi-squares, and there is no Python loop over generations.

Every random number of replica r comes from ``rng[r]`` (fresh human data from ``fresh_rng[r]``),
so a replica's trajectory does not depend on how many replicas run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecosystem.core.exact_draws import (
    chisquare,
    psd_factor,
    standard_wishart_factor,
    wishart_draw_counts,
)
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners.base import Metrics
from ecosystem.learners.gaussian import GaussianStats, covariance_divisor
from ecosystem.learners.gaussian_metrics import gaussian_metrics, scalar_gaussian_metrics
from ecosystem.pipeline.strategies import StrategyRule, strategy_rule

BLOCK_FLOATS = 4096
"""Random numbers per replica drawn at once when d > 1 (bounds memory whatever G is)."""


def gaussian_stat_loop(
    mean0: np.ndarray,
    cov0: np.ndarray,
    n0: np.ndarray,
    sizes: np.ndarray,
    strategy: str | StrategyRule,
    estimator: str,
    rng: ReplicaRNG,
    truth: Any,
    fresh_fraction: float = 0.0,
    decoding_temperature: float = 1.0,
    fresh_rng: ReplicaRNG | None = None,
) -> dict[str, np.ndarray]:
    """Run G generations of the Gaussian loop for R replicas on sufficient statistics.

    Args:
        mean0: (R, d) mean of each replica's initial human data (the generation-0 model's mean).
        cov0: (R, d, d) the generation-0 model's covariance, i.e. the initial scatter divided by
            the ``estimator``'s divisor (what ``GaussianLearner.fit`` returns).
        n0: (R,) initial human samples.
        sizes: (G,) samples M_g drawn to train generation g = 1..G.
        strategy: a strategy (name or rule) whose rule is ``on_statistics``: replace (train on
            the M_g synthetic samples), accumulate (initial human data plus all synthetic
            samples so far, combined exactly) or fresh_fraction (round(f·M_g) fresh human
            samples plus M_g minus that many synthetic ones).
        estimator: "unbiased" (divisor n - 1) or "mle" (divisor n).
        rng: per-replica generators of the loop.
        truth: the VectorsTruth (metrics; fresh data, which needs a single Gaussian truth).
        fresh_fraction: f, for "fresh_fraction".
        decoding_temperature: T; models sample from N(μ, TΣ).
        fresh_rng: per-replica generators of fresh human data (default: ``rng``).

    Returns:
        (G+1, R) arrays, row g for generation g: the metrics of ``gaussian_metrics`` plus
        ``train_size`` and ``train_ai_share``.

    Raises:
        ValueError: for an unknown strategy or one that needs explicit samples, or fresh data
            from a mixture truth.
    """
    rule = strategy_rule(strategy)
    if not rule.on_statistics:
        raise ValueError(f"strategy {rule.name!r} needs explicit samples, not statistics")
    if rule.human == "fresh" and truth.is_mixture:
        raise ValueError(f"{rule.name} on statistics needs a single-Gaussian truth")
    sizes = np.asarray(sizes, dtype=np.int64)
    n0 = np.asarray(n0, dtype=np.int64)
    if np.any(sizes < 1):
        raise ValueError("every generation needs at least one sample")
    model_sizes, fresh_sizes = rule.split(sizes, fresh_fraction)
    if mean0.shape[1] == 1:
        mean, var = _scalar_loop(
            mean0[:, 0], cov0[:, 0, 0], n0, model_sizes, fresh_sizes, rule, estimator,
            rng, truth, decoding_temperature, fresh_rng or rng,
        )  # fmt: skip
        out = scalar_gaussian_metrics(mean, var, truth)
    else:
        out = _matrix_loop(
            mean0, cov0, n0, model_sizes, fresh_sizes, rule, estimator,
            rng, truth, decoding_temperature, fresh_rng or rng,
        )  # fmt: skip
    out.update(_train_sizes(n0, sizes, model_sizes, rule))
    return out


def _train_sizes(
    n0: np.ndarray, sizes: np.ndarray, model_sizes: np.ndarray, rule: StrategyRule
) -> dict[str, np.ndarray]:
    """Training-set size and AI share per generation, (G+1, R).

    When all replicas start from the same n0 these are read-only broadcast views.
    """
    initial = n0[None, :] if np.any(n0 != n0[0]) else n0[:1, None]
    if rule.accumulates:
        synthetic = np.concatenate([[0], np.cumsum(model_sizes)])[:, None]
        train_size = initial + synthetic
    else:
        synthetic = np.concatenate([[0], model_sizes])[:, None]
        train_size = np.concatenate(
            [initial, np.broadcast_to(sizes[:, None], (len(sizes), initial.shape[1]))]
        )
    shape = (len(sizes) + 1, len(n0))
    return {
        "train_size": np.broadcast_to(train_size, shape),
        "train_ai_share": np.broadcast_to(synthetic / train_size, shape),
    }


def _scalar_draws(sample_sizes: np.ndarray, rng: ReplicaRNG) -> tuple[np.ndarray, np.ndarray]:
    """Per-replica standard normals and chi-squares (df = size - 1) of G samples, (R, G) each.

    Absent samples (size 0) draw nothing and read 0; a sample of one point has zero scatter.
    One call per replica for all normals, one for all chi-squares.
    """
    present, spread = sample_sizes > 0, sample_sizes > 1
    df = (sample_sizes[spread] - 1).astype(np.float64)
    normals = np.zeros((len(rng), sample_sizes.shape[0]))
    chisq = np.zeros_like(normals)
    # Plain slices when every sample is there (the common case) avoid masked scatters.
    normal_at = slice(None) if present.all() else present
    chisq_at = slice(None) if spread.all() else spread
    for r, gen in enumerate(rng):
        normals[r, normal_at] = gen.standard_normal(int(present.sum()))
        if df.size:
            chisq[r, chisq_at] = chisquare(gen, df)
    return normals, chisq


def _scalar_loop(
    mean0: np.ndarray,
    var0: np.ndarray,
    n0: np.ndarray,
    model_sizes: np.ndarray,
    fresh_sizes: np.ndarray,
    rule: StrategyRule,
    estimator: str,
    rng: ReplicaRNG,
    truth: Any,
    temperature: float,
    fresh_rng: ReplicaRNG,
) -> tuple[np.ndarray, np.ndarray]:
    """Means and variances (G+1, R) of the d = 1 loop."""
    z, chisq = _scalar_draws(model_sizes, rng)
    if not rule.accumulates and rule.human == "none":  # replace: a closed-form recursion
        # In place on the draws' buffers: memory traffic, not arithmetic, is the cost here.
        chisq *= temperature / covariance_divisor(model_sizes, estimator)
        var = np.empty((len(rng), len(model_sizes) + 1))
        var[:, 0] = 1.0
        np.cumprod(chisq, axis=1, out=var[:, 1:])
        var *= var0[:, None]
        step = np.multiply(var[:, :-1], temperature / np.maximum(model_sizes, 1), out=chisq)
        np.sqrt(step, out=step)
        step *= z
        mean = np.empty_like(var)
        np.cumsum(step, axis=1, out=mean[:, 1:])
        mean[:, 0] = 0.0
        mean += mean0[:, None]
        return mean.T, var.T
    z, chisq = z.T.copy(), chisq.T.copy()
    if rule.human == "fresh":
        fresh_z, fresh_chisq = (a.T.copy() for a in _scalar_draws(fresh_sizes, fresh_rng))
    truth_mean, truth_var = float(truth.mean[0]), float(truth.cov[0, 0])
    n_gen = len(model_sizes)
    mean, var = np.empty((n_gen + 1, len(rng))), np.empty((n_gen + 1, len(rng)))
    mean[0], var[0] = mean0, var0
    pool_n = n0.astype(np.float64)
    pool_mean, pool_m2 = mean0.copy(), var0 * covariance_divisor(n0, estimator)
    for g in range(n_gen):
        size = model_sizes[g]
        sample_mean = mean[g] + np.sqrt(temperature * var[g] / max(size, 1)) * z[g]
        sample_m2 = temperature * var[g] * chisq[g]
        if rule.accumulates:
            pool_n, pool_mean, pool_m2 = _combine(
                pool_n, pool_mean, pool_m2, size, sample_mean, sample_m2
            )
        else:
            fresh = fresh_sizes[g]
            fresh_mean = truth_mean + np.sqrt(truth_var / max(fresh, 1)) * fresh_z[g]
            pool_n, pool_mean, pool_m2 = _combine(
                fresh, fresh_mean, truth_var * fresh_chisq[g], size, sample_mean, sample_m2
            )
        mean[g + 1] = pool_mean
        var[g + 1] = pool_m2 / covariance_divisor(pool_n, estimator)
    return mean, var


def _combine(n_a, mean_a, m2_a, n_b, mean_b, m2_b):
    """Chan et al.'s parallel update of (n, mean, M2) for scalar data, elementwise."""
    n = n_a + n_b
    delta = mean_b - mean_a
    return n, mean_a + delta * (n_b / n), m2_a + m2_b + delta**2 * (n_a * n_b / n)


class _BlockDraws:
    """The random numbers of one sample source (model or fresh human data) for d > 1.

    Per block of generations each replica makes one normal call and one chi-square call; a
    generation's sample consumes d normals for its mean, then its Wishart draws. Blocks depend on
    sizes and d only, never on R.
    """

    def __init__(self, sample_sizes: np.ndarray, dim: int, rng: ReplicaRNG):
        self.sample_sizes, self.dim, self.rng = sample_sizes, dim, rng
        counts = [wishart_draw_counts(int(s) - 1, dim) for s in sample_sizes]
        present = sample_sizes > 0
        self.n_normals = np.where(present, dim + np.array([c[0] for c in counts]), 0)
        self.chisq_df = [c[1] if p else np.empty(0) for c, p in zip(counts, present, strict=True)]
        self.normal_start = np.concatenate([[0], np.cumsum(self.n_normals)])
        self.chisq_start = np.concatenate([[0], np.cumsum([len(c) for c in self.chisq_df])])
        self.block: tuple[int, int] = (0, 0)

    def draw_block(self, first: int, stop: int) -> None:
        """Draw the numbers of generations [first, stop) for every replica."""
        normal_span = self.normal_start[[first, stop]]
        chisq_span = self.chisq_start[[first, stop]]
        df = np.concatenate(self.chisq_df[first:stop] + [np.empty(0)])
        self.normals = np.empty((len(self.rng), normal_span[1] - normal_span[0]))
        self.chisq = np.empty((len(self.rng), chisq_span[1] - chisq_span[0]))
        for r, gen in enumerate(self.rng):
            self.normals[r] = gen.standard_normal(self.normals.shape[1])
            if df.size:
                self.chisq[r] = chisquare(gen, df)
        self.block = (first, stop)
        self.offsets = (normal_span[0], chisq_span[0])

    def sample(self, g: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(mean normals (R, d), standard Wishart factor) of generation g, None if absent."""
        size = int(self.sample_sizes[g])
        if size == 0:
            return None
        lo = self.normal_start[g] - self.offsets[0]
        hi = lo + self.n_normals[g]
        clo = self.chisq_start[g] - self.offsets[1]
        chisq = self.chisq[:, clo : clo + len(self.chisq_df[g])]
        normals = self.normals[:, lo:hi]
        wishart = standard_wishart_factor(size - 1, self.dim, normals[:, self.dim :], chisq)
        return normals[:, : self.dim], wishart

    def per_generation(self) -> np.ndarray:
        """Random numbers per replica consumed by each generation."""
        return self.n_normals + np.diff(self.chisq_start)


def _gaussian_sample_stats(mean, factor, size, draws) -> GaussianStats:
    """Statistics of ``size`` draws from N(mean, F Fᵀ) given standard draws."""
    mean_normals, wishart = draws
    n_replicas, dim = mean_normals.shape
    factor = np.broadcast_to(factor, (n_replicas, dim, dim))
    sample_mean = mean + np.einsum("rij,rj->ri", factor, mean_normals) / np.sqrt(size)
    root = factor @ wishart
    scatter = root @ root.transpose(0, 2, 1)
    return GaussianStats(np.full(n_replicas, size, dtype=np.int64), sample_mean, scatter)


def _matrix_loop(
    mean0: np.ndarray,
    cov0: np.ndarray,
    n0: np.ndarray,
    model_sizes: np.ndarray,
    fresh_sizes: np.ndarray,
    rule: StrategyRule,
    estimator: str,
    rng: ReplicaRNG,
    truth: Any,
    temperature: float,
    fresh_rng: ReplicaRNG,
) -> Metrics:
    """Metrics (G+1, R) of the d > 1 loop: generations in sequence, replicas batched."""
    dim, n_gen = mean0.shape[1], len(model_sizes)
    sources = [_BlockDraws(model_sizes, dim, rng)]
    if rule.human == "fresh":
        sources.append(_BlockDraws(fresh_sizes, dim, fresh_rng))
    per_gen = sum(s.per_generation() for s in sources)
    truth_factor = psd_factor(truth.cov)
    eig = np.linalg.eigh(cov0)
    rows = [gaussian_metrics(mean0, cov0, truth, eig)]
    pool = GaussianStats(n0, mean0, cov0 * covariance_divisor(n0, estimator)[:, None, None])
    model_mean, model_cov = mean0, cov0
    first = 0
    while first < n_gen:
        room = BLOCK_FLOATS - per_gen[first]
        stop = first + 1 + int(np.searchsorted(np.cumsum(per_gen[first + 1 :]), room, "right"))
        for source in sources:
            source.draw_block(first, stop)
        for g in range(first, stop):
            parts = []
            fresh = sources[1].sample(g) if len(sources) > 1 else None
            if fresh is not None:
                parts.append(
                    _gaussian_sample_stats(truth.mean, truth_factor, fresh_sizes[g], fresh)
                )
            synthetic = sources[0].sample(g)
            if synthetic is not None:
                factor = psd_factor(model_cov, eig) * np.sqrt(temperature)
                parts.append(_gaussian_sample_stats(model_mean, factor, model_sizes[g], synthetic))
            new = parts[0] if len(parts) == 1 else parts[0] + parts[1]
            pool = pool + new if rule.accumulates else new
            model_mean = pool.mean
            model_cov = pool.scatter / covariance_divisor(pool.n, estimator)[:, None, None]
            eig = np.linalg.eigh(model_cov)  # shared by the metrics and the next sample
            rows.append(gaussian_metrics(model_mean, model_cov, truth, eig))
        first = stop
    return {key: np.stack([row[key] for row in rows]) for key in rows[0]}
