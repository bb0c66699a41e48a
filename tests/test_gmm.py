"""The Gaussian-mixture learner (EM by scikit-learn)."""

from __future__ import annotations

import numpy as np
import pytest

from ecosystem.config.learners import DecodingParams, GMMParams
from ecosystem.config.truth import MixtureComponent, VectorsTruthParams
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.learners import build_learner
from ecosystem.learners.gmm import GMMFitted, GMMLearner
from ecosystem.truth import VectorsTruth

PLAIN = DecodingParams()


def rngs(n_replicas: int, stream: Stream = Stream.LOOP) -> ReplicaRNG:
    return ReplicaRNG.for_replicas(0, stream, range(n_replicas))


@pytest.fixture(scope="module")
def truth() -> VectorsTruth:
    return VectorsTruth(
        VectorsTruthParams(
            dim=1,
            mixture=[
                MixtureComponent(weight=0.3, mean=[-4.0], std=1.0),
                MixtureComponent(weight=0.7, mean=[3.0], std=0.5),
            ],
        )
    )


def test_em_recovers_a_two_component_mixture(truth):
    learner = build_learner(GMMParams(components=2), truth)
    fitted = learner.fit(truth.sample(3000, rngs(2, Stream.INITIAL)), rngs(2))
    order = np.argsort(fitted.means[..., 0], axis=1)
    weights = np.take_along_axis(fitted.weights, order, axis=1)
    means = np.take_along_axis(fitted.means[..., 0], order, axis=1)
    stds = np.sqrt(np.take_along_axis(fitted.covariances[..., 0, 0], order, axis=1))
    np.testing.assert_allclose(weights, [[0.3, 0.7]] * 2, atol=0.03)
    np.testing.assert_allclose(means, [[-4.0, 3.0]] * 2, atol=0.1)
    np.testing.assert_allclose(stds, [[1.0, 0.5]] * 2, atol=0.06)
    test = truth.sample(5000, rngs(1, Stream.TEST))
    metrics = fitted.evaluate(test, truth)
    assert np.all(np.abs(metrics["excess_cross_entropy"]) < 0.02)
    assert np.all(metrics["w2"] < 0.2)
    np.testing.assert_allclose(metrics["sigma_ratio"], 1.0, atol=0.05)
    np.testing.assert_allclose(metrics["min_component_var"], stds.min(axis=1) ** 2)


def test_moments_and_samples_of_a_fitted_mixture_agree():
    fitted = GMMFitted(
        weights=np.array([[0.25, 0.75]]),
        means=np.array([[[-1.0, 0.0], [2.0, 1.0]]]),
        covariances=np.array([[np.eye(2) * 0.5, [[1.0, 0.4], [0.4, 0.3]]]]),
        converged=np.array([True]),
    )
    mean, cov = fitted.moments()
    x = fitted.sample(200_000, rngs(1), PLAIN).x[0]
    np.testing.assert_allclose(x.mean(0), mean[0], atol=0.02)
    np.testing.assert_allclose(np.cov(x.T), cov[0], atol=0.03)
    hot = fitted.sample(200_000, rngs(1), DecodingParams(temperature=2.0)).x[0]
    # Temperature scales component covariances, not the spread between component means:
    # doubling them adds the mean within-component covariance Σ_c w_c Σ_c once more.
    within = np.einsum("c,cij->ij", fitted.weights[0], fitted.covariances[0])
    np.testing.assert_allclose(np.cov(hot.T) - np.cov(x.T), within, atol=0.04)


def test_cross_entropy_is_the_mean_nll_of_test_points(truth):
    fitted = GMMFitted(
        weights=truth.weights[None],
        means=truth.component_means[None],
        covariances=(truth.component_stds**2)[None, :, None, None],
        converged=np.array([True]),
    )
    test = truth.sample(1000, rngs(1, Stream.TEST))
    metrics = fitted.evaluate(test, truth)
    np.testing.assert_allclose(metrics["cross_entropy"], -truth.log_prob(test.x[0]).mean())
    assert metrics["excess_cross_entropy"][0] == pytest.approx(0.0, abs=1e-12)
    assert metrics["perplexity"][0] == pytest.approx(np.exp(metrics["cross_entropy"][0]))


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_every_covariance_type_fits_and_warm_starts(covariance_type):
    truth = VectorsTruth(
        VectorsTruthParams(
            dim=2,
            mixture=[MixtureComponent(mean=[-3.0, 0.0]), MixtureComponent(mean=[3.0, 1.0])],
        )
    )
    learner = GMMLearner(GMMParams(components=2, covariance_type=covariance_type))
    data = truth.sample(400, rngs(2, Stream.INITIAL))
    first = learner.fit(data, rngs(2))
    assert first.covariances.shape == (2, 2, 2, 2)
    assert np.all(np.linalg.eigvalsh(first.covariances) > 0)
    second = learner.fit(first.sample(400, rngs(2), PLAIN), rngs(2), previous=first)
    assert second.means.shape == (2, 2, 2)
    np.testing.assert_allclose(np.sort(second.means[:, :, 0], axis=1), [[-3, 3]] * 2, atol=0.5)


def test_fits_and_samples_do_not_depend_on_the_number_of_replicas(truth):
    learner = GMMLearner(GMMParams(components=2))
    few = learner.fit(truth.sample(300, rngs(1, Stream.INITIAL)), rngs(1))
    many = learner.fit(truth.sample(300, rngs(3, Stream.INITIAL)), rngs(3))
    np.testing.assert_array_equal(few.means[0], many.means[0])
    np.testing.assert_array_equal(
        few.sample(50, rngs(1), PLAIN).x[0], many.sample(50, rngs(3), PLAIN).x[0]
    )
