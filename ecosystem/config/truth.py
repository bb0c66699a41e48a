"""Parameters of the truth: the human distribution every model tries to learn."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ecosystem.config.base import Int, Params, Real, field_error
from ecosystem.config.text import TextTruthParams


class TokensTruthParams(Params):
    """A synthetic Zipfian language: V tokens, K topics, each a sparse first-order Markov chain."""

    modality: Literal["tokens"] = "tokens"
    vocab_size: Int = Field(500, ge=2, le=200_000, description="V, number of distinct tokens.")
    topics: Int = Field(4, ge=1, le=1000, description="K, number of topics (one chain each).")
    zipf_exponent: Real = Field(
        1.1, gt=0.0, le=5.0, description="Exponent a of the base unigram law p(rank r) ∝ r^-a."
    )
    branching: Int = Field(
        8, ge=1, le=1000, description="Successors per token and topic in the sparse chain."
    )
    background_weight: Real = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="λ: share of each transition drawn from the topic's unigram law instead of "
        "the sparse successors (keeps every token reachable).",
    )
    topic_spread: Real = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="Std of the log-normal factor that tilts each topic's unigram law away from "
        "the shared Zipf law (0: all topics share one law).",
    )
    doc_length_min: Int = Field(16, ge=1, le=100_000, description="Shortest document, tokens.")
    doc_length_max: Int = Field(64, ge=1, le=100_000, description="Longest document, tokens.")
    spelling: Literal["words", "pseudo"] = Field(
        "words",
        description="How sample texts spell tokens: words, token rank r as the English word of "
        "frequency rank r (common words first, rare words in the tail; numbered forms past "
        "20,000); pseudo, made-up syllable words. Text only: every measure is the same.",
    )

    @model_validator(mode="after")
    def _lengths(self) -> TokensTruthParams:
        if self.doc_length_max < self.doc_length_min:
            raise field_error("doc_length_max", "must be >= doc_length_min")
        if self.branching > self.vocab_size:
            raise field_error("branching", "must be <= vocab_size")
        return self


COORDINATE_MAX = 1e6
"""Largest |mean| of a vector truth: W2 and log-likelihoods square it."""
STD_MIN, STD_MAX = 1e-6, 1e6
"""Range of a vector truth's standard deviation: the variance (std², further scaled by the
decoding temperature) must stay far from float64's underflow and overflow."""
STD_WHY = " (1e-6 to 1e6: beyond, the variance underflows or overflows float64)"
MEAN_PER_STD = 1e4
"""Largest |mean| / std of a vector truth (or mixture component)."""
_MEAN_PER_STD_WHY = (
    f"|mean| must be at most {MEAN_PER_STD:g} x std: beyond, variances computed from sums of "
    "squares lose all float64 precision (shift the data, or widen std)"
)
Coordinate = Annotated[Real, Field(ge=-COORDINATE_MAX, le=COORDINATE_MAX)]


class MixtureComponent(Params):
    """One Gaussian component of a mixture truth."""

    weight: Real = Field(
        1.0,
        gt=0.0,
        le=1e6,
        description="Relative weight (normalised over components; at most 1e6 so the sum of "
        "weights stays exact).",
    )
    mean: list[Coordinate] = Field(
        description="Component mean, one value per dimension (each within ±1e6)."
    )
    std: Real = Field(
        1.0, ge=STD_MIN, le=STD_MAX, description=f"Isotropic standard deviation{STD_WHY}."
    )


class VectorsTruthParams(Params):
    """A Gaussian N(mean, std²·I) in ``dim`` dimensions, or a Gaussian mixture."""

    modality: Literal["vectors"] = "vectors"
    dim: Int = Field(1, ge=1, le=1024, description="d, the dimension.")
    mean: Real = Field(
        0.0,
        ge=-COORDINATE_MAX,
        le=COORDINATE_MAX,
        description="Mean of every coordinate (single Gaussian; within ±1e6: squared distances "
        "of larger values lose all precision or overflow).",
    )
    std: Real = Field(
        1.0, ge=STD_MIN, le=STD_MAX, description=f"Standard deviation of every coordinate{STD_WHY}."
    )
    mixture: list[MixtureComponent] | None = Field(
        None, description="When given, the truth is this Gaussian mixture instead."
    )

    @model_validator(mode="after")
    def _mixture_dims(self) -> VectorsTruthParams:
        for i, comp in enumerate(self.mixture or []):
            if len(comp.mean) != self.dim:
                raise field_error("mixture", f"every mixture mean needs dim={self.dim} values")
            if max(map(abs, comp.mean)) > MEAN_PER_STD * comp.std:
                raise field_error(f"mixture.{i}.mean", _MEAN_PER_STD_WHY)
        if self.mixture is None and abs(self.mean) > MEAN_PER_STD * self.std:
            raise field_error("mean", _MEAN_PER_STD_WHY)
        return self


class LabeledTruthParams(Params):
    """Linear regression y = x·w* + ε, ε ~ N(0, noise_std²), x ~ N(0, I_d)."""

    modality: Literal["labeled"] = "labeled"
    dim: Int = Field(10, ge=1, le=1024, description="d, number of features.")
    noise_std: Real = Field(
        1.0,
        ge=0.0,
        le=STD_MAX,
        description="σ, label noise standard deviation (at most 1e6: the test risk, which grows "
        "with σ², overflows beyond).",
    )
    design: Literal["fixed", "random"] = Field(
        "fixed",
        description="fixed: one design matrix X per replica reused every generation "
        "(Gerstgrasser et al.); random: fresh rows every generation.",
    )


TruthParams = Annotated[
    TokensTruthParams | VectorsTruthParams | LabeledTruthParams | TextTruthParams,
    Field(discriminator="modality"),
]
