"""The ``kind: ecosystem`` scenario: authors, farms, trainers and companies on a simulated web.

Time is counted in steps (months by convention). Every rate below is per step; every size is in
documents unless the description says otherwise. Cross-field rules (names that must exist, a
control trainer that must not deploy) are checked by ``EcosystemScenario`` and reported at the
offending field, e.g. ``trainers.2.company``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from ecosystem.config.base import Int, Params, Real
from ecosystem.config.holdings import HoldingsParams, LicenceParams, holdings_rules
from ecosystem.config.learners import DecodingParams, NgramParams
from ecosystem.config.policies import PoliciesParams
from ecosystem.config.rules import ngram_temperature_problem
from ecosystem.config.transformer import TransformerParams
from ecosystem.config.truth import TokensTruthParams
from ecosystem.config.world import AuthorsParams, FarmsParams, OptOutParams, WebParams
from ecosystem.pipeline.strategies import Strategy

TokenLearnerParams = Annotated[NgramParams | TransformerParams, Field(discriminator="kind")]


class CompanyParams(Params):
    """A company: deploys the best latest model of its trainers and competes for users."""

    name: str = Field(min_length=1, description="Unique company name.")
    price: Real = Field(
        1.0,
        ge=0.0,
        le=1e9,
        description="Price per document of its deployed model (relative units, at most 1e9); "
        "content farms "
        "use the cheapest model available, open-weights models cost 0.",
    )
    watermark: bool = Field(
        False,
        description="Its model watermarks everything it writes (the content store's watermark "
        "column); policies.watermark adds a mandate and trainers' watermark checks.",
    )
    holdings: HoldingsParams = Field(
        HoldingsParams(),
        description="Its proprietary data (owned platforms, a pre-AI snapshot, licensed "
        "archives) and its licence budget; none by default.",
    )


class TrainerParams(Params):
    """A model trainer: crawls the web every ``retrain_every`` steps and fits a generation."""

    name: str = Field(min_length=1, description="Unique trainer name.")
    company: str | None = Field(
        None, description="Owning company (a name in companies), or null for an independent."
    )
    open_weights: bool = Field(
        False,
        description="Its latest model is published openly (price 0): content farms use the "
        "cheapest model, so they pick it.",
    )
    human_only: bool = Field(
        False,
        description="Oracle control: crawls human documents only (drops every AI document); "
        "it never deploys, so it does not change the world it measures.",
    )
    crawl_budget: Int = Field(
        20_000, ge=1, le=100_000_000, description="Documents crawled per generation."
    )
    crawl_mode: Literal["pagerank", "random_surfer"] = Field(
        "pagerank",
        description="pagerank: a document is crawled with probability ∝ its site's PageRank; "
        "random_surfer: ∝ its site's visits by `surfers` simulated random walks.",
    )
    crawl_unit: Literal["site", "page"] = Field(
        "site",
        description="site: a site is visited with probability ∝ its weight and the visit's "
        "pages are shared among its documents; page: every document inherits its site's "
        "weight, so a site's share of the crawl grows with its output (floods count).",
    )
    surfers: Int = Field(2000, ge=1, le=10_000_000, description="random_surfer: walks per crawl.")
    surf_length: Int = Field(
        20, ge=1, le=10_000, description="random_surfer: sites visited per walk."
    )
    recency_half_life: Real | None = Field(
        None,
        ge=0.1,
        le=1e6,
        description="Age (steps) at which a document's crawl weight halves; null: no "
        "preference for recent documents (at least 0.1: shorter, every document older than a "
        "few steps weighs exactly 0 and the crawl can come back empty).",
    )
    respect_opt_out: bool = Field(
        True, description="Skip sites that opted out of this crawler (robots.txt)."
    )
    retrain_every: Int = Field(
        6,
        ge=1,
        le=100_000,
        description="Steps between generations; generation 0 is trained before step 0 on the "
        "initial human web, generation g at step g · retrain_every.",
    )
    strategy: Strategy = Field(
        "replace",
        description="replace: this crawl only; accumulate: every document ever crawled; "
        "accumulate_subsample: a uniform subsample of those, of subsample_budget documents; "
        "fresh_fraction: a share of each training set is fresh human text (licensed or "
        "commissioned, drawn from the truth), the rest this crawl; original_fraction: a share "
        "is drawn anew from the trainer's generation-0 training data (the original human "
        "web), the rest this crawl.",
    )
    fresh_fraction: Real = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="fresh_fraction: share of the training set that is fresh human text.",
    )
    original_fraction: Real = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="original_fraction: share of each generation's crawl_budget drawn anew "
        "(uniformly, without replacement) from the documents of the trainer's generation-0 "
        "training set, i.e. the original human web before any AI text (all of them when "
        "fewer); the rest is this generation's crawl. Generation 0 crawls its whole budget.",
    )
    subsample_budget: Int | None = Field(
        None,
        ge=1,
        le=100_000_000,
        description="accumulate_subsample: training-set size in documents (default: crawl_budget).",
    )
    init: Literal["scratch", "continue"] = Field(
        "scratch",
        description="scratch: fit each generation anew; continue: start from the previous "
        "generation (n-grams: keep its counts and add the new data's).",
    )
    learner: TokenLearnerParams = Field(
        NgramParams(),
        description="The token model it trains: an n-gram (kind: ngram) or a causal "
        "transformer language model (kind: transformer).",
    )
    decoding: DecodingParams = Field(
        DecodingParams(),
        description="How its deployed model writes documents (where the tail gets cut).",
    )


class MarketParams(Params):
    """How adopters split over companies."""

    sensitivity: Real = Field(
        10.0,
        ge=0.0,
        le=1000.0,
        description="Logit market share ∝ exp(sensitivity · quality), quality = -excess "
        "cross-entropy (nats per token) of the company's deployed model.",
    )
    switch_rate: Real = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Share of adopters who re-choose their company each step (new adopters "
        "always choose by the current shares).",
    )
    consumers: Real = Field(
        0.0,
        ge=0.0,
        le=1e12,
        description="Consumer demand beyond the authors: people who pay for a model without "
        "publishing. A company's consumers = consumers · its market share · u^demand_elasticity, "
        "u = exp(-excess cross-entropy) of its model; they pay its price like its users.",
    )
    demand_elasticity: Real = Field(
        1.0,
        ge=0.0,
        le=100.0,
        description="How strongly consumer demand grows with a model's usefulness u.",
    )


class EcosystemMetricsParams(Params):
    """Evaluation of every trainer's generations and the text samples shown beside human text."""

    test_docs: Int = Field(
        2000,
        ge=1,
        le=10_000_000,
        description="Held-out human documents from the truth; every trainer is scored on them.",
    )
    tail_mass: Real = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description="The tail: the truth's rarest tokens holding this share of its token mass "
        "(tail_mass_ratio compares a model's samples with it).",
    )
    sample_size: Int = Field(
        1000,
        ge=10,
        le=10_000_000,
        description="Documents sampled per generation for distinct_2, entropy and tail_mass_ratio.",
    )
    text_samples: Int = Field(
        3,
        ge=0,
        le=1000,
        description="Documents per trainer and generation written to samples.parquet as text.",
    )


