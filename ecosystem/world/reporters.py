"""The ecosystem's tables: named reporter functions turn the model into rows (Mesa's DataCollector).

Agents act; reporters record. After each step the model's collect stage hands itself to the
:class:`Recorder`, which asks

- one function per column of ``steps`` (``STEP_REPORTERS``: each named like its column);
- :func:`firm_rows` for ``firms`` (one row per company: market, holdings, money, moat);
- :func:`generation_row` and :func:`sample_rows` for ``generations`` and ``samples``, from what
  each trainer that trained this step returned (an ``agents.trainers.TrainedGeneration``);
- :func:`licence_rows` for ``licences`` (the ledger: the licences bought this step).

Column names, order and dtypes come from the outcome catalog (``ecosystem.outcomes``): a new
column is a catalog entry plus, here, a reporter (or a key of what a trainer returns).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from ecosystem import outcomes
from ecosystem.world.content import Origin
from ecosystem.world.market import herfindahl
from ecosystem.world.web import SiteKind

if TYPE_CHECKING:
    from agents.trainers import TrainedGeneration
    from ecosystem.world.model import EcosystemModel

KIND = "ecosystem"


# ---------------------------------------------------------------------- steps: one per column
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


def _tokens_per_site(model: EcosystemModel) -> np.ndarray:
    """Tokens published on each site so far (kept by the store as documents arrive)."""
    tokens = np.zeros(model.web.n_sites)
    kept = model.store.site_tokens[: model.web.n_sites]
    tokens[: len(kept)] = kept
    return tokens


def opted_out_token_share(model: EcosystemModel) -> float:
    """Share of all tokens on sites blocking a crawler, averaged over crawlers."""
    web, t = model.web, model.step_index
    tokens = _tokens_per_site(model)
    total = tokens.sum()
    if total == 0:
        return 0.0
    return float(
        np.mean([tokens[web.opted_out(c, t)].sum() / total for c in range(web.n_crawlers)])
    )


def opted_out_critical_share(model: EcosystemModel) -> float:
    """Share of the critical sources (top PageRank) blocking a crawler, averaged over crawlers."""
    web, t = model.web, model.step_index
    critical = web.critical_sites()
    if not critical.any():
        return 0.0
    return float(np.mean([web.opted_out(c, t)[critical].mean() for c in range(web.n_crawlers)]))


def watermarked_docs_new(model: EcosystemModel) -> int:
    return int(np.count_nonzero(_new(model, "watermark")))


def labelled_docs_new(model: EcosystemModel) -> int:
    return int(np.count_nonzero(model.policies.marks.column("labelled")[model.new_docs]))


def levy_revenue(model: EcosystemModel) -> float:
    return model.policies.levy_revenue


def archive_spending(model: EcosystemModel) -> float:
    return model.policies.archive_spending


def author_payments(model: EcosystemModel) -> float:
    return model.policies.author_payments


def payment_per_author(model: EcosystemModel) -> float:
    return model.policies.payment_per_author


def archive_docs(model: EcosystemModel) -> int:
    return model.policies.archive_docs


def best_quality(model: EcosystemModel) -> float:
    """Quality (-excess cross-entropy) of the best product on offer."""
    return max((model.offers[i].quality for i in model.product_offer), default=float("nan"))


def market_hhi(model: EcosystemModel) -> float:
    """Herfindahl-Hirschman index of products' users (0 while nobody uses AI)."""
    return herfindahl(model.product_users())


def _step_reporters() -> dict[str, Callable[[Any], Any]]:
    """The reporter of each ``steps`` column, in catalog order: the function of that name."""
    here = sys.modules[__name__]
    missing = [c for c in outcomes.schema("steps", KIND) if not hasattr(here, c)]
    if missing:
        raise NotImplementedError(f"steps columns without a reporter in {__name__}: {missing}")
    return {c: getattr(here, c) for c in outcomes.schema("steps", KIND)}


STEP_REPORTERS = _step_reporters()
"""Columns of ``steps``: one named reporter per column, called after each step."""


# ---------------------------------------------------------------------- firms, generations, samples
def firm_rows(model: EcosystemModel) -> list[dict]:
    """One row per company for this step: market share, quality, users, deployment."""
    users = model.product_users()
    total = max(int(users.sum()), 1)
    product_of = {int(o): p for p, o in enumerate(model.product_offer)}
    rows = []
    levy = model.policies.levy_by_company
    for i, (company, offer) in enumerate(zip(model.companies, model.company_offer, strict=True)):
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
            "levy_paid": float(levy[i]),
        }
        if product is not None:
            row["market_share"] = float(model.market_shares[product])
            row["users"] = int(users[product])
            row["user_share"] = int(users[product]) / total
        if deployed is not None:
            row["quality"] = deployed.quality
            row["deployed_trainer"] = model.trainers[deployed.trainer].name
            row["deployed_generation"] = deployed.generation
        row.update(_holdings_and_money(model, company))
        rows.append(row)
    return rows


