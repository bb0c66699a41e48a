"""Scaling mode: a learner's test error against training size T on data from a generator model.

The generator is the scenario's learner fitted once on ``generator_samples`` human samples; it
samples with the scenario's decoding (top-k / top-p cut its tail). For every share π of clean
human data and every size T, each replica trains a fresh model on round(πT) human samples plus
T - round(πT) generator samples and is scored on held-out human data. Dohmatob et al. (2024):
with the tail cut at rank k the error plateaus near the truth's mass beyond rank k, clean data
keeps decaying as T^-(1 - 1/β), and a share of clean data restores the decay.

Replica r's draws for curve i and size j come from their own streams (Stream.FRESH for human
data, Stream.LOOP for generator data, Stream.LEARNER for fitting, indexed (r, i, j)), so results
do not depend on how many replicas, sizes or shares run.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ecosystem.config.scaling import ScalingScenario
from ecosystem.core.data import Data, Labeled, TokenDocs, Vectors
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.lab.loop import Progress
from ecosystem.learners import build_learner
from ecosystem.metrics.health import check_metrics
from ecosystem.metrics.vocabulary import training_counts, vocabulary_metrics
from ecosystem.pipeline.pools import concat
from ecosystem.truth import build_truth

HEADLINE_METRICS = ["unseen_mass", "excess_cross_entropy", "cross_entropy", "w2", "test_risk"]


def run_scaling(scenario: ScalingScenario, progress: Progress | None = None) -> dict:
    """Run every (π, T) point of ``scenario``.

    Returns:
        ``scaling``: one row per (real_fraction, train_size, replica) with ``train_ai_share``
        and the learner's metrics (for count-based token models also ``unseen_mass`` and
        ``unigram_collision``); ``generator``: the generator model's own metrics (one row).
    """
    seed, params = scenario.seed, scenario.scaling
    truth = build_truth(scenario.truth, seed)
    learner = build_learner(scenario.learner, truth)
    replicas = list(range(params.replicas))
    draw_test = getattr(truth, "test_sample", truth.sample)
    test = draw_test(
        np.array([params.test_samples]), ReplicaRNG.for_replicas(seed, Stream.TEST, [0])
    )
    generator = learner.fit(
        truth.sample(
            np.array([params.generator_samples]),
            ReplicaRNG.for_replicas(seed, Stream.INITIAL, [0]),
        ),
        ReplicaRNG.for_replicas(seed, Stream.LEARNER, [0]),
    )
    frames = []
    for i, real_fraction in enumerate(params.real_fractions):
        for j, size in enumerate(params.train_sizes):
            n_human = round(real_fraction * size)
            parts = []
            if n_human:
                rng = ReplicaRNG.for_replicas(seed, Stream.FRESH, replicas, i, j)
                parts.append(truth.sample(np.full(len(replicas), n_human), rng))
            if size > n_human:
                rng = ReplicaRNG.for_replicas(seed, Stream.LOOP, replicas, i, j)
                parts.append(_generate(generator, size - n_human, rng, scenario.decoding))
            fit_rng = ReplicaRNG.for_replicas(seed, Stream.LEARNER, replicas, i, j)
            fitted = learner.fit(concat(parts), fit_rng)
            metrics = _metrics(fitted, test, truth, len(replicas))
            where = f"real_fraction {real_fraction}, train_size {size}"
            check_metrics(metrics, where, scenario.learner.kind)
            frames.append(
                pl.DataFrame(
                    {
                        "real_fraction": np.full(len(replicas), real_fraction),
                        "train_size": np.full(len(replicas), size, dtype=np.int64),
                        "replica": np.arange(len(replicas), dtype=np.int32),
                        "train_ai_share": np.full(len(replicas), 1.0 - n_human / size),
                        **{k: np.asarray(v, dtype=np.float64) for k, v in metrics.items()},
                    }
                )
            )
            if progress is not None:
                progress(1)
    generator_metrics = _metrics(generator, test, truth, 1)
    check_metrics(generator_metrics, "the generator model", scenario.learner.kind)
    tables = {
        "scaling": pl.concat(frames, how="diagonal_relaxed"),
        "generator": pl.DataFrame(
            {
                "train_size": [params.generator_samples],
                **{k: np.asarray(v, dtype=np.float64) for k, v in generator_metrics.items()},
            }
        ),
    }
    expected = closed_form(scenario, truth)
    if expected is not None:
        tables["closed_form"] = expected
    return tables


def has_closed_form(scenario: ScalingScenario) -> bool:
    """Whether the memoriser's closed form applies: a unigram without smoothing (its test error
    is the truth's mass on unseen tokens) on a one-topic token truth, sampled at temperature 1
    with at most a top-k cut."""
    learner, decoding = scenario.learner, scenario.decoding
    return (
        scenario.truth.modality == "tokens"
        and scenario.truth.topics == 1
        and learner.kind == "ngram"
        and learner.order == 1
        and learner.add_k == 0.0
        and decoding.temperature == 1.0
        and decoding.top_p == 1.0
    )


def memoriser_error(
    marginal: np.ndarray, top_k: int | None, real_fraction: float, size: int
) -> float:
    """E[unseen mass] of T i.i.d. samples from q = π·p + (1 − π)·p cut at rank k:
    Σ_i p_i (1 − q_i)^T, the exact expected test error of a memorising learner (Dohmatob et
    al. 2024). ``marginal`` is p; without ``top_k`` the generator is p itself."""
    p = np.asarray(marginal, dtype=np.float64)
    cut = p.copy()
    if top_k is not None and top_k < len(p):
        top = np.argsort(-p, kind="stable")[:top_k]
        cut = np.zeros_like(p)
        cut[top] = p[top] / p[top].sum()
    q = real_fraction * p + (1 - real_fraction) * cut
    with np.errstate(divide="ignore"):
        return float(np.sum(p * np.exp(size * np.log1p(-q))))


def closed_form(scenario: ScalingScenario, truth) -> pl.DataFrame | None:
    """The memoriser's expected test error at every (π, T) point, or None where it does not
    apply (see ``has_closed_form``): one row per (real_fraction, train_size), ``unseen_mass``."""
    if not has_closed_form(scenario):
        return None
    params, marginal = scenario.scaling, truth.token_marginal()
    points = [(pi, size) for pi in params.real_fractions for size in params.train_sizes]
    return pl.DataFrame(
        {
            "real_fraction": [pi for pi, _ in points],
            "train_size": pl.Series([size for _, size in points], dtype=pl.Int64),
            "unseen_mass": [
                memoriser_error(marginal, scenario.decoding.top_k, pi, size) for pi, size in points
            ],
        }
    )


def _metrics(fitted, test: Data, truth, n_replicas: int) -> dict[str, np.ndarray]:
    """The learner's metrics plus vocabulary metrics where they apply, (R,) arrays."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        metrics = dict(fitted.evaluate(test, truth))
    counts = training_counts(fitted, truth)
    if counts is not None:
        metrics.update(vocabulary_metrics(*counts[:3], n_replicas, counts[3]))
    return metrics


