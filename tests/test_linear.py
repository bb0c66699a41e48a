"""The labeled truth and the linear learner: Gerstgrasser et al.'s replace / accumulate results."""

from __future__ import annotations

import numpy as np
import pytest

from ecosystem.config.learners import DecodingParams, LinearParams
from ecosystem.config.truth import LabeledTruthParams
from ecosystem.core.data import Labeled
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.learners import build_learner
from ecosystem.learners.base import StatsLearner
from ecosystem.learners.linear import FixedDesign, LinearFitted, LinearLearner, presample_noise
from ecosystem.truth import LabeledTruth, build_truth

PLAIN = DecodingParams()


def rngs(n_replicas: int, stream: Stream = Stream.LOOP, seed: int = 0) -> ReplicaRNG:
    return ReplicaRNG.for_replicas(seed, stream, range(n_replicas))


def fixed_design_loop(strategy, n_replicas, generations, dim=7, rows=89, noise_std=1.0):
    """Generation 0 on human rows of one design per replica, then statistics-only refits."""
    truth = LabeledTruth(LabeledTruthParams(dim=dim, noise_std=noise_std), seed=0)
    learner = LinearLearner(LinearParams(), truth.noise_std)
    human = truth.sample(rows, rngs(n_replicas, Stream.INITIAL))
    learner.set_design(human.X)
    pool = learner.stats(human)
    fitted, loop_rng = learner.fit_stats(pool), rngs(n_replicas)
    for _ in range(generations):
        synthetic = fitted.sample_stats(np.full(n_replicas, rows), loop_rng, PLAIN)
        pool = pool + synthetic if strategy == "accumulate" else synthetic
        fitted = learner.fit_stats(pool)
    return fitted.evaluate(None, truth)["test_risk"], truth


def test_factories_build_the_labeled_pieces():
    truth = build_truth(LabeledTruthParams(dim=3), seed=0)
    learner = build_learner(LinearParams(), truth)
    assert isinstance(truth, LabeledTruth) and isinstance(learner, StatsLearner)


def test_truth_coefficients_have_unit_norm_and_labels_have_noise_sigma():
    truth = LabeledTruth(LabeledTruthParams(dim=400, noise_std=0.5), seed=3)
    assert np.sum(truth.w_star**2) == pytest.approx(1.0, abs=0.15)
    data = truth.sample(20_000, rngs(1))
    residual = data.y - data.X @ truth.w_star
    assert residual.std() == pytest.approx(0.5, rel=0.02)
    again = LabeledTruth(LabeledTruthParams(dim=400, noise_std=0.5), seed=3)
    np.testing.assert_array_equal(truth.w_star, again.w_star)


def test_least_squares_recovers_w_star_on_many_rows():
    truth = LabeledTruth(LabeledTruthParams(dim=5), seed=1)
    fitted = LinearLearner(LinearParams(), truth.noise_std).fit(
        truth.sample(20_000, rngs(3)), rngs(3)
    )
    assert np.all(fitted.evaluate(None, truth)["test_risk"] < 2e-3)


def test_ridge_solves_the_penalised_normal_equations():
    truth = LabeledTruth(LabeledTruthParams(dim=4), seed=1)
    data = truth.sample(30, rngs(2))
    fitted = LinearLearner(LinearParams(ridge=3.0), truth.noise_std).fit(data)
    X, y = data.X[1], data.y[1]
    np.testing.assert_allclose(fitted.w_hat[1], np.linalg.solve(X.T @ X + 3 * np.eye(4), X.T @ y))


def test_replace_risk_grows_linearly_in_the_generation():
    dim, rows, generations = 7, 89, 20
    risk, _ = fixed_design_loop("replace", 2000, generations, dim, rows)
    # Gerstgrasser et al. (2024): E risk_n = (n + 1) σ² d / (T - d - 1) for a Gaussian design.
    want = (generations + 1) * dim / (rows - dim - 1)
    assert risk.mean() == pytest.approx(want, rel=0.15)


def test_accumulate_risk_stays_below_the_pi_squared_over_six_bound():
    dim, rows = 7, 89
    risk, _ = fixed_design_loop("accumulate", 2000, 50, dim, rows)
    one_generation = dim / (rows - dim - 1)
    assert risk.mean() <= np.pi**2 / 6 * one_generation * 1.05
    assert risk.mean() >= 1.3 * one_generation  # it does grow, to Σ 1/i² of one generation


