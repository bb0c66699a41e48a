"""Model trainers: crawl the web, assemble data by strategy, fit, evaluate, offer the model."""

from __future__ import annotations

import mesa
import numpy as np

from ecosystem.config.ecosystem import TrainerParams
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners import build_learner
from ecosystem.metrics.health import check_metrics
from ecosystem.metrics.tokens import token_sample_metrics
from ecosystem.world.content import Origin
from ecosystem.world.crawl import crawl
from ecosystem.world.market import Deployment
from ecosystem.world.streams import Draw, draws
from ecosystem.world.trainsets import TrainingData


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
        self.learner = build_learner(params.learner, model.truth, model.seed)
        self.data = TrainingData(params, self.learner)
        self.generation = -1
        self.latest: Deployment | None = None
        self.last_crawl = np.zeros(0, dtype=np.int64)
        self.company = None  # set by the owning Company

    def due(self, step: int) -> bool:
        """Whether a new generation is trained at ``step``."""
        return step > 0 and step % self.params.retrain_every == 0

    def step(self) -> None:
        """Trainer phase of a step: train the next generation when due."""
        if self.due(self.model.step_index):
            self.train()

    def train(self) -> None:
        """Crawl, assemble the training data, fit, evaluate and record the next generation."""
        model, p = self.model, self.params
        step, generation = model.step_index, self.generation + 1
        rng = draws(model.seed, Draw.CRAWL, self.index, generation)
        crawled = crawl(model.store, model.web, self.index, p, step, self.data.crawl_budget(), rng)
        fresh = None
        if self.data.fresh_docs():
            fresh_rng = draws(model.seed, Draw.FRESH, self.index, generation)
            topics = fresh_rng.integers(0, model.truth.topics, size=self.data.fresh_docs())
            fresh = model.truth.sample_topics(topics, fresh_rng)
        extra = self.company.proprietary_data(step) if self.company is not None else None
        previous = self.latest.fitted if self.latest is not None else None
        trained = self.data.next_generation(crawled, model.store, rng, previous, fresh, extra)
        metrics = self.evaluate(trained.fitted, generation, step)
        self.generation, self.last_crawl = generation, crawled
        self.latest = Deployment(
            self.index, generation, trained.fitted, p.decoding, metrics["excess_cross_entropy"]
        )
        origin = model.store.column("origin")[crawled]
        model.records["generations"].append(
            {
                "trainer": self.name,
                "company": self.company.name if self.company is not None else None,
                "generation": generation,
                "step": step,
                "strategy": p.strategy,
                "human_only": p.human_only,
                "train_docs": trained.train_docs,
                "train_tokens": trained.train_tokens,
                "train_ai_share": trained.train_ai_share,
                "crawled_docs": len(crawled),
                "crawled_ai_share": float((origin == Origin.AI).mean()) if len(crawled) else 0.0,
                **metrics,
            }
        )

    def evaluate(self, fitted, generation: int, step: int) -> dict[str, float]:
        """Score on the shared human test set; sample metrics; text samples beside human text."""
        model = self.model
        metrics = fitted.evaluate(model.test, model.truth)
        rng = draws(model.seed, Draw.EVALUATION, self.index, generation)
        size = model.params.metrics.sample_size
        samples = fitted.sample(np.array([size]), ReplicaRNG([rng]), self.params.decoding)
        metrics.update(token_sample_metrics(samples, model.truth, model.params.metrics.tail_mass))
        self._record_text(samples, generation, step, rng)
        keep = ("cross_entropy", "perplexity", "excess_cross_entropy", "tail_mass_ratio")
        keep += ("distinct_2", "entropy")
        where = f"step {step}, trainer {self.name!r}, generation {generation}"
        check_metrics(
            {k: metrics[k] for k in keep if k in metrics}, where, self.params.learner.kind
        )
        return {k: float(np.asarray(metrics[k])[0]) for k in keep if k in metrics}

    def _record_text(self, samples, generation: int, step: int, rng) -> None:
        """A few sampled documents as text, each beside a human test document of its topic."""
        model = self.model
        n = min(model.params.metrics.text_samples, samples.n_docs)
        if n == 0:
            return
        test_topics = model.test.topics
        human = []
        for topic in samples.topics[:n]:  # a handful of rows per generation, not a hot path
            same = np.flatnonzero(test_topics == topic)
            human.append(rng.choice(same) if len(same) else rng.integers(model.test.n_docs))
        model_text = model.truth.spell_docs(samples, limit=n)
        human_text = model.truth.spell_docs(model.test.take(np.array(human)))
        for i in range(n):
            model.records["samples"].append(
                {
                    "trainer": self.name,
                    "generation": generation,
                    "step": step,
                    "topic": int(samples.topics[i]),
                    "model_text": model_text[i],
                    "human_text": human_text[i],
                }
            )