def _generate(generator, n: int, rng: ReplicaRNG, decoding) -> Data:
    """``n`` samples per replica from the one-replica ``generator``, replica r from ``rng[r]``."""
    parts = [generator.sample(np.array([n]), ReplicaRNG([gen]), decoding) for gen in rng]
    return _stack_replicas(parts)


def _stack_replicas(parts: list[Data]) -> Data:
    """One R-replica container from R one-replica containers (replica r = parts[r])."""
    first = parts[0]
    if isinstance(first, TokenDocs):
        relabelled = [
            TokenDocs(p.tokens, p.offsets, p.topics, np.full(p.n_docs, r, np.int32), len(parts))
            for r, p in enumerate(parts)
        ]
        return TokenDocs.concat(relabelled)
    if isinstance(first, Vectors):
        return Vectors(np.concatenate([p.x for p in parts], axis=0))
    if isinstance(first, Labeled):
        return Labeled(
            np.concatenate([p.X for p in parts], axis=0),
            np.concatenate([p.y for p in parts], axis=0),
        )
    raise TypeError(f"cannot stack {type(first).__name__} by replica")


def scaling_summary(scaling: pl.DataFrame) -> pl.DataFrame:
    """Mean over replicas of the headline metrics per (real_fraction, train_size)."""
    metrics = [m for m in HEADLINE_METRICS if m in scaling.columns]
    return (
        scaling.group_by("real_fraction", "train_size", maintain_order=True)
        .agg(
            pl.len().alias("replicas"),
            pl.col("train_ai_share").mean(),
            *[pl.col(m).mean() for m in metrics],
        )
        .sort("real_fraction", "train_size")
    )


def scaling_total(scenario: ScalingScenario) -> int:
    """Units of progress of a run: one per (π, T) point."""
    return len(scenario.scaling.real_fractions) * len(scenario.scaling.train_sizes)