def _holdings_and_money(model: EcosystemModel, company) -> dict:
    """A company's holdings, the human and proprietary part of its deployed model's training
    data, its money, and its moat against the best scrape-only trainer."""
    ledger, i = model.ledger, company.index
    held = company.holdings.tokens(model.store)
    trained = company.deployed_training()
    row = {
        "holds_data": company.params.holdings.holds_data,
        "owned_platforms": len(company.holdings.platforms),
        "platform_tokens": held["platform_tokens"],
        "licensed_tokens": held["licensed_tokens"],
        "snapshot_tokens": held["snapshot_tokens"],
        "proprietary_tokens": trained.proprietary_tokens if trained is not None else None,
        "human_share": 1.0 - trained.train_ai_share if trained is not None else None,
        "consumer_users": float(ledger.consumers[i]),
        "revenue": float(ledger.revenue[i]),
        "licence_spend": float(ledger.spend[i]),
        "licence_income": float(ledger.income[i]),
        "budget": float(ledger.budget[i]),
        "moat_gap": None,
        "moat_ratio": None,
    }
    scraper = best_scraper(model)
    if company.deployed is not None and scraper is not None:
        row["moat_gap"] = company.deployed.quality - scraper.quality
        if scraper.excess_cross_entropy > 0:
            row["moat_ratio"] = company.deployed.excess_cross_entropy / scraper.excess_cross_entropy
    return row


def best_scraper(model: EcosystemModel):
    """The latest model (a Deployment) of the best scrape-only trainer now: trainers of
    companies without holdings and independents, not human-only controls; None if none."""
    latest = [
        t.latest
        for t in model.trainers
        if not t.params.human_only
        and t.latest is not None
        and (t.company is None or not t.company.params.holdings.holds_data)
    ]
    return min(latest, key=lambda d: (d.excess_cross_entropy, d.trainer), default=None)


def generation_row(model: EcosystemModel, trained: TrainedGeneration) -> dict:
    """The ``generations`` row of one trained generation: who, what it trained on, what it
    crawled, and its scores (every metric column of the catalog the learner reports; else null)."""
    trainer = model.trainers[trained.trainer]
    crawled = trained.crawled
    crawled_ai = model.store.column("origin")[crawled] == Origin.AI
    if trained.kept is crawled:  # no filter
        dropped = np.zeros(len(crawled), dtype=bool)
    else:
        dropped = ~np.isin(crawled, trained.kept, assume_unique=True)
    human_lost = int(np.count_nonzero(dropped & ~crawled_ai))
    n_human = len(crawled) - int(np.count_nonzero(crawled_ai))
    row = {
        "trainer": trainer.name,
        "company": trainer.company.name if trainer.company is not None else None,
        "generation": trained.generation,
        "step": trained.step,
        "strategy": trainer.params.strategy,
        "human_only": trainer.params.human_only,
        "train_docs": trained.train_docs,
        "train_tokens": trained.train_tokens,
        "train_ai_share": trained.train_ai_share,
        "crawled_docs": len(crawled),
        "crawled_ai_share": float(crawled_ai.mean()) if len(crawled) else 0.0,
        "flagged_share": float(dropped.mean()) if len(crawled) else 0.0,
        "human_docs_lost": human_lost,
        "human_lost_share": human_lost / n_human if n_human else 0.0,
        "ai_docs_passed": int(np.count_nonzero(~dropped & crawled_ai)),
        "retention_mandate": trained.mandated,
        "proprietary_docs": len(trained.proprietary),
        "proprietary_tokens": trained.proprietary_tokens,
        "proprietary_share": len(trained.proprietary) / trained.train_docs
        if trained.train_docs
        else 0.0,
    }
    metrics = [c for c in outcomes.schema("generations", KIND) if c not in row]
    row.update({c: trained.metrics.get(c) for c in metrics})
    return row


def sample_rows(model: EcosystemModel, trained: TrainedGeneration) -> list[dict]:
    """The ``samples`` rows of one trained generation: its sampled texts beside human texts."""
    texts = trained.texts
    if texts is None:
        return []
    name = model.trainers[trained.trainer].name
    return [
        {
            "trainer": name,
            "generation": trained.generation,
            "step": trained.step,
            "topic": int(topic),
            "model_text": model_text,
            "human_text": human_text,
        }
        for topic, model_text, human_text in zip(
            texts.topics, texts.model_text, texts.human_text, strict=True
        )
    ]


def licence_rows(model: EcosystemModel) -> list[dict]:
    """The ``licences`` rows of this step: every licence bought (the ledger)."""
    offers = model.params.licences
    return [
        {
            "seller": lic.seller,
            "buyer": lic.buyer,
            "step": lic.step,
            "platform": lic.platform,
            "tokens": lic.tokens,
            "price_per_1k_tokens": offers[lic.offer].price,
            "paid": lic.paid,
            "exclusive": lic.exclusive,
            "expiry": lic.expiry,
        }
        for lic in model.ledger.bought
    ]


# ---------------------------------------------------------------------- the collector
class Recorder:
    """The rows of the ecosystem's tables, as the reporters make them; typed tables at the end."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {t.name: [] for t in outcomes.tables(KIND)}

    def collect(self, model: EcosystemModel) -> None:
        """After a step: its ``steps`` row, the ``firms`` rows and the trained generations."""
        self.rows["steps"].append({name: fn(model) for name, fn in STEP_REPORTERS.items()})
        self.rows["firms"].extend(firm_rows(model))
        self.rows["licences"].extend(licence_rows(model))
        self.record_training(model, model.trained)

    def record_training(self, model: EcosystemModel, trained: list[TrainedGeneration]) -> None:
        """The ``generations`` and ``samples`` rows of generations just trained."""
        for generation in trained:
            self.rows["generations"].append(generation_row(model, generation))
            self.rows["samples"].extend(sample_rows(model, generation))

    def tables(self, licences: bool = True) -> dict[str, pl.DataFrame]:
        """Every table, typed by the catalog's schema (an empty table keeps its columns);
        ``licences`` only when the scenario sells any."""
        return {
            name: pl.DataFrame(rows, schema=outcomes.schema(name, KIND), orient="row")
            for name, rows in self.rows.items()
            if licences or name != "licences"
        }
