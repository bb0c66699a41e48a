"""Money and licences: revenue, licence budgets, the purchase rule and the ledger.

Each step, after the market splits users (``EcosystemModel.trade_data``):

1. **revenue** = (users + consumers) × price, where users are the company's AI-using authors
   and consumers its share of the consumer demand (``market.consumers``, see
   :func:`consumer_users`); ``revenue_share`` of it joins the company's licence budget;
2. licences that reach their expiry end; deals struck for this step are executed (paid even
   when the budget falls short: a contract);
3. each company (in scenario order) with a use for licensed data (``licence_docs`` > 0) buys
   at most one open offer by the **purchase rule**: of the offers it can afford that are not
   held exclusively by another (nor already by itself), the one with the largest expected
   quality gain per unit price, if the revenue that gain is expected to bring over the
   licence's duration pays its price (:func:`expected_gain`, :func:`quality_value`).

Every purchase is a ledger row: seller (the platform's owning company, or ``platform N`` for
an independent one), buyer, step, tokens (the archive's tokens at the purchase), amount paid,
exclusive, expiry. Money moves from the buyer's budget to the seller's (an owning company's
budget; an independent platform's account). The ledger conserves money and tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ecosystem.config.holdings import LicenceParams
from ecosystem.world.holdings import posts_on

if TYPE_CHECKING:
    from ecosystem.world.model import EcosystemModel


@dataclass(frozen=True)
class Licence:
    """A licence bought: one ledger row.

    Attributes:
        offer: index of the licence in the scenario's ``licences``.
        platform: the platform whose posts it covers.
        seller: the owning company's name, or ``platform N``.
        buyer: the buying company's name.
        buyer_index: its index.
        step: the purchase step.
        tokens: the archive's tokens at the purchase.
        paid: the amount paid (price per 1,000 tokens × tokens / 1,000).
        exclusive: no other buyer may hold it until it expires.
        expiry: the step it ends (purchase + duration).
    """

    offer: int
    platform: int
    seller: str
    buyer: str
    buyer_index: int
    step: int
    tokens: int
    paid: float
    exclusive: bool
    expiry: int


def consumer_users(
    consumers: float, shares: np.ndarray, usefulness: np.ndarray, elasticity: float
) -> np.ndarray:
    """Consumers of each product: consumers · market share · u^elasticity (u in (0, 1]).

    A better model wins more consumers twice: a larger share and a larger market.
    """
    return consumers * shares * np.power(usefulness, elasticity)


def expected_gain(excess: float, train_docs: int, added_docs: int) -> float:
    """Expected fall of excess cross-entropy when ``added_docs`` human documents join a
    training set of ``train_docs``: the excess shrinks by the share the clean data takes,
    excess · h / (T + h) (a buyer's rule of thumb, not the simulation's truth)."""
    total = train_docs + added_docs
    return excess * added_docs / total if total else 0.0


def quality_value(sensitivity: float, share: float, paying: float, price: float) -> float:
    """Revenue per step that one unit of quality brings: d(users · price)/d(quality) of a
    logit share, sensitivity · s(1 − s) · paying users · price."""
    return sensitivity * share * (1.0 - share) * paying * price


class Ledger:
    """Licence budgets, revenue and every licence bought in a run."""

    def __init__(self, model: EcosystemModel):
        scenario = model.params
        self.names = [c.name for c in scenario.companies]
        self.budget = np.array([c.holdings.endowment for c in scenario.companies], dtype=float)
        self.revenue = np.zeros(len(self.names))
        self.spend = np.zeros(len(self.names))  # licence spend this step
        self.income = np.zeros(len(self.names))  # licence income this step
        self.consumers = np.zeros(len(self.names))
        self.platform_income = np.zeros(scenario.web.platforms)  # independent sellers
        self.rows: list[Licence] = []  # every purchase
        self.bought: list[Licence] = []  # this step's purchases
        self.active: list[Licence] = []

    # ------------------------------------------------------------------ the trade stage
    def trade(self, model: EcosystemModel) -> None:
        """Revenue and budgets, expiries, struck deals, then purchases by the rule."""
        step = model.step_index
        self.spend[:] = 0.0
        self.income[:] = 0.0
        self.bought = []
        self._earn(model)
        self.active = [lic for lic in self.active if lic.expiry > step]
        for i, offer in enumerate(model.params.licences):
            if offer.buyer is not None and offer.start == step:
                self._buy(model, i, self.names.index(offer.buyer))
        for buyer, company in enumerate(model.companies):
            if company.params.holdings.licence_docs:
                choice = self._choose(model, buyer)
                if choice is not None:
                    self._buy(model, choice, buyer)
        for company in model.companies:
            held = [lic.platform for lic in self.active if lic.buyer_index == company.index]
            company.holdings.licensed = np.unique(np.asarray(held, dtype=np.int64))

    def _earn(self, model: EcosystemModel) -> None:
        users = model.product_users()
        market = model.params.market
        for index, company in enumerate(model.companies):
            offer = int(model.company_offer[index])
            product = np.flatnonzero(model.product_offer == offer) if offer >= 0 else []
            n_users, consumers = 0.0, 0.0
            if len(product) and model.ai_available:
                p = int(product[0])
                n_users = float(users[p])
                u = np.array([model.offers[offer].usefulness])
                share = np.array([model.market_shares[p]])
                consumers = float(
                    consumer_users(market.consumers, share, u, market.demand_elasticity)[0]
                )
            self.consumers[index] = consumers
            self.revenue[index] = (n_users + consumers) * company.params.price
            self.budget[index] += company.params.holdings.revenue_share * self.revenue[index]

    def _price(self, model: EcosystemModel, offer: LicenceParams) -> tuple[int, float]:
        """Tokens of the offer's archive now, and what they cost."""
        docs = posts_on(model.store, np.array([offer.platform]))
        tokens = int(model.store.column("length")[docs].sum())
        return tokens, offer.price * tokens / 1000.0

    def _available(
        self, model: EcosystemModel, index: int, offer: LicenceParams, buyer: int
    ) -> bool:
        """Whether ``buyer`` may buy ``offer`` now: it holds no licence to the platform yet, no
        one holds an exclusive one, an exclusive offer needs the platform unlicensed, and no
        deal struck for a later step would overlap it where either is exclusive."""
        for lic in self.active:
            if lic.platform != offer.platform:
                continue
            if lic.buyer_index == buyer or lic.exclusive or offer.exclusive:
                return False
        step, end = model.step_index, model.step_index + offer.duration
        for deal in model.params.licences:
            if deal.buyer is None or deal.platform != offer.platform or deal.start <= step:
                continue
            if deal.start < end and (deal.exclusive or offer.exclusive):
                return False
        return True

    def _choose(self, model: EcosystemModel, buyer: int) -> int | None:
        """The open offer ``buyer`` buys by the purchase rule, or None."""
        company = model.companies[buyer]
        deployed = company.deployed
        if deployed is None or not model.ai_available:
            return None
        trained = company.deployed_training()
        train_docs = trained.train_docs if trained is not None else 0
        owners = model.platform_owners
        offer_index = int(model.company_offer[buyer])
        product = np.flatnonzero(model.product_offer == offer_index)
        share = float(model.market_shares[product[0]]) if len(product) else 0.0
        paying = float(model.product_users().sum() + self.consumers.sum())
        per_step = quality_value(
            model.params.market.sensitivity, share, paying, company.params.price
        )
        best, best_ratio = None, -1.0
        for i, offer in enumerate(model.params.licences):
            if offer.buyer is not None or owners[offer.platform] == buyer:
                continue
            if not self._available(model, i, offer, buyer):
                continue
            tokens, cost = self._price(model, offer)
            if cost > self.budget[buyer]:
                continue
            docs = len(posts_on(model.store, np.array([offer.platform])))
            added = min(company.params.holdings.licence_docs, docs)
            gain = expected_gain(deployed.excess_cross_entropy, train_docs, added)
            if gain * per_step * offer.duration < cost:
                continue
            ratio = gain / cost if cost > 0 else np.inf
            if ratio > best_ratio:
                best, best_ratio = i, ratio
        return best

    def _buy(self, model: EcosystemModel, index: int, buyer: int) -> None:
        offer = model.params.licences[index]
        tokens, cost = self._price(model, offer)
        seller = int(model.platform_owners[offer.platform])
        step = model.step_index
        licence = Licence(
            index,
            offer.platform,
            self.names[seller] if seller >= 0 else f"platform {offer.platform}",
            self.names[buyer],
            buyer,
            step,
            tokens,
            cost,
            offer.exclusive,
            step + offer.duration,
        )
        self.budget[buyer] -= cost
        self.spend[buyer] += cost
        if seller >= 0:
            self.budget[seller] += cost
            self.income[seller] += cost
        else:
            self.platform_income[offer.platform] += cost
        self.rows.append(licence)
        self.bought.append(licence)
        self.active.append(licence)
