"""Policy levers of an ecosystem scenario: the optional ``policies`` block.

Every lever is off unless its block is given (``policies: {}`` changes nothing). Each plugs into
the world at one place (``ecosystem/world/policies.py`` holds the mechanics):

- ``detector``: an AI-text detector in the trainers' filter stage (``ecosystem/pipeline``);
- ``watermark``: a watermark mandate at publishing, a watermark check in the filter stage;
- ``provenance``: platform labels on AI-assisted posts at publishing, dropped in the filter stage;
- ``retention``: a data-retention mandate overriding the named trainers' strategies;
- ``levy``: a levy per AI document on companies, funding a verified-human archive that trainers
  mix in and/or payments to human authors that lower their quit hazard.

Crawl opt-outs over time stay in the scenario's ``opt_out`` block.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ecosystem.config.base import Int, Params, Real, field_error

_TRAINERS = (
    "Trainers that apply it (names in trainers); null: every trainer except human_only controls."
)


class DetectorParams(Params):
    """An AI-text detector: trainers drop the documents it flags before training."""

    mode: Literal["rates", "scores"] = Field(
        "rates",
        description="rates: flag human documents with false_positive_rate and miss AI documents "
        "with false_negative_rate; scores: a score per document, N(0, 1) for human text and "
        "N(separation, 1) for AI text, flagged above threshold (sweep threshold for a ROC).",
    )
    false_positive_rate: Real = Field(
        0.042,
        ge=0.0,
        le=1.0,
        description="rates: share of human documents flagged as AI (default: Graphite's "
        "measurement of a commercial detector, 4.2%).",
    )
    false_negative_rate: Real = Field(
        0.006,
        ge=0.0,
        le=1.0,
        description="rates: share of AI documents not flagged, for a model at "
        "reference_excess or worse (Graphite: 0.6%).",
    )
    separation: Real = Field(
        3.0,
        ge=0.0,
        le=100.0,
        description="scores: mean score of AI text in standard deviations of human text (d').",
    )
    threshold: Real = Field(
        1.73, ge=-100.0, le=100.0, description="scores: documents scoring above it are flagged."
    )
    quality_elasticity: Real = Field(
        0.0,
        ge=0.0,
        le=100.0,
        description="η: detection gets harder as the writing model improves. An AI document's "
        "detectability (rates: its flag probability 1 - FN; scores: its separation) is scaled "
        "by min(1, e / reference_excess)^η, e the excess cross-entropy of the generation that "
        "wrote it; 0: every model is as detectable.",
    )
    reference_excess: Real = Field(
        0.5,
        gt=0.0,
        le=100.0,
        description="Excess cross-entropy (nats/token) at and above which AI text is fully "
        "detectable (see quality_elasticity).",
    )
    paraphrase_evasion: Real = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="Share of detectability lost on paraphrased farm documents (farms."
        "paraphrase); Krishna et al. 2023: paraphrasing cut DetectGPT's detection from 70% "
        "to 4.6%.",
    )
    trainers: list[str] | None = Field(None, description=_TRAINERS)

    @model_validator(mode="after")
    def _better_than_chance(self) -> DetectorParams:
        if self.mode == "rates" and self.false_positive_rate + self.false_negative_rate >= 1.0:
            raise field_error(
                "false_positive_rate",
                "false_positive_rate + false_negative_rate >= 1: the detector is no better "
                "than chance (flag nothing instead, or lower the rates)",
            )
        return self


class WatermarkParams(Params):
    """A watermark mandate: covered models watermark a share of what they write."""

    compliance: Real = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Share of documents written with a company's deployed model that carry a "
        "watermark (a company with watermark: true watermarks all of them).",
    )
    cover_open_weights: bool = Field(
        False,
        description="The mandate also reaches open-weights models (normally out of its reach: "
        "anyone can run them without the watermark).",
    )
    detection_rate: Real = Field(
        0.95,
        ge=0.0,
        le=1.0,
        description="Share of watermarked documents a trainer's watermark check detects.",
    )
    drop_detected: bool = Field(
        True, description="Trainers drop the watermarked documents they detect."
    )
    trainers: list[str] | None = Field(None, description=_TRAINERS)


class ProvenanceParams(Params):
    """Provenance labels on platforms: AI-assisted posts marked as such."""

    platform_rule: Real = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Share of platforms' AI-assisted posts the platform's rule asks to label.",
    )
    disclosure: Real = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of authors' AI-assisted posts they disclose; a post is labelled with "
        "probability platform_rule · disclosure.",
    )
    crawlers_drop: bool = Field(True, description="Trainers drop labelled posts from their crawls.")
    trainers: list[str] | None = Field(None, description=_TRAINERS)


class RetentionParams(Params):
    """A data-retention mandate: trainers keep every document they have crawled."""

    trainers: list[str] | None = Field(
        None,
        description="Trainers under the mandate; their strategy is forced to accumulate (every "
        "document ever crawled, human ones included, stays in the training pool). Null: every "
        "trainer except human_only controls.",
    )


class LevyParams(Params):
    """A levy per AI document on companies, funding a human-data commons."""

    per_document: Real = Field(
        0.05,
        gt=0.0,
        le=1000.0,
        description="Levy per document written with a company's deployed model (the price "
        "units of companies.price); open-weights output is out of reach.",
    )
    archive_share: Real = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of the levy buying verified human documents for a public archive.",
    )
    authors_share: Real = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of the levy paid to active human authors, equally.",
    )
    archive_price: Real = Field(
        0.1,
        gt=0.0,
        le=1000.0,
        description="Cost of one verified human document for the archive.",
    )
    archive_mix: Int = Field(
        2000,
        ge=0,
        le=100_000_000,
        description="Archive documents each trainer mixes into every generation (drawn "
        "uniformly from the archive; all of it when smaller).",
    )
    payment_elasticity: Real = Field(
        20.0,
        ge=0.0,
        le=1e6,
        description="κ: a paid author's quit hazard is divided by 1 + κ · p, p its payment "
        "of the previous step.",
    )

    @model_validator(mode="after")
    def _funds_something(self) -> LevyParams:
        if self.archive_share + self.authors_share > 1.0 + 1e-12:
            raise field_error(
                "authors_share", "archive_share + authors_share must be <= 1 (shares of the levy)"
            )
        if self.archive_share == 0.0 and self.authors_share == 0.0:
            raise field_error(
                "archive_share",
                "the levy funds nothing: set archive_share and/or authors_share above 0",
            )
        if self.authors_share == 0.0 and self.archive_mix == 0:
            raise field_error(
                "archive_mix",
                "the levy funds only an archive no trainer mixes in: set archive_mix above 0 "
                "or pay authors (authors_share)",
            )
        return self


class PoliciesParams(Params):
    """Policy levers, each off unless its block is given."""

    detector: DetectorParams | None = Field(
        None, description="An AI-text detector in the trainers' filter stage."
    )
    watermark: WatermarkParams | None = Field(
        None, description="A watermark mandate on companies' models and a watermark check."
    )
    provenance: ProvenanceParams | None = Field(
        None, description="Provenance labels on platforms' AI-assisted posts."
    )
    retention: RetentionParams | None = Field(
        None, description="A data-retention mandate on trainers."
    )
    levy: LevyParams | None = Field(
        None, description="A levy on AI documents funding a human-data commons."
    )

    def trainer_lists(self) -> dict[str, list[str] | None]:
        """The ``trainers`` field of every lever given, by lever name."""
        return {
            name: getattr(self, name).trainers
            for name in ("detector", "watermark", "provenance", "retention")
            if getattr(self, name) is not None
        }