def _tiled(w_hat, n_replicas, design=None):
    """The same model (σ = 0.7) in every replica, with a shared fixed design or none."""
    fixed = None if design is None else FixedDesign(np.tile(design, (n_replicas, 1, 1)))
    return LinearFitted(np.tile(w_hat, (n_replicas, 1)), 0.7, fixed)


@pytest.mark.parametrize("design", ["fixed", "random"])
def test_sample_stats_agree_with_explicit_samples(design):
    n_replicas, rows, w_hat = 20_000, 12, np.array([1.0, -0.5, 0.25])
    X = np.random.default_rng(5).normal(size=(rows, 3)) if design == "fixed" else None
    fitted = _tiled(w_hat, n_replicas, X)
    learner = LinearLearner(
        LinearParams(), LabeledTruth(LabeledTruthParams(dim=3), seed=0).noise_std
    )
    drawn = fitted.sample_stats(np.full(n_replicas, rows), rngs(n_replicas), PLAIN)
    explicit = learner.stats(fitted.sample(np.full(n_replicas, rows), rngs(n_replicas), PLAIN))
    gram = X.T @ X if X is not None else rows * np.eye(3)
    for stats in (drawn, explicit):
        np.testing.assert_allclose(stats.xtx.mean(0), gram, atol=0.05 * rows)
        np.testing.assert_allclose(stats.xty.mean(0), gram @ w_hat, atol=0.05 * rows)
        # Var(XᵀX)_ii = 2T for a Gaussian design (Wishart(I, T)).
        if design == "random":
            np.testing.assert_allclose(np.diagonal(stats.xtx.var(0)), 2 * rows, rtol=0.06)
        # Fixed design: Cov(Xᵀy) = σ² XᵀX.
        else:
            np.testing.assert_allclose(np.cov(stats.xty.T), 0.49 * gram, atol=0.03 * rows)
        np.testing.assert_array_equal(stats.size(), rows)


def test_presampled_noise_gives_the_same_run_as_drawing_per_generation():
    truth = LabeledTruth(LabeledTruthParams(dim=3), seed=0)
    learner = LinearLearner(LinearParams(), truth.noise_std)
    human = truth.sample(10, rngs(4, Stream.INITIAL))
    learner.set_design(human.X)
    start = learner.fit(human)
    noise = presample_noise(rngs(4), 5, 3)
    lazy_rng, fitted_lazy, fitted_pre = rngs(4), start, start
    for g in range(5):
        fitted_lazy = learner.fit_stats(fitted_lazy.sample_stats(10, lazy_rng, PLAIN))
        fitted_pre = learner.fit_stats(fitted_pre.sample_stats(10, None, PLAIN, z=noise[g]))
    np.testing.assert_array_equal(fitted_lazy.w_hat, fitted_pre.w_hat)


def test_draws_do_not_depend_on_the_number_of_replicas():
    truth = LabeledTruth(LabeledTruthParams(dim=3, design="random"), seed=0)
    few, many = _tiled(np.ones(3), 2), _tiled(np.ones(3), 5)
    np.testing.assert_array_equal(
        few.sample_stats(8, rngs(2), PLAIN).xty[0], many.sample_stats(8, rngs(5), PLAIN).xty[0]
    )
    np.testing.assert_array_equal(
        few.sample(8, rngs(2), PLAIN).y[0], many.sample(8, rngs(5), PLAIN).y[0]
    )
    np.testing.assert_array_equal(truth.sample(6, rngs(2)).y[0], truth.sample(6, rngs(5)).y[0])


def test_fixed_design_samples_of_other_sizes_cycle_its_rows():
    design = np.random.default_rng(0).normal(size=(6, 3))
    fitted = _tiled(np.ones(3), 2, design)
    for rows in (4, 6, 15):
        X = fitted.sample(rows, rngs(2), PLAIN).X
        np.testing.assert_array_equal(X[1], design[np.arange(rows) % 6])
        stats = fitted.sample_stats(rows, rngs(2), PLAIN)
        np.testing.assert_allclose(stats.xtx[1], X[1].T @ X[1])


def test_fewer_rows_than_features_still_fit_and_sample():
    truth = LabeledTruth(LabeledTruthParams(dim=5, design="random"), seed=0)
    learner = LinearLearner(LinearParams(), truth.noise_std)
    fitted = learner.fit(truth.sample(3, rngs(2)))
    stats = fitted.sample_stats(3, rngs(2), PLAIN)
    assert np.all(np.linalg.matrix_rank(stats.xtx) == 3)
    assert isinstance(fitted.sample(3, rngs(2), PLAIN), Labeled)
    assert np.all(np.isfinite(learner.fit_stats(stats).w_hat))
