"""The vectors truth, the Gaussian learner and its statistics loop."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import sqrtm

from ecosystem.config.learners import DecodingParams, GaussianParams
from ecosystem.config.truth import MixtureComponent, VectorsTruthParams
from ecosystem.core.data import Vectors
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.learners import build_learner
from ecosystem.learners.base import StatsLearner, supports_stat_sampling
from ecosystem.learners.gaussian import GaussianFitted, GaussianLearner, GaussianStats
from ecosystem.learners.gaussian_loop import _matrix_loop, _scalar_loop, gaussian_stat_loop
from ecosystem.learners.gaussian_metrics import gaussian_metrics
from ecosystem.pipeline.strategies import strategy_rule
from ecosystem.truth import VectorsTruth, build_truth

PLAIN = DecodingParams()


def rngs(n_replicas: int, stream: Stream = Stream.LOOP, seed: int = 0) -> ReplicaRNG:
    return ReplicaRNG.for_replicas(seed, stream, range(n_replicas))


def tiled(mean: np.ndarray, cov: np.ndarray, n_replicas: int) -> GaussianFitted:
    """The same Gaussian in every replica."""
    return GaussianFitted(np.tile(mean, (n_replicas, 1)), np.tile(cov, (n_replicas, 1, 1)))


def stat_loop(truth, n_replicas, generations, strategy, m=100, seed=0, **kw):
    """Generation 0 fitted on m human samples, then ``generations`` on statistics."""
    learner = GaussianLearner(GaussianParams(estimator=kw.pop("estimator", "unbiased")))
    fitted = learner.fit(truth.sample(m, rngs(n_replicas, Stream.INITIAL, seed)))
    return gaussian_stat_loop(
        fitted.mean, fitted.cov, np.full(n_replicas, m), np.full(generations, m), strategy,
        learner.params.estimator, rngs(n_replicas, seed=seed), truth, **kw,
    )  # fmt: skip


def test_factories_build_the_vectors_pieces():
    truth = build_truth(VectorsTruthParams(dim=2), seed=0)
    learner = build_learner(GaussianParams(), truth)
    assert isinstance(truth, VectorsTruth) and isinstance(learner, StatsLearner)
    assert supports_stat_sampling(learner.fit(truth.sample(10, rngs(2)), rngs(2)))


def test_mixture_truth_moments_match_its_samples():
    truth = VectorsTruth(
        VectorsTruthParams(
            dim=2,
            mixture=[
                MixtureComponent(weight=1, mean=[-2, 0], std=0.5),
                MixtureComponent(weight=3, mean=[2, 1], std=1.0),
            ],
        )
    )
    x = truth.sample(200_000, rngs(1)).x[0]
    np.testing.assert_allclose(x.mean(0), truth.mean, atol=0.02)
    np.testing.assert_allclose(np.cov(x.T), truth.cov, atol=0.03)
    np.testing.assert_allclose(truth.mean, [1.0, 0.75])


def test_truth_sample_requires_one_size_for_all_replicas():
    truth = VectorsTruth(VectorsTruthParams())
    with pytest.raises(ValueError, match="same number"):
        truth.sample(np.array([3, 4]), rngs(2))


def test_fit_recovers_the_truth_and_improves_with_more_data():
    truth = VectorsTruth(VectorsTruthParams(dim=2, mean=1.0, std=2.0))
    learner = GaussianLearner(GaussianParams())
    w2 = [
        learner.fit(truth.sample(n, rngs(8, Stream.INITIAL))).evaluate(None, truth)["w2"].mean()
        for n in (30, 300, 3000, 30_000)
    ]
    assert np.all(np.diff(w2) < 0)
    assert w2[-1] < 0.05


def test_chan_combination_equals_stats_of_concatenated_data():
    gen = np.random.default_rng(1)
    a, b = gen.normal(5.0, 2.0, (3, 40, 3)), gen.normal(-1.0, 0.5, (3, 70, 3))
    learner = GaussianLearner(GaussianParams())
    combined = learner.stats(Vectors(a)) + learner.stats(Vectors(b))
    direct = learner.stats(Vectors.concat([Vectors(a), Vectors(b)]))
    np.testing.assert_array_equal(combined.size(), [110, 110, 110])
    np.testing.assert_allclose(combined.mean, direct.mean, rtol=1e-12)
    np.testing.assert_allclose(combined.scatter, direct.scatter, rtol=1e-10)
    empty = GaussianStats(np.zeros(3, dtype=np.int64), np.zeros((3, 3)), np.zeros((3, 3, 3)))
    np.testing.assert_allclose((empty + combined).scatter, combined.scatter)


def test_estimators_divide_the_scatter_by_n_minus_one_or_n():
    x = np.random.default_rng(2).normal(size=(2, 10, 2))
    unbiased = GaussianLearner(GaussianParams(estimator="unbiased")).fit(Vectors(x))
    mle = GaussianLearner(GaussianParams(estimator="mle")).fit(Vectors(x))
    np.testing.assert_allclose(unbiased.cov[0], np.cov(x[0].T))
    np.testing.assert_allclose(mle.cov * 10, unbiased.cov * 9)


def test_scalar_sample_stats_follow_the_chi_square_law_like_explicit_samples():
    n_replicas, n, var = 20_000, 10, 2.0
    fitted = tiled(np.array([1.0]), np.array([[var]]), n_replicas)
    drawn = fitted.sample_stats(np.full(n_replicas, n), rngs(n_replicas), PLAIN)
    explicit = GaussianStats.of(fitted.sample(np.full(n_replicas, n), rngs(n_replicas), PLAIN).x)
    for stats in (drawn, explicit):
        scatter, mean = stats.scatter[:, 0, 0], stats.mean[:, 0]
        # scatter ~ var·χ²_{n-1}: mean (n-1)var, variance 2(n-1)var²; mean ~ N(1, var/n).
        assert scatter.mean() == pytest.approx((n - 1) * var, rel=0.02)
        assert scatter.var() == pytest.approx(2 * (n - 1) * var**2, rel=0.05)
        assert mean.mean() == pytest.approx(1.0, abs=0.01)
        assert mean.var() == pytest.approx(var / n, rel=0.05)


def test_matrix_sample_stats_follow_the_wishart_law_like_explicit_samples():
    n_replicas, n = 20_000, 6
    cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])
    fitted = tiled(np.zeros(3), cov, n_replicas)
    hot = DecodingParams(temperature=1.5)
    drawn = fitted.sample_stats(np.full(n_replicas, n), rngs(n_replicas), hot)
    explicit = GaussianStats.of(fitted.sample(np.full(n_replicas, n), rngs(n_replicas), hot).x)
    sigma = 1.5 * cov
    # Wishart(Σ, k): E W = kΣ, Var W_ij = k(Σ_ij² + Σ_ii Σ_jj).
    k = n - 1
    want_var = k * (sigma**2 + np.outer(np.diag(sigma), np.diag(sigma)))
    for stats in (drawn, explicit):
        np.testing.assert_allclose(stats.scatter.mean(0), k * sigma, atol=0.04 * k * sigma.max())
        np.testing.assert_allclose(stats.scatter.var(0), want_var, rtol=0.08)
        np.testing.assert_allclose(np.cov(stats.mean.T), sigma / n, atol=0.01)


def test_sample_stats_with_fewer_samples_than_dimensions_is_singular_wishart():
    fitted = tiled(np.zeros(3), np.eye(3), 4)
    stats = fitted.sample_stats(np.full(4, 2), rngs(4), PLAIN)
    assert np.all(np.linalg.matrix_rank(stats.scatter) == 1)


ANISOTROPIC = VectorsTruthParams(
    dim=3,
    mixture=[
        MixtureComponent(weight=1, mean=[-2.0, 0.0, 1.0], std=0.7),
        MixtureComponent(weight=2, mean=[1.0, 0.5, 0.0], std=1.1),
    ],
)


@pytest.mark.parametrize("params", [VectorsTruthParams(dim=3, mean=0.5, std=1.3), ANISOTROPIC])
def test_w2_and_cross_entropy_match_direct_matrix_formulas(params):
    gen = np.random.default_rng(3)
    truth = VectorsTruth(params)
    roots = gen.normal(size=(4, 3, 3))
    cov, mean = roots @ roots.transpose(0, 2, 1), gen.normal(size=(4, 3))
    got = gaussian_metrics(mean, cov, truth)
    s2 = sqrtm(truth.cov)
    for r in range(4):
        cross = np.real(sqrtm(s2 @ cov[r] @ s2))
        want = np.sum((mean[r] - truth.mean) ** 2) + np.trace(cov[r] + truth.cov - 2 * cross)
        assert got["w2"][r] == pytest.approx(np.sqrt(want), rel=1e-6)
        inv, offset = np.linalg.inv(cov[r]), mean[r] - truth.mean
        nll = 0.5 * (
            3 * np.log(2 * np.pi)
            + np.linalg.slogdet(cov[r])[1]
            + np.trace(inv @ truth.cov)
            + offset @ inv @ offset
        )
        assert got["cross_entropy"][r] == pytest.approx(nll, rel=1e-9)


def test_scalar_w2_is_distance_between_means_and_stds():
    truth = VectorsTruth(VectorsTruthParams(mean=1.0, std=2.0))
    metrics = gaussian_metrics(np.array([[4.0]]), np.array([[[9.0]]]), truth)
    assert metrics["w2"][0] == pytest.approx(np.sqrt(3**2 + 1**2))
    assert metrics["sigma_ratio"][0] == pytest.approx(1.5)
    assert metrics["mean_error"][0] == pytest.approx(3.0)


def test_cross_entropy_is_the_expected_nll_of_truth_points():
    truth = VectorsTruth(VectorsTruthParams(dim=2, mean=0.3, std=0.8))
    mean, cov = np.array([[0.5, -0.2]]), np.array([[[1.2, 0.3], [0.3, 0.7]]])
    x = truth.sample(400_000, rngs(1)).x[0]
    offset = x - mean[0]
    nll = 0.5 * (
        2 * np.log(2 * np.pi)
        + np.linalg.slogdet(cov[0])[1]
        + np.sum(offset @ np.linalg.inv(cov[0]) * offset, axis=1)
    )
    metrics = gaussian_metrics(mean, cov, truth)
    assert metrics["cross_entropy"][0] == pytest.approx(nll.mean(), abs=0.005)
    exact = gaussian_metrics(truth.mean[None], truth.cov[None], truth)
    assert exact["excess_cross_entropy"][0] == pytest.approx(0.0, abs=1e-12)


def test_collapsed_model_scores_infinite_cross_entropy_without_warnings():
    truth = VectorsTruth(VectorsTruthParams(dim=2))
    metrics = gaussian_metrics(np.zeros((1, 2)), np.zeros((1, 2, 2)), truth)
    assert np.isinf(metrics["cross_entropy"][0]) and metrics["sigma_ratio"][0] == 0.0


def test_unbiased_replace_loop_shrinks_sigma_like_exp_minus_n_over_2m():
    truth = VectorsTruth(VectorsTruthParams())
    m, generations = 100, 200
    out = stat_loop(truth, 2000, generations, "replace", m=m)
    ratio = np.median(out["sigma_ratio"][-1] / out["sigma_ratio"][0])
    assert ratio == pytest.approx(np.exp(-generations / (2 * m)), rel=0.10)
    assert out["w2"].shape == (generations + 1, 2000)
    np.testing.assert_array_equal(out["train_ai_share"][:, 0], [0.0] + [1.0] * generations)


def test_accumulate_loop_keeps_sigma_and_fresh_data_anchor_the_model():
    truth = VectorsTruth(VectorsTruthParams(mean=2.0))
    for strategy in ("accumulate", "fresh_fraction"):
        out = stat_loop(truth, 500, 300, strategy, fresh_fraction=0.2)
        assert np.median(out["sigma_ratio"][-1]) == pytest.approx(1.0, abs=0.1)
        assert np.median(out["mean_error"][-1]) < 0.5
    assert out["train_ai_share"][-1, 0] == pytest.approx(0.8)


def test_statistics_loop_agrees_with_a_loop_over_sample_stats():
    truth = VectorsTruth(VectorsTruthParams(dim=2, std=1.5))
    n_replicas, m, generations = 1000, 20, 15
    learner = GaussianLearner(GaussianParams(estimator="mle"))
    fitted = learner.fit(truth.sample(m, rngs(n_replicas, Stream.INITIAL)))
    fast = gaussian_stat_loop(
        fitted.mean, fitted.cov, np.full(n_replicas, m), np.full(generations, m), "accumulate",
        "mle", rngs(n_replicas), truth,
    )  # fmt: skip
    pool = learner.stats(truth.sample(m, rngs(n_replicas, Stream.INITIAL)))
    loop_rng = rngs(n_replicas, seed=9)
    for _ in range(generations):
        pool = pool + fitted.sample_stats(np.full(n_replicas, m), loop_rng, PLAIN)
        fitted = learner.fit_stats(pool)
    slow = fitted.evaluate(None, truth)
    for key in ("sigma_ratio", "w2"):
        assert np.median(fast[key][-1]) == pytest.approx(np.median(slow[key]), rel=0.08)


@pytest.mark.parametrize("strategy", ["replace", "accumulate", "fresh_fraction"])
def test_scalar_fast_path_equals_the_general_path(strategy):
    truth = VectorsTruth(VectorsTruthParams(mean=0.5))
    n_replicas, generations = 5, 40
    model_sizes = np.full(generations, 50)
    fresh_sizes = np.zeros(generations, dtype=np.int64)
    if strategy == "fresh_fraction":
        fresh_sizes, model_sizes = np.full(generations, 10), np.full(generations, 40)
    mean0, var0, n0 = np.zeros(n_replicas), np.full(n_replicas, 1.3), np.full(n_replicas, 50)
    args = (n0, model_sizes, fresh_sizes, strategy_rule(strategy), "unbiased")
    mean, var = _scalar_loop(mean0, var0, *args, rngs(n_replicas), truth, 1.2, rngs(n_replicas))
    general = _matrix_loop(
        mean0[:, None], var0[:, None, None], *args, rngs(n_replicas), truth, 1.2,
        rngs(n_replicas),
    )  # fmt: skip
    np.testing.assert_allclose(general["sigma_ratio"], np.sqrt(var / truth.cov[0, 0]), rtol=1e-9)
    np.testing.assert_allclose(general["mean_error"], np.abs(mean - 0.5), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dim", [1, 2])
def test_statistics_loop_is_deterministic_and_replicas_independent(dim):
    truth = VectorsTruth(VectorsTruthParams(dim=dim))
    for strategy in ("replace", "accumulate", "fresh_fraction"):
        small = stat_loop(truth, 3, 30, strategy, m=20, seed=4, fresh_fraction=0.25)
        again = stat_loop(truth, 3, 30, strategy, m=20, seed=4, fresh_fraction=0.25)
        large = stat_loop(truth, 7, 30, strategy, m=20, seed=4, fresh_fraction=0.25)
        for key, value in small.items():
            np.testing.assert_array_equal(value, again[key])
            np.testing.assert_array_equal(value[:, 0], large[key][:, 0])


def test_fitted_draws_do_not_depend_on_the_number_of_replicas():
    truth = VectorsTruth(VectorsTruthParams(dim=2))
    few = tiled(np.ones(2), 2 * np.eye(2), 3)
    many = tiled(np.ones(2), 2 * np.eye(2), 7)
    np.testing.assert_array_equal(
        few.sample(5, rngs(3), PLAIN).x[0], many.sample(5, rngs(7), PLAIN).x[0]
    )
    np.testing.assert_array_equal(
        few.sample_stats(5, rngs(3), PLAIN).scatter[0],
        many.sample_stats(5, rngs(7), PLAIN).scatter[0],
    )
    np.testing.assert_array_equal(truth.sample(4, rngs(3)).x[0], truth.sample(4, rngs(7)).x[0])


def test_temperature_scales_the_sampled_variance():
    fitted = tiled(np.zeros(1), np.eye(1), 1)
    x = fitted.sample(100_000, rngs(1), DecodingParams(temperature=4.0)).x
    assert x.std() == pytest.approx(2.0, rel=0.02)


def test_fresh_fraction_needs_a_single_gaussian_truth():
    truth = VectorsTruth(
        VectorsTruthParams(mixture=[MixtureComponent(mean=[0.0]), MixtureComponent(mean=[3.0])])
    )
    with pytest.raises(ValueError, match="single-Gaussian"):
        stat_loop(truth, 2, 3, "fresh_fraction", fresh_fraction=0.5)