AUTHOR_AGENTS_LIMIT = 200_000
"""``authors.agents: auto`` gives every author a Mesa agent up to this many authors."""


class EcosystemScenario(Params):
    """The ecosystem: Mesa agents publishing to a simulated web, trainers crawling it."""

    kind: Literal["ecosystem"] = Field(
        "ecosystem", description="Selects this scenario format (agents on a simulated web)."
    )
    name: str = Field("ecosystem", min_length=1, description="Short name, used in outputs.")
    description: str = Field("", description="Free text: what the scenario is for.")
    seed: Int = Field(
        0, ge=0, le=2**63 - 1, description="The run seed; every draw derives from it."
    )
    steps: Int = Field(60, ge=1, le=100_000, description="Steps to simulate (months).")
    launch_step: Int = Field(
        0,
        ge=0,
        le=100_000,
        description="First step at which AI models are available to authors and farms "
        "(ChatGPT's launch); before it every new document is human.",
    )
    truth: TokensTruthParams = Field(
        TokensTruthParams(),
        description="The human language every author writes and every "
        "model tries to learn (modality: tokens).",
    )
    web: WebParams = Field(WebParams(), description="The site graph and its ranking.")
    authors: AuthorsParams = Field(
        AuthorsParams(), description="Human authors: output, AI adoption, quitting."
    )
    farms: FarmsParams = Field(FarmsParams(), description="Content farms and their link farm.")
    companies: list[CompanyParams] = Field(
        default_factory=list, description="Companies that deploy models and compete for users."
    )
    trainers: list[TrainerParams] = Field(
        min_length=1, description="Model trainers: crawl, train, evaluate every few steps."
    )
    market: MarketParams = Field(MarketParams(), description="How adopters pick a company.")
    opt_out: OptOutParams = Field(OptOutParams(), description="Sites blocking crawlers.")
    licences: list[LicenceParams] = Field(
        default_factory=list,
        description="Licences platforms sell to their posts (open offers or struck deals); a "
        "platform that sells is closed to crawlers (its posts are sold, not given away).",
    )
    metrics: EcosystemMetricsParams = Field(
        EcosystemMetricsParams(), description="Evaluation of every generation."
    )
    policies: PoliciesParams = Field(
        PoliciesParams(),
        description="Policy levers (detector, watermark, provenance, retention, levy); each "
        "is off unless its block is given.",
    )

    @property
    def author_agents(self) -> bool:
        """Whether every author gets a HumanAuthor Mesa agent (``authors.agents``; auto: while
        count + entrants_per_step × steps stays within AUTHOR_AGENTS_LIMIT)."""
        a = self.authors
        if a.agents != "auto":
            return a.agents == "each"
        return a.count + a.entrants_per_step * self.steps <= AUTHOR_AGENTS_LIMIT

    @model_validator(mode="after")
    def _cross_field(self) -> EcosystemScenario:
        errors: list[InitErrorDetails] = []
        _unique([c.name for c in self.companies], "companies", errors)
        _unique([t.name for t in self.trainers], "trainers", errors)
        for i, trainer in enumerate(self.trainers):
            _trainer_rules(i, trainer, [c.name for c in self.companies], errors)
        owned = {t.company for t in self.trainers if not t.human_only}
        for i, company in enumerate(self.companies):
            if company.name not in owned and not errors:  # no echo of an unknown company
                _add(
                    errors,
                    ("companies", i, "name"),
                    company.name,
                    f"company {company.name!r} owns no trainer "
                    f"(set company: {company.name} on a trainer)",
                )
        _policy_rules(self.policies, [t.name for t in self.trainers], errors)
        if self.launch_step > self.steps:
            _add(errors, ("launch_step",), self.launch_step, f"must be <= steps ({self.steps})")
        holdings_rules(self, lambda loc, value, message: _add(errors, loc, value, message))
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


