"""The ``kind: scaling`` scenario: a learner's test error against its training-set size T.

Each training set mixes clean human data (a share π) with data sampled from a generator: the same
learner fitted once on many human samples and sampled with ``decoding``, where top-k / top-p
cut its tail. Dohmatob et al. (2024, "A Tale of Tails") show that the cut changes the scaling
law: the error stops decaying and plateaus, unless clean data is mixed back in.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ecosystem.config.base import Int, Params, Real, field_error
from ecosystem.config.experiment import LearnerExperiment

TrainSize = Annotated[Int, Field(ge=1, le=100_000_000)]
RealFraction = Annotated[Real, Field(ge=0.0, le=1.0)]


class ScalingParams(Params):
    """The sweep: training sizes, shares of clean human data, replicas."""

    train_sizes: list[TrainSize] = Field(
        min_length=1,
        description="T: training-set sizes of the curve (documents, vectors or rows; 1 to 1e8).",
    )
    real_fractions: list[RealFraction] = Field(
        default_factory=lambda: [0.0, 1.0],
        min_length=1,
        description="π in [0, 1]: share of each training set that is clean human data (1: the "
        "clean curve; 0: generator data only). One curve per value.",
    )
    generator_samples: Int = Field(
        100_000,
        ge=2,
        le=100_000_000,
        description="Human samples the generator model is fitted on (its own finite sample "
        "also cuts the tail).",
    )
    replicas: Int = Field(
        10, ge=1, le=100_000, description="R: independent training sets per (π, T)."
    )
    test_samples: Int = Field(
        2000, ge=1, le=10_000_000, description="Held-out human samples for evaluation."
    )

    @model_validator(mode="after")
    def _unique(self) -> ScalingParams:
        if len(set(self.train_sizes)) != len(self.train_sizes):
            raise field_error("train_sizes", "train_sizes must not repeat")
        if len(set(self.real_fractions)) != len(self.real_fractions):
            raise field_error("real_fractions", "real_fractions must not repeat")
        return self


class ScalingScenario(LearnerExperiment):
    """Scaling mode: test error against training size T on data from a generator model."""

    kind: Literal["scaling"] = "scaling"
    name: str = Field("scaling", min_length=1, description="Short name, used in outputs.")
    scaling: ScalingParams
