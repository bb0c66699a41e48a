"""Human authors: a columnar population with one thin Mesa agent per author.

Ten thousand to a hundred thousand authors decide every step, so their state lives in numpy
columns of :class:`AuthorPopulation` and every decision is one vectorised draw over all authors:

- entry: new authors join (Poisson), on a platform or with a new personal site;
- quitting: hazard ``quit_base + quit_sensitivity · s``, s = the AI share of the previous step's
  new documents in the author's topics; plus one-off launch quits (``launch_quit_*``);
- adoption (Bass): hazard ``p + q · u^ε · A/N`` for non-adopters from ``launch_step`` on, A/N the
  share of active authors who have adopted, u the best deployed model's usefulness;
- product choice: new adopters (and a ``switch_rate`` share of the others) pick a product by the
  market's logit shares;
- publishing: Poisson documents per author, a Binomial ``ai_share`` of an adopter's written with
  its product's model, each on one of the author's topics, on the author's home site.

:class:`HumanAuthor` is the Mesa agent of one author: a view on its row, for inspection and for
per-author analysis; the model calls the population once per step instead of activating 100k
agents one by one.
"""

from __future__ import annotations

import mesa
import numpy as np

from ecosystem.config.world import AuthorsParams
from ecosystem.core.buffers import Column
from ecosystem.world.publish import HUMAN, PublishRequests

NO_PRODUCT = -1


