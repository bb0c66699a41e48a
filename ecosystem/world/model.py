"""The ecosystem model: authors, farms, trainers and companies on one simulated web.

A step is a month. :meth:`EcosystemModel.step` shows the activation order:

1. authors decide (quit, adopt AI tools, pick a product), then authors and farms publish: all
   requests are gathered and written in one batch (one truth call, one call per offered model);
2. the web updates: new authors' sites and new farm sites join, PageRank every few steps;
3. trainers crawl and train when due;
4. companies deploy their best latest model and the market re-splits adopters by quality;
5. the reporters below record the step.

Before step 0 the model builds the human web (platforms, authors' sites and back catalogues,
link farms) and trains generation 0 of every trainer on it, before any AI content exists.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.authors import AuthorPopulation, HumanAuthor
from agents.companies import Company
from agents.farms import ContentFarm
from agents.trainers import ModelTrainer
from ecosystem.config.ecosystem import EcosystemScenario
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.truth.tokens import TokensTruth
from ecosystem.world.content import ContentStore, Origin
from ecosystem.world.market import Deployment, herfindahl, logit_shares
from ecosystem.world.publish import PublishRequests, publish
from ecosystem.world.streams import Draw, draws, mesa_seed
from ecosystem.world.web import SiteKind, Web


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
        self.records: dict[str, list[dict]] = {
            name: [] for name in ("steps", "generations", "firms", "samples")
        }
        self.truth = TokensTruth(scenario.truth, self.seed)
        test_rng = ReplicaRNG.for_replicas(self.seed, Stream.TEST, [0])
        self.test = self.truth.sample(np.array([scenario.metrics.test_docs]), test_rng)
        self.store = ContentStore(self.truth.vocab_size)
        self.topic_ai_share = np.zeros(self.truth.topics)
        self.new_docs = np.zeros(0, dtype=np.int64)
        self._build_web()
        self.trainers: list[ModelTrainer] = self._create(ModelTrainer, scenario.trainers)
        self.companies: list[Company] = self._create(Company, scenario.companies)
        by_name = {c.name: c for c in self.companies}
        for trainer in self.trainers:
            if trainer.params.company is not None:
                by_name[trainer.params.company].own(trainer)
        for trainer in self.trainers:
            trainer.train()  # generation 0, on the human web
        self._activate(Company, "deploy")
        self.update_market()

    # ------------------------------------------------------------------ building
    def _build_web(self) -> None:
        s = self.params
        self.web = Web(s.web, s.opt_out, len(s.trainers), draws(self.seed, Draw.OPT_OUT))
        self.platforms = self.web.add_platforms(s.web.platforms)
        self.authors = AuthorPopulation(s.authors, self.truth.topics)
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
        self.new_docs = publish(backlog, self.truth, [], self.store, self.seed, -1)

    def add_authors(self, n: int, joined: int, rng: np.random.Generator) -> np.ndarray:
        """New human authors joining at step ``joined`` (-1: initial): a platform account or a
        new personal site each, and one HumanAuthor agent each (created in bulk)."""
        ids = self.authors.add(n, joined, rng)
        platform = self.authors.on_platform[ids]
        self.authors.site[ids[platform]] = rng.choice(self.platforms, size=int(platform.sum()))
        own = ids[~platform]
        self.authors.site[own] = self.web.add_personal_sites(own, rng)
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
        self._activate(ModelTrainer, "step")  # 3. trainers crawl and train when due
        self._activate(Company, "deploy")  # 4. companies deploy ...
        self.update_market()  # ... and the market re-splits adopters
        self.collect()  # 5. data collection
        self.step_index += 1

    @property
    def ai_available(self) -> bool:
        """AI tools exist (from launch_step on, once a product is offered)."""
        return self.step_index >= self.params.launch_step and len(self.product_offer) > 0

    def authors_decide(self) -> None:
        """Vectorised author decisions: quitting, Bass adoption, product choice."""
        rng = draws(self.seed, Draw.AUTHORS, self.step_index)
        launch = self.step_index == self.params.launch_step
        self.authors.quit(self.topic_ai_share, launch, rng)
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
            batch, self.truth, self.offers, self.store, self.seed, self.step_index
        )

    def update_web(self) -> None:
        """New authors (and their sites) join, farms open sites, PageRank when due."""
        rng = draws(self.seed, Draw.WEB, self.step_index)
        entrants = int(rng.poisson(self.params.authors.entrants_per_step))
        if entrants:
            self.add_authors(entrants, self.step_index, rng)
        self._activate(ContentFarm, "expand")
        if (self.step_index + 1) % self.params.web.pagerank_every == 0:
            self.web.update_pagerank()

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

    # ------------------------------------------------------------------ data collection
    def collect(self) -> None:
        """Record the step (reporters), the firms, and the topic AI shares authors react to."""
        self.records["steps"].append({name: fn(self) for name, fn in STEP_REPORTERS.items()})
        self.records["firms"].extend(firm_rows(self))
        new = self.new_docs
        topic = self.store.column("topic")[new]
        ai = self.store.column("origin")[new] == Origin.AI
        K = self.truth.topics
        docs = np.bincount(topic, minlength=K)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.bincount(topic, weights=ai, minlength=K) / docs
        self.topic_ai_share = np.where(docs > 0, share, 0.0)


# ---------------------------------------------------------------------- reporters
def _new(model: EcosystemModel, column: str) -> np.ndarray:
    return model.store.column(column)[model.new_docs]


def step(model: EcosystemModel) -> int:
    return model.step_index


def docs_new(model: EcosystemModel) -> int:
    return len(model.new_docs)


def docs_total(model: EcosystemModel) -> int:
    return model.store.n_docs


def human_docs_new(model: EcosystemModel) -> int:
    return int(np.count_nonzero(_new(model, "origin") == Origin.HUMAN))


def ai_docs_new(model: EcosystemModel) -> int:
    return int(np.count_nonzero(_new(model, "origin") == Origin.AI))


def farm_docs_new(model: EcosystemModel) -> int:
    return int(np.count_nonzero(model.web.kind[_new(model, "site")] == SiteKind.FARM))


def assisted_docs_new(model: EcosystemModel) -> int:
    """AI documents published by human adopters (not farms)."""
    return ai_docs_new(model) - farm_docs_new(model)


def human_platform_docs_new(model: EcosystemModel) -> int:
    """Human posts on platform sites: the Q&A posting of del Rio-Chanona et al."""
    human = _new(model, "origin") == Origin.HUMAN
    on_platform = model.web.kind[_new(model, "site")] == SiteKind.PLATFORM
    return int(np.count_nonzero(human & on_platform))


def ai_share_new(model: EcosystemModel) -> float:
    n = docs_new(model)
    return ai_docs_new(model) / n if n else 0.0


def ai_share_web(model: EcosystemModel) -> float:
    return model.store.ai_share()


def human_authors_active(model: EcosystemModel) -> int:
    return int(np.count_nonzero(model.authors.active))


def ai_adopters(model: EcosystemModel) -> int:
    return int(np.count_nonzero(model.authors.active & model.authors.adopted))


def adopter_share(model: EcosystemModel) -> float:
    active = human_authors_active(model)
    return ai_adopters(model) / active if active else 0.0


def sites(model: EcosystemModel) -> int:
    return model.web.n_sites


def farm_pagerank_share(model: EcosystemModel) -> float:
    """PageRank mass on farm sites (at the last recomputation)."""
    rank = model.web.pagerank
    return float(rank[model.web.kind[: len(rank)] == SiteKind.FARM].sum())


def opted_out_share(model: EcosystemModel) -> float:
    """Share of opt-out-eligible sites blocking a crawler, averaged over crawlers."""
    web, t = model.web, model.step_index
    eligible = web.eligible_for_opt_out()
    if not eligible.any():
        return 0.0
    return float(np.mean([web.opted_out(c, t)[eligible].mean() for c in range(web.n_crawlers)]))


def best_quality(model: EcosystemModel) -> float:
    """Quality (-excess cross-entropy) of the best product on offer."""
    return max((model.offers[i].quality for i in model.product_offer), default=float("nan"))


def market_hhi(model: EcosystemModel) -> float:
    """Herfindahl-Hirschman index of products' users (0 while nobody uses AI)."""
    return herfindahl(model.product_users())


