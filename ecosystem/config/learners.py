"""Parameters of the learners and of decoding."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ecosystem.config.base import Int, Params, Real
from ecosystem.config.transformer import TransformerParams


class NgramParams(Params):
    """An order-n token model with add-k smoothing, conditioned on the document's topic."""

    kind: Literal["ngram"] = "ngram"
    order: Int = Field(2, ge=1, le=3, description="n: 1 unigram, 2 bigram, 3 trigram.")
    add_k: Real = Field(
        0.001,
        ge=0.0,
        le=1e6,
        description="Pseudo-count k added to every (context, token) cell (at most 1e6: larger "
        "values make every model uniform and their sums over contexts overflow).",
    )
    condition_on_topic: bool = Field(
        True, description="Keep separate counts per topic (documents are topic + text)."
    )


class GaussianParams(Params):
    """A multivariate Gaussian fitted by moments."""

    kind: Literal["gaussian"] = "gaussian"
    estimator: Literal["mle", "unbiased"] = Field(
        "unbiased", description="Covariance divisor: mle n, unbiased n-1."
    )


class GMMParams(Params):
    """A Gaussian mixture fitted by EM (scikit-learn)."""

    kind: Literal["gmm"] = "gmm"
    components: Int = Field(2, ge=1, le=100, description="Number of mixture components.")
    covariance_type: Literal["full", "diag", "spherical", "tied"] = "full"
    max_iter: Int = Field(200, ge=1, le=100_000, description="EM iterations at most.")
    tol: Real = Field(
        1e-4,
        gt=0.0,
        le=1.0,
        description="EM convergence tolerance (at most 1: a change of the mean log-likelihood "
        "per sample; larger values stop EM before its first step).",
    )
    n_init: Int = Field(1, ge=1, le=100, description="EM restarts; the best is kept.")


class LinearParams(Params):
    """Ordinary least squares (optionally ridge) without intercept."""

    kind: Literal["linear"] = "linear"
    ridge: Real = Field(
        0.0,
        ge=0.0,
        le=1e12,
        description="L2 penalty λ (0: OLS; at most 1e12, where the fit is already all penalty).",
    )


LearnerParams = Annotated[
    NgramParams | GaussianParams | GMMParams | LinearParams | TransformerParams,
    Field(discriminator="kind"),
]

LEARNER_MODALITY: dict[str, tuple[str, ...]] = {
    "ngram": ("tokens",),
    "gaussian": ("vectors",),
    "gmm": ("vectors",),
    "linear": ("labeled",),
    "transformer": ("tokens", "text"),
}
"""The truth modalities each learner kind can learn."""


class DecodingParams(Params):
    """How a model's samples are drawn: where the tail of the distribution gets cut."""

    temperature: Real = Field(
        1.0,
        ge=1e-3,
        le=100.0,
        description="Divide log-probabilities by T (vectors: scale std); at least 1e-3 (lower "
        "is greedy decoding in all but name, and the vector learners' variance underflows).",
    )
    top_k: Int | None = Field(
        None,
        ge=1,
        le=200_000,
        description="Keep only the k most likely tokens per context (tokens only; at most the "
        "largest vocabulary).",
    )
    top_p: Real = Field(
        1.0, gt=0.0, le=1.0, description="Nucleus: smallest set holding mass ≥ p (tokens only)."
    )
    num_beams: Int = Field(
        1,
        ge=1,
        le=64,
        description="Beam width (transformer only); > 1 is deterministic beam search, without "
        "temperature, top_k, top_p (Shumailov et al.: 5).",
    )
    repetition_penalty: Real = Field(
        1.0,
        gt=0.0,
        le=100.0,
        description="Penalise tokens already in the document: their positive logits are divided "
        "and negative ones multiplied by this (CTRL; transformer only; 1: off; Shumailov et "
        "al.: 3.0).",
    )

    @property
    def is_plain(self) -> bool:
        return (
            self.temperature == 1.0
            and self.top_k is None
            and self.top_p == 1.0
            and self.num_beams == 1
            and self.repetition_penalty == 1.0
        )
