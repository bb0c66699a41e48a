"""The recursive-training loop: R replicas x G generations for each data strategy.

Generation 0 is fitted on human data drawn from the truth. Generation g >= 1 is fitted on data
assembled by the strategy from samples of generation g-1:

- ``replace``: only the M_g fresh synthetic samples;
- ``accumulate``: everything seen so far (human data of generation 0 plus all synthetic samples);
- ``accumulate_subsample``: a uniform subsample of everything, of fixed size (the budget);
- ``fresh_fraction``: round(f M_g) fresh human samples plus the rest synthetic;
- ``original_fraction``: round(f M_g) samples drawn anew each generation from generation 0's
  human data (all of it when that is fewer) plus M_g - round(f M_g) synthetic ones: Shumailov et
  al.'s "10% of the original data kept", or with all of it Alemohammad et al.'s synthetic
  augmentation loop.

Learners with additive sufficient statistics accumulate statistics instead of rows; with
``sampling: statistics`` they also draw the statistics of each synthetic sample directly from
their exact law (identical in distribution, O(1) instead of O(M) per replica and generation).
Every strategy restarts the same per-replica streams, so strategies differ only by strategy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from ecosystem.config.schema import LoopScenario
from ecosystem.core.data import Data, Labeled, TokenDocs
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.lab.pools import concat, subsample
from ecosystem.learners import build_learner
from ecosystem.learners.base import StatsLearner, supports_stat_sampling
from ecosystem.learners.gaussian import GaussianLearner
from ecosystem.learners.gaussian_loop import gaussian_stat_loop
from ecosystem.metrics.health import check_metrics
from ecosystem.metrics.tokens import sample_truth_nll, token_sample_metrics
from ecosystem.metrics.vocabulary import TokenSurvival, training_counts, vocabulary_metrics
from ecosystem.truth import build_truth

Progress = Callable[[int], None]
TOKEN_MODALITIES = ("tokens", "text")


class LoopContext:
    """Everything shared by the strategies of one loop run."""

    def __init__(self, scenario: LoopScenario):
        self.scenario = scenario
        self.seed = scenario.seed
        self.loop = scenario.loop
        self.replicas = list(range(scenario.loop.replicas))
        self.truth = build_truth(scenario.truth, self.seed)
        self.learner = build_learner(scenario.learner, self.truth, self.seed)
        # a truth with a held-out split (real text) draws its test set from there
        draw_test = getattr(self.truth, "test_sample", self.truth.sample)
        self.test = draw_test(
            np.array([self.loop.test_samples]), ReplicaRNG.for_replicas(self.seed, Stream.TEST, [0])
        )
        m0 = self.loop.samples_at(0)
        self.initial = self.truth.sample(np.full(len(self.replicas), m0), self.rngs(Stream.INITIAL))
        if isinstance(self.initial, Labeled) and getattr(scenario.truth, "design", "") == "fixed":
            self.learner.set_design(self.initial.X)
        self.generation0 = None
        self.sample_rows: list[pl.DataFrame] = []
        self.sequence_rows: list[pl.DataFrame] = []
        self.survival: dict[str, TokenSurvival] = {}

    def rngs(self, stream: Stream, *index: int) -> ReplicaRNG:
        """Fresh per-replica generators of ``stream`` (restarted for every strategy)."""
        return ReplicaRNG.for_replicas(self.seed, stream, self.replicas, *index)

    def use_statistics(self, strategy: str) -> bool:
        mode = self.loop.sampling
        if mode == "explicit" or strategy in ("accumulate_subsample", "original_fraction"):
            return False
        if not isinstance(self.learner, StatsLearner):
            return False
        return mode in ("statistics", "auto")

    def evaluate(
        self, fitted, metric_rng: ReplicaRNG | None, strategy: str, generation: int
    ) -> dict[str, np.ndarray]:
        """Metrics of ``fitted`` (R,) arrays; for token models also records readable samples."""
        metrics = dict(fitted.evaluate(self.test, self.truth))
        metrics.update(self._vocabulary(fitted, strategy, generation))
        if self.truth.modality in TOKEN_MODALITIES and metric_rng is not None:
            n = np.full(len(self.replicas), self.scenario.metrics.sample_size)
            samples = fitted.sample(n, metric_rng, self.scenario.decoding)
            if hasattr(self.truth, "tail_tokens"):
                metrics.update(
                    token_sample_metrics(samples, self.truth, self.scenario.metrics.tail_mass)
                )
            if hasattr(self.truth, "log_prob"):
                metrics["sample_truth_nll"] = sample_truth_nll(samples, self.truth)
            self._record_samples(fitted, samples, strategy, generation)
        check_metrics(
            metrics, f"strategy {strategy}, generation {generation}", self.scenario.learner.kind
        )
        return metrics

    def _vocabulary(self, fitted, strategy: str, generation: int) -> dict[str, np.ndarray]:
        """Vocabulary metrics of a count-based token model's training data (else nothing)."""
        counts = training_counts(fitted, self.truth)
        if counts is None:
            return {}
        replica, token, count, marginal = counts
        if self.scenario.metrics.token_survival:
            survival = self.survival.setdefault(
                strategy, TokenSurvival(len(self.replicas), marginal)
            )
            survival.update(generation, replica, token)
        return vocabulary_metrics(replica, token, count, len(self.replicas), marginal)

    def _record_samples(self, fitted, samples: TokenDocs, strategy: str, generation: int):
        """Keep replica 0's sample texts and their perplexity under the generation-0 model."""
        if generation == 0 and self.generation0 is None:
            self.generation0 = fitted
        first = samples.for_replica(0)
        limit = self.scenario.metrics.sample_texts
        if limit:
            texts = self.truth.spell_docs(first, limit)
            human = self._human_texts(first.topics[: len(texts)])
            self.sample_rows.append(
                pl.DataFrame(
                    {
                        "strategy": [strategy] * len(texts),
                        "replica": [0] * len(texts),
                        "generation": [generation] * len(texts),
                        "sample": list(range(len(texts))),
                        "topic": first.topics[: len(texts)].tolist(),
                        "model_text": texts,
                        "human_text": human,
                    }
                )
            )
        gen0 = self.generation0
        if gen0 is not None and callable(getattr(gen0, "log_prob", None)):
            log_prob = gen0.log_prob(first)[0]
            per_doc = np.add.reduceat(log_prob, first.offsets[:-1]) / np.maximum(first.lengths, 1)
            self.sequence_rows.append(
                pl.DataFrame(
                    {
                        "strategy": strategy,
                        "replica": 0,
                        "generation": generation,
                        "sequence": np.arange(first.n_docs),
                        "length": first.lengths,
                        "perplexity_gen0": np.exp(-per_doc),
                    }
                )
            )

    def _human_texts(self, topics: np.ndarray) -> list[str]:
        """A held-out human document of each requested topic (same order)."""
        out = []
        for topic in topics:
            idx = np.flatnonzero(self.test.topics == topic)
            pick = idx[len(out) % len(idx)] if len(idx) else 0
            out.append(self.truth.spell_docs(self.test.take(np.array([pick])), 1)[0])
        return out


