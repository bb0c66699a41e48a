"""The world of an ecosystem scenario: the web, human authors, content farms, crawl opt-outs.

Rates are per step (a month by convention); sizes are in documents unless a description says
otherwise.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ecosystem.config.base import Int, Params, Real


class WebParams(Params):
    """The hyperlink graph of sites and how often search engines re-rank it."""

    platforms: Int = Field(
        4,
        ge=1,
        le=1000,
        description="Platform sites (Q&A boards, forums, blog hosts) that host the posts of "
        "platform authors; created first, fully linked to each other.",
    )
    links_per_new_site: Int = Field(
        3,
        ge=1,
        le=100,
        description="Out-links of every new personal site, to existing sites chosen by "
        "preferential attachment (probability ∝ in-degree + attachment_offset).",
    )
    attachment_offset: Real = Field(
        1.0,
        gt=0.0,
        le=1000.0,
        description="Added to every in-degree in preferential attachment (higher: flatter web).",
    )
    pagerank_every: Int = Field(
        3, ge=1, le=1000, description="Steps between PageRank recomputations."
    )
    damping: Real = Field(
        0.85,
        gt=0.0,
        lt=1.0,
        description="PageRank damping: probability a surfer follows a link instead of jumping.",
    )


class AuthorsParams(Params):
    """Human authors: who publishes, how much, and how they take up and react to AI tools."""

    count: Int = Field(
        10_000, ge=1, le=10_000_000, description="Human authors at step 0 (all active)."
    )
    entrants_per_step: Real = Field(
        0.0,
        ge=0.0,
        le=1e6,
        description="New authors joining per step (Poisson mean, at most 1e6: numpy's Poisson "
        "refuses means near 1e19, and memory runs out long before); those not on a platform "
        "open a new personal site, so this is the web's growth in new sites per step.",
    )
    agents: Literal["auto", "each", "none"] = Field(
        "auto",
        description="Mesa agents for the authors: each: one thin HumanAuthor agent per author "
        "(a view on its row, for inspection); none: the population alone (authors decide as a "
        "population either way, so results are identical; an agent costs about 0.7 KB and "
        "10 µs); auto: each while count + entrants_per_step × steps stays within 200,000.",
    )
    platform_share: Real = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Share of authors who post on a platform site instead of their own site.",
    )
    productivity_mean: Real = Field(
        0.5, gt=0.0, le=1000.0, description="Mean documents per author per step."
    )
    productivity_sigma: Real = Field(
        0.8,
        ge=0.0,
        le=5.0,
        description="Log-normal spread (σ of log rate) of productivity across authors; each "
        "author's documents per step are Poisson with its own rate.",
    )
    initial_docs: Real = Field(
        3.0,
        ge=0.0,
        le=10_000.0,
        description="Mean documents (Poisson) each author already has on the web before step 0; "
        "the human web that generation 0 of every trainer is trained on (published at step -1).",
    )
    topics_per_author: Int = Field(
        2,
        ge=1,
        le=1000,
        description="Distinct topics each author writes about, drawn uniformly (at most the "
        "truth's topics).",
    )
    bass_p: Real = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description="Bass innovation coefficient: adoption hazard per step of a non-adopter "
        "with no adopters around (from launch_step on).",
    )
    bass_q: Real = Field(
        0.3,
        ge=0.0,
        le=10.0,
        description="Bass imitation coefficient: hazard per step added per unit share of active "
        "authors who have adopted; scaled by the best deployed model's quality (see "
        "quality_elasticity).",
    )
    quality_elasticity: Real = Field(
        1.0,
        ge=0.0,
        le=100.0,
        description="ε in q_eff = bass_q · u^ε, u = exp(-excess cross-entropy) of the best "
        "deployed model (u = 1 for a perfect model, nats per token); 0: plain Bass.",
    )
    ai_share: Real = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of an adopter's documents written with its company's deployed model "
        "(sampled from it, so they carry the model's distortions into the web).",
    )
    quit_base: Real = Field(
        0.0, ge=0.0, le=1.0, description="Quit hazard per step with no AI content around."
    )
    quit_sensitivity: Real = Field(
        0.02,
        ge=0.0,
        le=10.0,
        description="Quit hazard per step added per unit AI share of the previous step's new "
        "documents in the author's topics (hazard = quit_base + quit_sensitivity · share).",
    )
    launch_quit_platform: Real = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="One-off: share of active platform authors who stop posting at launch_step "
        "(their questions now go to a chatbot; del Rio-Chanona et al.: Stack Overflow posting "
        "fell ~16% at once).",
    )
    launch_quit_personal: Real = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="One-off: share of active personal-site authors who stop at launch_step.",
    )


class FarmsParams(Params):
    """Content farms: many AI documents per step from the cheapest model, on link-farm sites."""

    count: Int = Field(3, ge=0, le=10_000, description="Number of content farms.")
    docs_per_step: Real = Field(
        500.0,
        ge=0.0,
        le=1e7,
        description="Documents per farm per step at full output (topics uniform; Poisson mean, "
        "at most 1e7).",
    )
    ramp_steps: Int = Field(
        0,
        ge=0,
        le=10_000,
        description="Steps after launch_step over which farm output rises linearly to full "
        "(0: full output at launch).",
    )
    sites_each: Int = Field(5, ge=1, le=10_000, description="Sites of each farm at step 0.")
    new_sites_per_step: Real = Field(
        0.0, ge=0.0, le=1000.0, description="New sites per farm per step (Poisson mean)."
    )
    link_density: Real = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Probability that a farm site links to another farm site (any farm): the "
        "link farm that concentrates PageRank.",
    )
    spam_links: Int = Field(
        2,
        ge=0,
        le=1000,
        description="In-links each new farm site gets from random personal sites (comment spam).",
    )
    paraphrase: Real = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of farm documents paraphrased before publishing: a paraphrased "
        "document loses its watermark and evades detectors (policies.detector."
        "paraphrase_evasion).",
    )


class OptOutParams(Params):
    """Crawl opt-outs: sites that block a crawler (Consent in Crisis)."""

    initial_share: Real = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of personal (and platform, see platforms) sites blocking each "
        "crawler at step 0; each site decides independently per crawler.",
    )
    growth_per_step: Real = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Added share per step (Consent in Crisis: ~0.05/12 of C4 tokens per month; "
        "~0.28/12 for its critical sources).",
    )
    max_share: Real = Field(1.0, ge=0.0, le=1.0, description="Ceiling of the opted-out share.")
    platforms: bool = Field(
        True, description="Platform sites opt out by the same rule (farms never opt out)."
    )
    critical_top: Real = Field(
        0.01,
        gt=0.0,
        le=1.0,
        description="The critical sources: this share of eligible sites with the highest "
        "PageRank (Consent in Crisis's head of C4, by tokens); reported in "
        "opted_out_critical_share.",
    )
    critical_growth_per_step: Real | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Opt-outs weighted toward high-PageRank sites: the critical sources' "
        "opted-out share grows by this per step (from initial_share, up to critical_max_share) "
        "while the other sites follow growth_per_step. Consent in Crisis: ~28% of the most "
        "critical sources restricted within a year (0.28/12 per step). Null: one rule for all.",
    )
    critical_max_share: Real = Field(
        1.0, ge=0.0, le=1.0, description="Ceiling of the critical sources' opted-out share."
    )