def _trainer_rules(
    i: int, trainer: TrainerParams, companies: list[str], errors: list[InitErrorDetails]
) -> None:
    """Rules between a trainer's fields and the rest of the scenario."""
    where = ("trainers", i)
    if trainer.company is not None and trainer.company not in companies:
        allowed = ", ".join(repr(c) for c in companies) or "none defined"
        _add(
            errors,
            (*where, "company"),
            trainer.company,
            f"unknown company {trainer.company!r} (companies: {allowed}; "
            "null for an independent trainer)",
        )
    elif trainer.human_only and trainer.company is not None:
        _add(
            errors,
            (*where, "company"),
            trainer.company,
            "a human_only control trainer must not belong to a company (it must not "
            "deploy); set company: null",
        )
    if trainer.human_only and trainer.open_weights:
        _add(
            errors,
            (*where, "open_weights"),
            True,
            "a human_only control trainer must not publish open weights",
        )
    decoding = trainer.decoding
    problem = ngram_temperature_problem(trainer.learner.kind, decoding)
    if problem is not None:
        _add(errors, (*where, "decoding", "temperature"), decoding.temperature, problem)
    for name, plain in (("num_beams", 1), ("repetition_penalty", 1.0)):
        if getattr(decoding, name, plain) != plain:
            _add(
                errors,
                (*where, "decoding", name),
                getattr(decoding, name),
                f"the {trainer.learner.kind} learner samples token by token; "
                f"leave {name} at {plain}",
            )


def _policy_rules(
    policies: PoliciesParams, trainers: list[str], errors: list[InitErrorDetails]
) -> None:
    """Every trainer a lever names must exist."""
    for lever, names in policies.trainer_lists().items():
        for j, name in enumerate(names or []):
            if name not in trainers:
                _add(
                    errors,
                    ("policies", lever, "trainers", j),
                    name,
                    f"unknown trainer {name!r} (trainers: {', '.join(map(repr, trainers))})",
                )


def _add(errors: list[InitErrorDetails], loc: tuple, value: object, message: str) -> None:
    """Record a cross-field error at ``loc`` (reported as FILE:LINE: loc: message)."""
    kind = PydanticCustomError("ecosystem_rule", "{message}", {"message": message})
    errors.append(InitErrorDetails(type=kind, loc=loc, input=value))


def _unique(names: list[str], field: str, errors: list[InitErrorDetails]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            _add(errors, (field, i, "name"), name, f"duplicate name {name!r} (names are unique)")
        seen.add(name)