class AuthorPopulation:
    """Columnar state of every human author.

    Args:
        params: the authors' parameters.
        topics: K, topics of the language.
    """

    def __init__(self, params: AuthorsParams, topics: int):
        self.params = params
        self.n_topics = topics
        self.topics_each = min(params.topics_per_author, topics)
        self._topics = Column(np.int32, width=self.topics_each)
        self._productivity = Column(np.float64)
        self._platform = Column(np.bool_)
        self._site = Column(np.int64)
        self._active = Column(np.bool_)
        self._adopted = Column(np.bool_)
        self._product = Column(np.int32)
        self._joined = Column(np.int32)

    # ------------------------------------------------------------------ columns
    @property
    def size(self) -> int:
        return self._active.size

    topics = property(lambda self: self._topics.view, doc="(N, T) topics of each author.")
    productivity = property(lambda self: self._productivity.view, doc="Docs/step rate.")
    on_platform = property(lambda self: self._platform.view, doc="Posts on a platform site.")
    site = property(lambda self: self._site.view, doc="Home site id.")
    active = property(lambda self: self._active.view, doc="Still publishing.")
    adopted = property(lambda self: self._adopted.view, doc="Uses an AI tool.")
    product = property(lambda self: self._product.view, doc="Product used, or -1.")
    joined = property(lambda self: self._joined.view, doc="Step of joining (-1: initial).")

    # ------------------------------------------------------------------ entry
    def add(self, n: int, step: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``n`` new authors (home site unset: -1); returns their ids."""
        p = self.params
        keys = rng.random((n, self.n_topics))
        topics = np.argsort(keys, axis=1)[:, : self.topics_each]
        mu = np.log(p.productivity_mean) - p.productivity_sigma**2 / 2
        self._topics.append(topics)
        self._productivity.append(np.exp(mu + p.productivity_sigma * rng.standard_normal(n)))
        self._platform.append(rng.random(n) < p.platform_share)
        self._site.append(np.full(n, -1))
        self._active.append(np.ones(n, dtype=bool))
        self._adopted.append(np.zeros(n, dtype=bool))
        self._product.append(np.full(n, NO_PRODUCT))
        self._joined.append(np.full(n, step))
        return np.arange(self.size - n, self.size)

    # ------------------------------------------------------------------ decisions
    def quit(
        self,
        topic_ai_share: np.ndarray,
        launch: bool,
        rng: np.random.Generator,
        hazard_scale: float = 1.0,
    ) -> None:
        """Quitting: one-off launch quits, then the hazard that rises with AI in own topics,
        times ``hazard_scale`` (a levy's payments to authors lower it)."""
        p = self.params
        active = self.active
        u = rng.random(self.size)
        if launch:
            one_off = np.where(self.on_platform, p.launch_quit_platform, p.launch_quit_personal)
            active &= ~(u < one_off)
            u = rng.random(self.size)
        seen = topic_ai_share[self.topics].mean(axis=1)
        hazard = p.quit_base + p.quit_sensitivity * seen
        if hazard_scale != 1.0:
            hazard = hazard * hazard_scale
        active &= ~(u < 1.0 - np.exp(-hazard))

    def adopt(self, usefulness: float, rng: np.random.Generator) -> np.ndarray:
        """Bass adoption among active non-adopters; returns the new adopters' ids."""
        p = self.params
        active = self.active
        n_active = max(int(active.sum()), 1)
        share = np.count_nonzero(active & self.adopted) / n_active
        hazard = p.bass_p + p.bass_q * usefulness**p.quality_elasticity * share
        u = rng.random(self.size)
        new = active & ~self.adopted & (u < 1.0 - np.exp(-hazard))
        self.adopted[new] = True
        return np.flatnonzero(new)

    def choose_products(
        self,
        new_adopters: np.ndarray,
        products: np.ndarray,
        shares: np.ndarray,
        switch_rate: float,
        rng: np.random.Generator,
    ) -> None:
        """New adopters and a ``switch_rate`` share of the rest draw a product by ``shares``."""
        switching = np.flatnonzero(self.adopted & (rng.random(self.size) < switch_rate))
        choosers = np.union1d(new_adopters, switching)
        if len(choosers) and len(products):
            pick = rng.choice(len(products), size=len(choosers), p=shares / shares.sum())
            self.product[choosers] = products[pick]

    # ------------------------------------------------------------------ publishing
    def backlog(self, mean_docs: float, rng: np.random.Generator) -> PublishRequests:
        """The human documents authors already have on the web before step 0 (Poisson)."""
        n_docs = rng.poisson(mean_docs, size=self.size)
        author = np.repeat(np.arange(self.size), n_docs)
        pick = rng.integers(0, self.topics_each, size=len(author))
        return PublishRequests(
            topic=self.topics[author, pick].astype(np.int64),
            site=self.site[author],
            author=author,
            source=np.full(len(author), HUMAN, dtype=np.int64),
        )

    def requests(
        self, product_offer: np.ndarray | None, rng: np.random.Generator
    ) -> PublishRequests:
        """This step's documents of every active author.

        Args:
            product_offer: offer index (deployed model) of each product now, or None
                while no AI tool is available (then every document is human).
            rng: this step's generator.
        """
        writers = np.flatnonzero(self.active)
        n_docs = rng.poisson(self.productivity[writers])
        uses_ai = self.adopted[writers] & (product_offer is not None)
        n_ai = rng.binomial(n_docs, self.params.ai_share * uses_ai)
        author = np.repeat(writers, n_docs)
        first = np.repeat(np.cumsum(n_docs) - n_docs, n_docs)
        is_ai = np.arange(len(author)) - first < np.repeat(n_ai, n_docs)
        pick = rng.integers(0, self.topics_each, size=len(author))
        return PublishRequests(
            topic=self.topics[author, pick].astype(np.int64),
            site=self.site[author],
            author=author,
            source=_sources(is_ai, self.product[author], product_offer),
        )


def _sources(
    is_ai: np.ndarray, product: np.ndarray, product_offer: np.ndarray | None
) -> np.ndarray:
    """Who writes each document: -1 (the human) or the offer of the author's product."""
    if product_offer is None:
        return np.full(len(is_ai), HUMAN, dtype=np.int64)
    return np.where(is_ai, product_offer[np.maximum(product, 0)], HUMAN).astype(np.int64)


class HumanAuthor(mesa.Agent):
    """One human author of the ecosystem: a view on row ``index`` of the population.

    Args:
        model: the EcosystemModel.
        index: the author's id (its row in ``model.authors``).
    """

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def population(self) -> AuthorPopulation:
        return self.model.authors

    @property
    def active(self) -> bool:
        """Still publishing."""
        return bool(self.population.active[self.index])

    @property
    def adopted(self) -> bool:
        """Writes part of its documents with an AI model."""
        return bool(self.population.adopted[self.index])

    @property
    def product(self) -> int:
        """The product (company, or open model when there are no companies) it uses, or -1."""
        return int(self.population.product[self.index])

    @property
    def topics(self) -> np.ndarray:
        """The topics it writes about."""
        return self.population.topics[self.index]

    @property
    def site(self) -> int:
        """Its home site (a platform or its own)."""
        return int(self.population.site[self.index])
