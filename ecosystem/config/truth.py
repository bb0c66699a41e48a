"""Parameters of the truth: the human distribution every model tries to learn."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ecosystem.config.base import Params, field_error
from ecosystem.config.text import TextTruthParams


class TokensTruthParams(Params):
    """A synthetic Zipfian language: V tokens, K topics, each a sparse first-order Markov chain."""

    modality: Literal["tokens"] = "tokens"
    vocab_size: int = Field(500, ge=2, le=200_000, description="V, number of distinct tokens.")
    topics: int = Field(4, ge=1, le=1000, description="K, number of topics (one chain each).")
    zipf_exponent: float = Field(
        1.1, gt=0.0, le=5.0, description="Exponent a of the base unigram law p(rank r) ∝ r^-a."
    )
    branching: int = Field(
        8, ge=1, le=1000, description="Successors per token and topic in the sparse chain."
    )
    background_weight: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="λ: share of each transition drawn from the topic's unigram law instead of "
        "the sparse successors (keeps every token reachable).",
    )
    topic_spread: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="Std of the log-normal factor that tilts each topic's unigram law away from "
        "the shared Zipf law (0: all topics share one law).",
    )
    doc_length_min: int = Field(16, ge=1, le=100_000, description="Shortest document, tokens.")
    doc_length_max: int = Field(64, ge=1, le=100_000, description="Longest document, tokens.")
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


class MixtureComponent(Params):
    """One Gaussian component of a mixture truth."""

    weight: float = Field(1.0, gt=0.0, description="Relative weight (normalised over components).")
    mean: list[float] = Field(description="Component mean, one value per dimension.")
    std: float = Field(1.0, gt=0.0, description="Isotropic standard deviation.")


class VectorsTruthParams(Params):
    """A Gaussian N(mean, std²·I) in ``dim`` dimensions, or a Gaussian mixture."""

    modality: Literal["vectors"] = "vectors"
    dim: int = Field(1, ge=1, le=1024, description="d, the dimension.")
    mean: float = Field(0.0, description="Mean of every coordinate (single Gaussian).")
    std: float = Field(1.0, gt=0.0, description="Standard deviation of every coordinate.")
    mixture: list[MixtureComponent] | None = Field(
        None, description="When given, the truth is this Gaussian mixture instead."
    )

    @model_validator(mode="after")
    def _mixture_dims(self) -> VectorsTruthParams:
        for comp in self.mixture or []:
            if len(comp.mean) != self.dim:
                raise field_error("mixture", f"every mixture mean needs dim={self.dim} values")
        return self


class LabeledTruthParams(Params):
    """Linear regression y = x·w* + ε, ε ~ N(0, noise_std²), x ~ N(0, I_d)."""

    modality: Literal["labeled"] = "labeled"
    dim: int = Field(10, ge=1, le=1024, description="d, number of features.")
    noise_std: float = Field(1.0, ge=0.0, description="σ, label noise standard deviation.")
    design: Literal["fixed", "random"] = Field(
        "fixed",
        description="fixed: one design matrix X per replica reused every generation "
        "(Gerstgrasser et al.); random: fresh rows every generation.",
    )


TruthParams = Annotated[
    TokensTruthParams | VectorsTruthParams | LabeledTruthParams | TextTruthParams,
    Field(discriminator="modality"),
]
