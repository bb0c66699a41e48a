"""The recursive-training loop: R replicas x G generations for each data strategy.

Generation 0 is fitted on human data drawn from the truth. Generation g >= 1 is fitted on data
that the training-data pipeline (:mod:`ecosystem.pipeline`) assembles by the strategy's rule
from samples of generation g-1; this module evaluates and records each generation:

- ``replace``: only the M_g fresh synthetic samples;
- ``accumulate``: everything seen so far (human data of generation 0 plus all synthetic samples);
- ``accumulate_subsample``: a uniform subsample of everything, of fixed size (the budget);
- ``fresh_fraction``: round(f M_g) fresh human samples plus the rest synthetic;
- ``original_fraction``: round(f M_g) samples drawn anew each generation from generation 0's
  human data (all of it when that is fewer) plus M_g - round(f M_g) synthetic ones: Shumailov et
  al.'s "10% of the original data kept", or with all of it Alemohammad et al.'s synthetic
  augmentation loop.

Learners with additive sufficient statistics run the pipeline's fast paths: they pool statistics
instead of rows and draw each synthetic sample's statistics directly from their exact law
(identical in distribution, O(1) instead of O(M) per replica and generation), and a learner with
a closed-form loop (the Gaussian) runs every generation at once. Every strategy restarts the same
per-replica streams, so strategies differ only by strategy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ecosystem.config.schema import LoopScenario
from ecosystem.core.checkpoint import Checkpointer
from ecosystem.core.data import Labeled, TokenDocs
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.lab.quantiles import STATISTICS, replica_statistics
from ecosystem.learners import build_learner
from ecosystem.metrics.health import check_metrics
from ecosystem.metrics.tokens import sample_truth_nll, token_sample_metrics
from ecosystem.metrics.vocabulary import TokenSurvival, training_counts, vocabulary_metrics
from ecosystem.pipeline.lab import LabStreams, closed_form_generations, lab_pipeline
from ecosystem.pipeline.strategies import StrategyRule, strategy_rule
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
        self.learner = build_learner(scenario.learner, self.truth)
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
        # resumable progress: finished strategies' summaries (and replica rows when kept),
        # the strategy in flight
        self.keep_replica_rows = scenario.writes_replica_rows()
        self.summaries: list[pl.DataFrame] = []
        self.frames: list[pl.DataFrame] = []
        self.in_flight: StrategyState | None = None
        self.checkpoint: Checkpointer | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "checkpoint": None}  # the checkpointer is not state

    def done_units(self) -> int:
        """Progress units (generations) finished: what a resumed run reports first."""
        done = len(self.summaries) * (self.loop.generations + 1)
        return done + (self.in_flight.generation + 1 if self.in_flight is not None else 0)

    def generation_done(self, state: StrategyState) -> None:
        """Save a checkpoint after a generation of a strategy when one is due."""
        cp = self.checkpoint
        if cp is not None and cp.due(state.generation, self.loop.generations):
            self.in_flight = state
            cp.save(self, self.done_units())
            self.in_flight = None

    def rngs(self, stream: Stream, *index: int) -> ReplicaRNG:
        """Fresh per-replica generators of ``stream`` (restarted for every strategy)."""
        return ReplicaRNG.for_replicas(self.seed, stream, self.replicas, *index)

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
        limit = self.scenario.metrics.text_samples
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


def run_loop(
    scenario: LoopScenario, progress: Progress | None = None, checkpoint: Checkpointer | None = None
) -> dict[str, pl.DataFrame]:
    """Run every strategy of ``scenario``.

    With a checkpointer the whole run (context, pools, fitted models, every Generator) is saved
    after each strategy and every ``checkpoint.every`` generations; a checkpoint found there is
    continued from.

    Returns:
        ``generations_summary``: per (strategy, generation, metric) the mean, median and 10% /
        90% quantiles over replicas; ``generations``: one row per (strategy, replica,
        generation), when ``scenario.writes_replica_rows()``; for token models also
        ``samples`` (readable texts of replica 0 beside human texts of the same topic) and
        ``sequences`` (each sampled document's perplexity under the generation-0 model), and with
        ``metrics.token_survival`` ``survival`` (each token's extinction generation per replica).
    """
    ctx = checkpoint.load() if checkpoint is not None else None
    if ctx is None:
        ctx = LoopContext(scenario)
    elif progress is not None:
        progress(ctx.done_units())
    ctx.checkpoint = checkpoint
    strategies = scenario.loop.strategies
    for index in range(len(ctx.summaries), len(strategies)):
        strategy = strategies[index]
        records = _run_strategy(ctx, strategy_rule(strategy), progress)
        ctx.summaries.append(generations_summary(records, strategy, len(ctx.replicas)))
        if ctx.keep_replica_rows:
            ctx.frames.append(_frame(records, strategy, len(ctx.replicas)))
        del records  # R x (G + 1) values per metric: free them before the next strategy runs
        if checkpoint is not None and index + 1 < len(strategies):
            checkpoint.save(ctx, ctx.done_units())
    tables = {}
    if ctx.keep_replica_rows:
        tables["generations"] = pl.concat(ctx.frames, how="diagonal_relaxed")
    tables["generations_summary"] = pl.concat(ctx.summaries)
    if ctx.sample_rows:
        tables["samples"] = pl.concat(ctx.sample_rows)
    if ctx.sequence_rows:
        tables["sequences"] = pl.concat(ctx.sequence_rows)
    if ctx.survival:
        tables["survival"] = pl.concat([s.frame(name) for name, s in ctx.survival.items()])
    return tables


def generations_summary(records: list[dict], strategy: str, n_replicas: int) -> pl.DataFrame:
    """Per generation of one strategy and every other column of its per-replica rows (the
    training data's size and AI share, each metric): replicas, finite replicas, mean, 10% / 90%
    quantiles and median over replicas (:func:`ecosystem.lab.quantiles.replica_statistics`).

    Args:
        records: one record per generation, in order (``_record``'s (R,) arrays).
        strategy: the strategy's name.
        n_replicas: R.

    Returns:
        One row per (generation, metric), generation-major, metrics in the per-replica table's
        column order; statistics are null where no replica has a value (NaN for all).
    """
    names = [k for k in records[0] if k not in ("replica", "generation")]
    generations = np.array([rec["generation"][0] for rec in records], dtype=np.int32)
    counts = ("replicas", "finite")
    stats = {
        s: np.empty((len(records), len(names)), dtype=np.int64 if s in counts else np.float64)
        for s in STATISTICS
    }
    matrix = np.empty((len(records), n_replicas))  # one buffer for every metric
    for j, name in enumerate(names):
        np.stack([np.broadcast_to(rec[name], (n_replicas,)) for rec in records], out=matrix)
        for statistic, values in replica_statistics(matrix, overwrite=True).items():
            stats[statistic][:, j] = values
    return pl.DataFrame(
        {
            "strategy": np.full(len(records) * len(names), strategy, dtype=object),
            "generation": np.repeat(generations, len(names)),
            "metric": np.tile(np.array(names, dtype=object), len(records)),
            **{s: stats[s].ravel() for s in STATISTICS},
        },
        schema_overrides={"strategy": pl.String, "metric": pl.String},
    ).with_columns(  # statistics of no value (every replica NaN) do not exist: null
        pl.when(pl.col("replicas") > 0).then(pl.col(s)).alias(s) for s in STATISTICS[2:]
    )


@dataclass
class StrategyState:
    """One strategy between generations: what a checkpoint continues from.

    Attributes:
        strategy: the strategy in flight.
        generation: the last finished generation.
        pipeline: the strategy's training-data pipeline (pool and random streams inside).
        current: the last generation's fitted model and training set.
        records: one metrics record per finished generation.
        metric_rng: the evaluation samples' Generators, at their positions.
    """

    strategy: str
    generation: int
    pipeline: Any
    current: Any
    records: list[dict]
    metric_rng: ReplicaRNG


def _run_strategy(ctx: LoopContext, rule: StrategyRule, progress: Progress | None) -> list[dict]:
    """Generations 0..G of one strategy: the data pipeline builds and fits, the loop evaluates."""
    R, strategy = len(ctx.replicas), rule.name
    state = (
        ctx.in_flight if ctx.in_flight is not None and ctx.in_flight.strategy == strategy else None
    )
    ctx.in_flight = None
    if state is None:
        args = (rule, ctx.learner, ctx.initial, ctx.truth, ctx.loop, ctx.scenario.decoding)
        streams = LabStreams(
            ctx.rngs(Stream.LOOP), ctx.rngs(Stream.FRESH), ctx.rngs(Stream.SUBSAMPLE),
            ctx.rngs(Stream.LEARNER),
        )  # fmt: skip
        closed_form = closed_form_generations(*args, streams)
        if closed_form is not None:
            return _closed_form_records(
                closed_form, ctx.loop.generations, R, progress, strategy, ctx.scenario.learner.kind
            )
        pipeline = lab_pipeline(*args, streams)
        metric_rng = ctx.rngs(Stream.LOOP, 1)
        state = StrategyState(strategy, -1, pipeline, pipeline.generation0, [], metric_rng)
    for g in range(state.generation + 1, ctx.loop.generations + 1):
        if g:
            state.current = state.pipeline.next(state.current, g)
        metrics = ctx.evaluate(state.current.fitted, state.metric_rng, strategy, g)
        train = state.current.train
        state.records.append(_record(g, R, train.size, train.ai_share, metrics))
        _tick(progress)
        state.generation = g
        ctx.generation_done(state)
    return state.records


def _closed_form_records(
    out: dict[str, np.ndarray],
    generations: int,
    n_replicas: int,
    progress: Progress | None,
    strategy: str,
    learner_kind: str,
) -> list[dict]:
    """Per-generation records of a closed-form loop's (G+1, R) arrays (NaN stops the run)."""
    size, share = out.pop("train_size"), out.pop("train_ai_share")
    records = []
    for g in range(generations + 1):
        metrics = {k: v[g] for k, v in out.items()}
        check_metrics(metrics, f"strategy {strategy}, generation {g}", learner_kind)
        records.append(_record(g, n_replicas, size[g], share[g], metrics))
    if progress is not None:
        progress(generations + 1)
    return records


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


def _tick(progress: Progress | None) -> None:
    if progress is not None:
        progress(1)