def run_loop(scenario: LoopScenario, progress: Progress | None = None) -> dict[str, pl.DataFrame]:
    """Run every strategy of ``scenario``.

    Returns:
        ``generations``: one row per (strategy, replica, generation); for token models also
        ``samples`` (readable texts of replica 0 beside human texts of the same topic) and
        ``sequences`` (each sampled document's perplexity under the generation-0 model), and with
        ``metrics.token_survival`` ``survival`` (each token's extinction generation per replica).
    """
    ctx = LoopContext(scenario)
    frames = []
    for strategy in scenario.loop.strategies:
        if ctx.use_statistics(strategy):
            records = _statistics_loop(ctx, strategy, progress)
        else:
            records = _explicit_loop(ctx, strategy, progress)
        frames.append(_frame(records, strategy, len(ctx.replicas)))
    tables = {"generations": pl.concat(frames, how="diagonal_relaxed")}
    if ctx.sample_rows:
        tables["samples"] = pl.concat(ctx.sample_rows)
    if ctx.sequence_rows:
        tables["sequences"] = pl.concat(ctx.sequence_rows)
    if ctx.survival:
        tables["survival"] = pl.concat([s.frame(name) for name, s in ctx.survival.items()])
    return tables


def _frame(records: list[dict[str, np.ndarray]], strategy: str, n_replicas: int) -> pl.DataFrame:
    columns: dict[str, np.ndarray] = {}
    keys = list(records[0])
    for key in keys:
        columns[key] = np.concatenate([np.broadcast_to(rec[key], (n_replicas,)) for rec in records])
    frame = pl.DataFrame(columns)
    return frame.with_columns(pl.lit(strategy).alias("strategy")).select(
        "strategy",
        "replica",
        "generation",
        "train_size",
        "train_ai_share",
        *[k for k in keys if k not in {"replica", "generation", "train_size", "train_ai_share"}],
    )


