"""Model trainers: crawl the web, assemble data by strategy, fit, evaluate, offer the model."""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from ecosystem.config.ecosystem import TrainerParams
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners import build_learner
from ecosystem.metrics.health import check_metrics
from ecosystem.metrics.tokens import token_sample_metrics
from ecosystem.pipeline.filters import apply_filters
from ecosystem.pipeline.mix import WorldMix, fresh_documents
from ecosystem.pipeline.trainer import CrawlPipeline, Trained
from ecosystem.world.crawl import crawl
from ecosystem.world.holdings import walled_sites
from ecosystem.world.market import Deployment
from ecosystem.world.streams import Draw, draws


@dataclass(frozen=True)
class SampledTexts:
    """A few documents a generation wrote, as text, each beside a human test document of its topic.

    Attributes:
        topics: topic of each sampled document.
        model_text: the sampled documents, spelled.
        human_text: a held-out human document of the same topic for each.
    """

    topics: np.ndarray
    model_text: list[str]
    human_text: list[str]


@dataclass(frozen=True)
class TrainedGeneration:
    """What a trainer trained and how it scored: what the reporters turn into rows.

    Attributes:
        trainer: the trainer's index in the scenario.
        generation: the generation trained.
        step: the step it was trained at.
        train_docs: documents behind the fit.
        train_tokens: tokens behind the fit.
        train_ai_share: share of those documents written by a model.
        crawled: ids of the documents this generation's crawl returned (before the filters).
        kept: ids of those that passed the filter stage (``crawled`` when it has no filter).
        mandated: the retention mandate forced its strategy.
        selected: ids of the store documents the strategy selected.
        proprietary: ids of its company's documents added besides them (filtered).
        proprietary_tokens: their tokens.
        metrics: every score of the model, on the shared human test set and on its samples.
        texts: a few of its samples as text (None when the scenario keeps none).
    """

    trainer: int
    generation: int
    step: int
    train_docs: int
    train_tokens: int
    train_ai_share: float
    crawled: np.ndarray
    kept: np.ndarray
    mandated: bool
    selected: np.ndarray
    proprietary: np.ndarray
    proprietary_tokens: int
    metrics: dict[str, float]
    texts: SampledTexts | None


