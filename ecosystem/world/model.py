"""The ecosystem model: authors, farms, trainers and companies on one simulated web.

A step is a month. :meth:`EcosystemModel.step` shows the activation order:

1. authors decide (quit, adopt AI tools, pick a product), then authors and farms publish: all
   requests are gathered and written in one batch (one truth call, one call per offered model);
2. the web updates: new authors' sites and new farm sites join, PageRank every few steps;
3. trainers crawl and train when due, each returning what it trained and how it scored;
4. companies deploy their best latest model and the market re-splits adopters by quality;
   then money moves: revenue, licence budgets, licences bought by the purchase rule
   (``ecosystem/world/ledger.py``; holdings in ``ecosystem/world/holdings.py``);
5. the reporters (``ecosystem/world/reporters.py``) record the step, the firms and the
   generations trained in it; then authors' view of AI content per topic updates.

Before step 0 the model builds the human web (platforms, authors' sites and back catalogues,
link farms) and trains generation 0 of every trainer on it, before any AI content exists.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.authors import AuthorPopulation, HumanAuthor
from agents.companies import Company
from agents.farms import ContentFarm
from agents.trainers import ModelTrainer, TrainedGeneration
from ecosystem.config.ecosystem import EcosystemScenario
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.truth.tokens import TokensTruth
from ecosystem.world.content import ContentStore, Origin
from ecosystem.world.holdings import platform_owners
from ecosystem.world.ledger import Ledger
from ecosystem.world.market import Deployment, logit_shares
from ecosystem.world.policies import Policies
from ecosystem.world.publish import PublishRequests, publish
from ecosystem.world.reporters import Recorder
from ecosystem.world.streams import Draw, draws, mesa_seed
from ecosystem.world.web import Web


class EcosystemModel(mesa.Model):
    """The web as a training-data commons, one Mesa model per run.

    Args:
        scenario: a validated ``kind: ecosystem`` scenario, kept as ``params`` (Mesa 3.5 models
            reserve the attribute ``scenario`` for Mesa's own scenario objects).
    """

    def __init__(self, scenario: EcosystemScenario):
        super().__init__(rng=mesa_seed(scenario.seed))
        self.params = scenario
        self.seed = scenario.seed
        self.step_index = 0
        self.recorder = Recorder()
        self.truth = TokensTruth(scenario.truth, self.seed)
        test_rng = ReplicaRNG.for_replicas(self.seed, Stream.TEST, [0])
        self.test = self.truth.sample(np.array([scenario.metrics.test_docs]), test_rng)
        self.store = ContentStore(
            self.truth.vocab_size,
            self.seed,
            max_step=scenario.steps,
            max_length=scenario.truth.doc_length_max,
            max_writers=1 + sum(scenario.steps // t.retrain_every + 1 for t in scenario.trainers),
        )
        self.topic_ai_share = np.zeros(self.truth.topics)
        self.new_docs = np.zeros(0, dtype=np.int64)
        self.offers: list[Deployment] = []
        self.company_offer = np.zeros(0, dtype=np.int64)
        self.policies = Policies(self)
        self._build_web()
        self.platform_owners = platform_owners(scenario)  # walled platforms (holdings)
        trainer_params = self.policies.trainer_params(scenario.trainers)
        self.trainers: list[ModelTrainer] = self._create(ModelTrainer, trainer_params)
        self.companies: list[Company] = self._create(Company, scenario.companies)
        by_name = {c.name: c for c in self.companies}
        for trainer in self.trainers:
            if trainer.params.company is not None:
                by_name[trainer.params.company].own(trainer)
        self.ledger = Ledger(self)
        # generation 0, on the human web
        self.trained: list[TrainedGeneration] = [t.train() for t in self.trainers]
        self.recorder.record_training(self, self.trained)
        self._activate(Company, "deploy")
        self.update_market()

    # ------------------------------------------------------------------ building
    def _build_web(self) -> None:
        s = self.params
        self.web = Web(s.web, s.opt_out, len(s.trainers), draws(self.seed, Draw.OPT_OUT))
        self.platforms = self.web.add_platforms(s.web.platforms)
        self.authors = AuthorPopulation(s.authors, self.truth.topics)
        self.author_agents = s.author_agents
        self.add_authors(s.authors.count, -1, draws(self.seed, Draw.POPULATION))
        self.farms: list[ContentFarm] = list(
            ContentFarm.create_agents(
                self, s.farms.count, index=np.arange(s.farms.count), params=s.farms
            )
        )
        for farm in self.farms:
            farm.open_sites(s.farms.sites_each, draws(self.seed, Draw.WEB, -1, 1, farm.index))
        self.web.update_pagerank()
        backlog = self.authors.backlog(s.authors.initial_docs, draws(self.seed, Draw.POPULATION, 1))
        self.new_docs = publish(backlog, self.truth, [], self.store, self.seed, -1, self.policies)

    def add_authors(self, n: int, joined: int, rng: np.random.Generator) -> np.ndarray:
        """New human authors joining at step ``joined`` (-1: initial): a platform account or a
        new personal site each, and one HumanAuthor agent each (created in bulk) unless the
        scenario keeps the population alone (``authors.agents``)."""
        ids = self.authors.add(n, joined, rng)
        platform = self.authors.on_platform[ids]
        self.authors.site[ids[platform]] = rng.choice(self.platforms, size=int(platform.sum()))
        own = ids[~platform]
        self.authors.site[own] = self.web.add_personal_sites(own, rng)
        if self.author_agents:
            HumanAuthor.create_agents(self, n, index=ids)
        return ids

    def _create(self, cls: type[mesa.Agent], params: list) -> list:
        """One agent of ``cls`` per parameter set, created in bulk, in scenario order."""
        n = len(params)
        return list(cls.create_agents(self, n, index=np.arange(n), params=list(params)))

    def _activate(self, cls: type[mesa.Agent], method: str) -> None:
        """Call ``method`` on every agent of ``cls`` (in creation order; none is fine)."""
        agents = self.agents_by_type.get(cls)
        if agents is not None:
            agents.do(method)

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """One month, in the activation order of the module docstring."""
        self.authors_decide()  # 1. authors quit, adopt, choose a product ...
        self.publish_documents()  # ... then authors and farms publish, batched
        self.update_web()  # 2. new sites and links; PageRank every few steps
        self.train_models()  # 3. trainers crawl and train when due
        self._activate(Company, "deploy")  # 4. companies deploy ...
        self.update_market()  # ... and the market re-splits adopters ...
        self.trade_data()  # ... then revenue, budgets and licences
        self.recorder.collect(self)  # 5. reporters record the step and its generations ...
        self.update_topic_shares()  # ... and authors see this step's AI share per topic
        self.step_index += 1

    @property
    def ai_available(self) -> bool:
        """AI tools exist (from launch_step on, once a product is offered)."""
        return self.step_index >= self.params.launch_step and len(self.product_offer) > 0

    def authors_decide(self) -> None:
        """Vectorised author decisions: quitting, Bass adoption, product choice."""
        rng = draws(self.seed, Draw.AUTHORS, self.step_index)
        launch = self.step_index == self.params.launch_step
        self.authors.quit(self.topic_ai_share, launch, rng, self.policies.quit_scale())
        if self.ai_available:
            new = self.authors.adopt(self.best_usefulness(), rng)
            products = np.arange(len(self.product_offer))
            self.authors.choose_products(
                new, products, self.market_shares, self.params.market.switch_rate, rng
            )

    def publish_documents(self) -> None:
        """Gather every author's and farm's requests; write them in one batch."""
        rng = draws(self.seed, Draw.AUTHORS, self.step_index, 1)
        offers = self.product_offer if self.ai_available else None
        parts = [self.authors.requests(offers, rng)]
        farms = self.agents_by_type.get(ContentFarm)
        if farms is not None:
            parts.extend(farms.map("requests"))
        batch = PublishRequests.concat(parts)
        self.new_docs = publish(
            batch, self.truth, self.offers, self.store, self.seed, self.step_index, self.policies
        )
        self.policies.collect_levy(batch.source, self.step_index)

    def update_web(self) -> None:
        """New authors (and their sites) join, farms open sites, PageRank when due."""
        rng = draws(self.seed, Draw.WEB, self.step_index)
        entrants = int(rng.poisson(self.params.authors.entrants_per_step))
        if entrants:
            self.add_authors(entrants, self.step_index, rng)
        self._activate(ContentFarm, "expand")
        if (self.step_index + 1) % self.params.web.pagerank_every == 0:
            self.web.update_pagerank()

    def train_models(self) -> None:
        """Trainers due this step crawl and train; what each returns waits for the reporters."""
        trainers = self.agents_by_type.get(ModelTrainer)
        results = trainers.map("step") if trainers is not None else []
        self.trained = [r for r in results if r is not None]

    # ------------------------------------------------------------------ the market
    def update_market(self) -> None:
        """Offers (company deployments, then open weights) and the logit split of products.

        Products are the companies; a world without companies sells its open models instead.
        """
        self.offers: list[Deployment] = []
        company_offer = []
        for company in self.companies:
            company_offer.append(len(self.offers) if company.deployed is not None else -1)
            if company.deployed is not None:
                self.offers.append(company.deployed)
        open_offer = []
        for trainer in self.trainers:
            if trainer.params.open_weights and trainer.latest is not None:
                open_offer.append(len(self.offers))
                self.offers.append(trainer.latest.priced(0.0, False))
        self.company_offer = np.array(company_offer, dtype=np.int64)
        offered = self.company_offer[self.company_offer >= 0] if self.companies else None
        self.product_offer = offered if offered is not None else np.array(open_offer, np.int64)
        quality = np.array([self.offers[i].quality for i in self.product_offer])
        self.market_shares = logit_shares(quality, self.params.market.sensitivity)

    def trade_data(self) -> None:
        """Revenue and licence budgets; licences expire, struck deals execute, companies buy
        by the purchase rule (the ledger records every purchase)."""
        self.ledger.trade(self)

    def best_usefulness(self) -> float:
        """u of the best product: exp(-its excess cross-entropy)."""
        return max((self.offers[i].usefulness for i in self.product_offer), default=0.0)

    def cheapest_model(self) -> int | None:
        """Offer index of the cheapest model available now (ties: the better), or None."""
        if self.step_index < self.params.launch_step or not self.offers:
            return None
        return min(
            range(len(self.offers)),
            key=lambda i: (self.offers[i].price, -self.offers[i].quality, i),
        )

    def product_users(self) -> np.ndarray:
        """Active adopters per product."""
        a = self.authors
        using = a.active & a.adopted & (a.product >= 0)
        return np.bincount(a.product[using], minlength=len(self.product_offer))

    # ------------------------------------------------------------------ after the reporters
    def update_topic_shares(self) -> None:
        """AI share of this step's new documents per topic (what authors' quitting reacts to)."""
        new = self.new_docs
        topic = self.store.column("topic")[new]
        ai = self.store.column("origin")[new] == Origin.AI
        K = self.truth.topics
        docs = np.bincount(topic, minlength=K)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.bincount(topic, weights=ai, minlength=K) / docs
        self.topic_ai_share = np.where(docs > 0, share, 0.0)