def _record(generation: int, n_replicas: int, size, ai_share, metrics) -> dict[str, np.ndarray]:
    rec = {
        "replica": np.arange(n_replicas, dtype=np.int32),
        "generation": np.full(n_replicas, generation, dtype=np.int32),
        "train_size": np.broadcast_to(np.asarray(size, dtype=np.int64), (n_replicas,)),
        "train_ai_share": np.broadcast_to(np.asarray(ai_share, dtype=np.float64), (n_replicas,)),
    }
    rec.update({k: np.asarray(v, dtype=np.float64) for k, v in metrics.items()})
    return rec


def _split(ctx: LoopContext, strategy: str, generation: int) -> tuple[int, int]:
    """(synthetic, human) samples for ``generation``; human ones are fresh or original."""
    m = ctx.loop.samples_at(generation)
    share = {
        "fresh_fraction": ctx.loop.fresh_fraction,
        "original_fraction": ctx.loop.original_fraction,
    }
    human = round(share.get(strategy, 0.0) * m)
    return m - human, human


def _human(ctx: LoopContext, strategy: str, n: int, fresh_rng, sub_rng) -> Data:
    """``n`` human samples per replica: fresh from the truth, or drawn from the original data."""
    if strategy == "original_fraction":
        return subsample(ctx.initial, _flags(ctx.initial, 0.0), n, sub_rng)[0]
    return ctx.truth.sample(np.full(len(ctx.replicas), n), fresh_rng)


def _explicit_loop(ctx: LoopContext, strategy: str, progress: Progress | None) -> list[dict]:
    R = len(ctx.replicas)
    learner, decoding = ctx.learner, ctx.scenario.decoding
    loop_rng, fresh_rng = ctx.rngs(Stream.LOOP), ctx.rngs(Stream.FRESH)
    sub_rng, metric_rng = ctx.rngs(Stream.SUBSAMPLE), ctx.rngs(Stream.LOOP, 1)
    fit_rng = ctx.rngs(Stream.LEARNER)
    pool: Data = ctx.initial
    pool_ai = _flags(pool, 0.0)
    budget = ctx.loop.subsample_budget or ctx.loop.samples_per_generation
    fitted = learner.fit(pool, fit_rng)
    metrics = ctx.evaluate(fitted, metric_rng, strategy, 0)
    records = [_record(0, R, _size(pool), 0.0, metrics)]
    _tick(progress)
    for g in range(1, ctx.loop.generations + 1):
        n_syn, n_human = _split(ctx, strategy, g)
        synthetic = fitted.sample(np.full(R, n_syn), loop_rng, decoding)
        parts, flags = [synthetic], [_flags(synthetic, 1.0)]
        if n_human:
            human = _human(ctx, strategy, n_human, fresh_rng, sub_rng)
            parts.append(human)
            flags.append(_flags(human, 0.0))
        if strategy in ("replace", "fresh_fraction", "original_fraction"):
            train, train_ai = _merge(parts, flags)
            share = train_ai.mean() if train_ai.size else 0.0
            share = (
                np.full(R, share)
                if not isinstance(train, TokenDocs)
                else _doc_share(train, train_ai)
            )
        else:
            pool, pool_ai = _merge([pool, *parts], [pool_ai, *flags])
            if strategy == "accumulate":
                train = pool
                share = (
                    _doc_share(pool, pool_ai)
                    if isinstance(pool, TokenDocs)
                    else np.full(R, pool_ai.mean())
                )
            else:
                train, share = subsample(pool, pool_ai, budget, sub_rng)
        fitted = learner.fit(train, fit_rng, previous=fitted)
        metrics = ctx.evaluate(fitted, metric_rng, strategy, g)
        records.append(_record(g, R, _size(train), share, metrics))
        _tick(progress)
    return records