class ModelTrainer(mesa.Agent):
    """A trainer: every ``retrain_every`` steps it crawls, trains the next generation, evaluates.

    Generation 0 is trained by :meth:`train` when the model is built, on the initial human web
    before any AI content exists; generation g at step g · retrain_every.

    Args:
        model: the EcosystemModel.
        index: the trainer's index in the scenario (also its crawler id for opt-outs).
        params: its parameters.
    """

    def __init__(self, model: mesa.Model, index: int, params: TrainerParams):
        super().__init__(model)
        self.index = int(index)
        self.params = params
        self.name = params.name
        self.learner = build_learner(params.learner, model.truth)
        self.pipeline = CrawlPipeline(params, self.learner, model.policies.filters(params))
        self.mandated = model.policies.retention_mandated(params)
        self.generation = -1
        self.latest: Deployment | None = None
        self.last_crawl = np.zeros(0, dtype=np.int64)
        self.trained: TrainedGeneration | None = None  # what its latest generation trained on
        self.company = None  # set by the owning Company

    def due(self, step: int) -> bool:
        """Whether a new generation is trained at ``step``."""
        return step > 0 and step % self.params.retrain_every == 0

    def step(self) -> TrainedGeneration | None:
        """Trainer phase of a step: train the next generation when due (None when not)."""
        if self.due(self.model.step_index):
            return self.train()
        return None

    def train(self) -> TrainedGeneration:
        """Crawl, assemble the training data, fit and evaluate the next generation; offer it.

        Returns:
            What it trained on and how it scored, for the model's reporters.
        """
        model, p = self.model, self.params
        step, generation = model.step_index, self.generation + 1
        trained, crawled, kept = self._train_data(generation, step)
        metrics, texts = self.evaluate(trained.fitted, generation)
        model.policies.record_quality(self.index, generation, metrics["excess_cross_entropy"])
        self.generation, self.last_crawl = generation, crawled
        self.latest = Deployment(
            self.index, generation, trained.fitted, p.decoding, metrics["excess_cross_entropy"]
        )
        self.trained = TrainedGeneration(
            self.index,
            generation,
            step,
            trained.train_docs,
            trained.train_tokens,
            trained.train_ai_share,
            crawled,
            kept,
            self.mandated,
            trained.selection.ids,
            trained.proprietary,
            trained.proprietary_tokens,
            metrics,
            texts,
        )
        return self.trained

    def _train_data(self, generation: int, step: int) -> tuple[Trained, np.ndarray, np.ndarray]:
        """The data pipeline: crawl (source), filters, mix, strategy, fit.

        Returns:
            The trained generation, the crawl behind it and the part that passed the filters.
        """
        model, pipeline = self.model, self.pipeline
        n_crawl, n_human = pipeline.split(generation)
        rng = draws(model.seed, Draw.CRAWL, self.index, generation)
        company = self.company
        walled = walled_sites(model.platform_owners, company.index if company else None)
        crawled = crawl(model.store, model.web, self.index, self.params, step, n_crawl, rng, walled)
        kept = apply_filters(crawled, model.store, generation, pipeline.filters)
        fresh = None
        if n_human and pipeline.rule.human == "fresh":
            fresh_rng = draws(model.seed, Draw.FRESH, self.index, generation)
            fresh = fresh_documents(model.truth, n_human, fresh_rng)
        original = None
        if n_human and pipeline.rule.human == "original":
            original_rng = draws(model.seed, Draw.ORIGINAL, self.index, generation)
            original = pipeline.original_part(n_human, original_rng)
        proprietary = None
        if company is not None:
            company.holdings.record_crawl(kept, model.store, step)
            proprietary = company.proprietary_data(step, self.index, generation)
        if proprietary is not None:  # the owner's documents pass the same filter chain
            proprietary = apply_filters(proprietary, model.store, generation, pipeline.filters)
        archive = model.policies.archive_part(self.params, self.index, generation)
        mix = WorldMix(fresh=fresh, proprietary=proprietary, archive=archive)
        previous = self.latest.fitted if self.latest is not None else None
        trained = pipeline.next_generation(kept, model.store, rng, previous, mix, original)
        return trained, crawled, kept

    def evaluate(self, fitted, generation: int) -> tuple[dict[str, float], SampledTexts | None]:
        """Score on the shared human test set; sample metrics; text samples beside human text.

        Returns:
            Every metric of the model (its one replica's value) and a few samples as text.
        """
        model = self.model
        metrics = fitted.evaluate(model.test, model.truth)
        rng = draws(model.seed, Draw.EVALUATION, self.index, generation)
        size = model.params.metrics.sample_size
        samples = fitted.sample(np.array([size]), ReplicaRNG([rng]), self.params.decoding)
        metrics.update(token_sample_metrics(samples, model.truth, model.params.metrics.tail_mass))
        texts = self._sample_texts(samples, rng)
        where = f"step {model.step_index}, trainer {self.name!r}, generation {generation}"
        scored = ("cross_entropy", "perplexity", "excess_cross_entropy", "tail_mass_ratio")
        check_metrics(
            {k: metrics[k] for k in (*scored, "distinct_2", "entropy") if k in metrics},
            where,
            self.params.learner.kind,
        )
        return {k: float(np.asarray(v)[0]) for k, v in metrics.items()}, texts

    def _sample_texts(self, samples, rng) -> SampledTexts | None:
        """A few sampled documents as text, each beside a human test document of its topic."""
        model = self.model
        n = min(model.params.metrics.text_samples, samples.n_docs)
        if n == 0:
            return None
        test_topics = model.test.topics
        human = []
        for topic in samples.topics[:n]:  # a handful of rows per generation, not a hot path
            same = np.flatnonzero(test_topics == topic)
            human.append(rng.choice(same) if len(same) else rng.integers(model.test.n_docs))
        model_text = model.truth.spell_docs(samples, limit=n)
        human_text = model.truth.spell_docs(model.test.take(np.array(human)))
        return SampledTexts(samples.topics[:n].copy(), model_text, human_text)