STEP_REPORTERS = {
    f.__name__: f
    for f in (
        step,
        docs_new,
        docs_total,
        human_docs_new,
        ai_docs_new,
        farm_docs_new,
        assisted_docs_new,
        human_platform_docs_new,
        ai_share_new,
        ai_share_web,
        human_authors_active,
        ai_adopters,
        adopter_share,
        sites,
        farm_pagerank_share,
        opted_out_share,
        best_quality,
        market_hhi,
    )
}
"""Columns of steps.parquet: one named reporter per column, called after each step."""


def firm_rows(model: EcosystemModel) -> list[dict]:
    """One row per company for this step: market share, quality, users, deployment."""
    users = model.product_users()
    total = max(int(users.sum()), 1)
    product_of = {int(o): p for p, o in enumerate(model.product_offer)}
    rows = []
    for company, offer in zip(model.companies, model.company_offer, strict=True):
        product, deployed = product_of.get(int(offer)), company.deployed
        row = {
            "company": company.name,
            "step": model.step_index,
            "market_share": 0.0,
            "quality": None,
            "users": 0,
            "user_share": 0.0,
            "deployed_trainer": None,
            "deployed_generation": None,
            "price": company.params.price,
        }
        if product is not None:
            row["market_share"] = float(model.market_shares[product])
            row["users"] = int(users[product])
            row["user_share"] = int(users[product]) / total
        if deployed is not None:
            row["quality"] = deployed.quality
            row["deployed_trainer"] = model.trainers[deployed.trainer].name
            row["deployed_generation"] = deployed.generation
        rows.append(row)
    return rows