def _statistics_loop(ctx: LoopContext, strategy: str, progress: Progress | None) -> list[dict]:
    R = len(ctx.replicas)
    if isinstance(ctx.learner, GaussianLearner) and not (
        strategy == "fresh_fraction" and getattr(ctx.truth, "is_mixture", False)
    ):
        return _gaussian_statistics_loop(ctx, strategy, progress)
    learner, decoding = ctx.learner, ctx.scenario.decoding
    loop_rng, fresh_rng = ctx.rngs(Stream.LOOP), ctx.rngs(Stream.FRESH)
    metric_rng = ctx.rngs(Stream.LOOP, 1)
    pool_stats = learner.stats(ctx.initial)
    fitted = learner.fit_stats(pool_stats)
    if not supports_stat_sampling(fitted):
        return _explicit_loop(ctx, strategy, progress)
    n_synthetic_total = np.zeros(R)
    metrics = ctx.evaluate(fitted, metric_rng, strategy, 0)
    records = [_record(0, R, pool_stats.size(), 0.0, metrics)]
    _tick(progress)
    for g in range(1, ctx.loop.generations + 1):
        n_syn, n_fresh = _split(ctx, strategy, g)
        train = fitted.sample_stats(np.full(R, n_syn), loop_rng, decoding)
        if n_fresh:
            train = train + learner.stats(ctx.truth.sample(np.full(R, n_fresh), fresh_rng))
        if strategy == "accumulate":
            pool_stats = pool_stats + train
            train = pool_stats
            n_synthetic_total += n_syn
            share = n_synthetic_total / pool_stats.size()
        else:
            share = np.full(R, n_syn / (n_syn + n_fresh))
        fitted = learner.fit_stats(train)
        metrics = ctx.evaluate(fitted, metric_rng, strategy, g)
        records.append(_record(g, R, train.size(), share, metrics))
        _tick(progress)
    return records


def _gaussian_statistics_loop(
    ctx: LoopContext, strategy: str, progress: Progress | None
) -> list[dict]:
    """The whole Gaussian loop on sufficient statistics in a few batched calls."""
    R, G = len(ctx.replicas), ctx.loop.generations
    fitted = ctx.learner.fit_stats(ctx.learner.stats(ctx.initial))
    out = gaussian_stat_loop(
        fitted.mean,
        fitted.cov,
        np.full(R, ctx.loop.samples_at(0)),
        np.array([ctx.loop.samples_at(g) for g in range(1, G + 1)], dtype=np.int64),
        strategy,
        ctx.scenario.learner.estimator,
        ctx.rngs(Stream.LOOP),
        ctx.truth,
        fresh_fraction=ctx.loop.fresh_fraction,
        decoding_temperature=ctx.scenario.decoding.temperature,
        fresh_rng=ctx.rngs(Stream.FRESH),
    )
    size, share = out.pop("train_size"), out.pop("train_ai_share")
    records = []
    for g in range(G + 1):
        check_metrics(
            {k: v[g] for k, v in out.items()}, f"strategy {strategy}, generation {g}", "gaussian"
        )
        records.append(_record(g, R, size[g], share[g], {k: v[g] for k, v in out.items()}))
    if progress is not None:
        progress(G + 1)
    return records


def _tick(progress: Progress | None) -> None:
    if progress is not None:
        progress(1)


def _size(data: Data) -> np.ndarray:
    return data.size_per_replica()


def _flags(data: Data, value: float) -> np.ndarray:
    n = data.n_docs if isinstance(data, TokenDocs) else data.size_per_replica()[0]
    return np.full(n, value)


def _merge(parts: list[Data], flags: list[np.ndarray]) -> tuple[Data, np.ndarray]:
    """Concatenate containers and their per-item AI flags, keeping them aligned."""
    merged = concat(parts)
    flag = np.concatenate(flags)
    if isinstance(merged, TokenDocs):
        order = np.argsort(np.concatenate([p.replica for p in parts]), kind="stable")
        flag = flag[order]
    return merged, flag


def _doc_share(docs: TokenDocs, flags: np.ndarray) -> np.ndarray:
    """AI share of documents per replica."""
    per = np.bincount(docs.replica, weights=flags, minlength=docs.n_replicas)
    return per / np.maximum(docs.docs_per_replica(), 1)
