"""What every single-learner experiment kind (loop, scaling) declares: a truth, a learner and
how its samples are decoded, under one name and seed."""

from __future__ import annotations

from pydantic import Field, model_validator

from ecosystem.config.base import Int, Params
from ecosystem.config.learners import DecodingParams, LearnerParams
from ecosystem.config.rules import check_learner_and_decoding
from ecosystem.config.truth import TruthParams


class LearnerExperiment(Params):
    """A truth, a learner that models it, and its decoding; subclasses add kind and a section."""

    kind: str = Field(description="The scenario kind (each subclass fixes it).")
    name: str = Field("experiment", min_length=1, description="Short name, used in outputs.")
    description: str = ""
    seed: Int = Field(
        0, ge=0, le=2**63 - 1, description="The run seed; every draw derives from it."
    )
    truth: TruthParams
    learner: LearnerParams
    decoding: DecodingParams = DecodingParams()

    @model_validator(mode="after")
    def _learner_models_truth(self) -> LearnerExperiment:
        check_learner_and_decoding(self.truth.modality, self.learner.kind, self.decoding)
        return self
