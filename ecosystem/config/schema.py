"""The scenario format: one frozen, typed object per YAML file."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, Strict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ecosystem.config.base import Int, Params, Real, field_error
from ecosystem.config.ecosystem import EcosystemScenario
from ecosystem.config.experiment import LearnerExperiment
from ecosystem.config.scaling import ScalingScenario
from ecosystem.pipeline.strategies import STRATEGIES, Strategy


class LoopParams(Params):
    """The recursive-training loop: R replicas x G generations of fit -> sample -> refit."""

    replicas: Int = Field(10, ge=1, le=1_000_000, description="R, independent repetitions.")
    generations: Int = Field(10, ge=0, le=1_000_000, description="G, refits after generation 0.")
    samples_per_generation: Int = Field(
        1000,
        ge=2,
        le=100_000_000,
        description="M0: synthetic samples drawn per generation (documents, vectors or rows).",
    )
    samples_growth_exponent: Real = Field(
        0.0,
        ge=0.0,
        le=4.0,
        description="p in M_i = round(M0 * i^p) for generation i >= 1 (Shumailov: 1.5 rescues).",
    )
    initial_samples: Int | None = Field(
        None, ge=2, le=100_000_000, description="Human samples behind generation 0 (default: M0)."
    )
    strategies: list[Strategy] = Field(
        default_factory=lambda: ["replace"],
        min_length=1,
        description="Data strategies to run, each over the same replicas and seeds.",
    )
    fresh_fraction: Real = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="fresh_fraction: share of each generation's data that is fresh human data.",
    )
    original_fraction: Real = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="original_fraction: share of each generation's data drawn anew from "
        "generation 0's human data (at most all of it; Shumailov et al.: 0.1).",
    )
    subsample_budget: Int | None = Field(
        None,
        ge=2,
        le=100_000_000,
        description="accumulate_subsample: training-set size (default: M0).",
    )
    test_samples: Int = Field(
        2000, ge=1, le=10_000_000, description="Held-out human samples for evaluation."
    )
    sampling: Literal["auto", "explicit", "statistics"] = Field(
        "auto",
        description="explicit: draw every sample; statistics: draw sufficient statistics from "
        "their exact law (Gaussian, linear; same distribution, O(1) per replica); auto: "
        "statistics where exact, else explicit.",
    )

    @model_validator(mode="after")
    def _unique(self) -> LoopParams:
        if len(set(self.strategies)) != len(self.strategies):
            raise field_error("strategies", "strategies must not repeat")
        return self

    def samples_at(self, generation: int) -> int:
        """M_i: synthetic samples drawn to train generation ``generation`` (>= 1)."""
        if generation <= 0:
            return self.initial_samples or self.samples_per_generation
        return max(2, round(self.samples_per_generation * generation**self.samples_growth_exponent))


REPLICA_ROWS_AUTO_LIMIT = 200_000
"""``metrics.replica_rows: auto`` keeps every replica's rows below this many (about 9 MB of
Parquet for a Gaussian loop; the per-generation quantiles hold the rest)."""


class MetricsParams(Params):
    """Definitions behind the metrics."""

    tail_mass: Real = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description="The tail: the truth's rarest tokens that together hold this much of its "
        "token mass (tail_mass_ratio compares a model's mass there with it).",
    )
    sample_size: Int = Field(
        2000,
        ge=10,
        le=10_000_000,
        description="Documents sampled per model for distinct_2 and entropy.",
    )
    text_samples: Int = Field(
        5,
        ge=0,
        le=1000,
        description="Sample documents saved as text per generation (samples); formerly "
        "sample_texts, still read with a deprecation notice.",
    )
    token_survival: bool = Field(
        False,
        description="Token models: record each token's first generation absent from the "
        "training data, per replica (survival table; R x V rows per strategy).",
    )
    replica_rows: Annotated[bool, Strict()] | Literal["auto"] = Field(
        "auto",
        description="Write every replica's rows (generations table, one row per strategy, "
        "replica and generation) beside the per-generation quantiles over replicas "
        "(generations_summary, always written). true: always; false: never; auto: when "
        "replicas x (generations + 1) x strategies is below 200,000 rows.",
    )

    @field_validator("replica_rows", mode="before")
    @classmethod
    def _replica_rows_choice(cls, value: Any) -> Any:
        if value is True or value is False or value == "auto":
            return value
        raise PydanticCustomError("replica_rows", "allowed: true, false or auto")


class LoopScenario(LearnerExperiment):
    """Lab mode: the papers' single-trainer fit -> sample -> refit experiments."""

    kind: Literal["loop"] = "loop"
    name: str = Field("loop", min_length=1, description="Short name, used in outputs.")
    loop: LoopParams = LoopParams()
    metrics: MetricsParams = MetricsParams()

    def replica_row_count(self) -> int:
        """Rows of the per-replica ``generations`` table: R x (G + 1) x strategies."""
        loop = self.loop
        return loop.replicas * (loop.generations + 1) * len(loop.strategies)

    def writes_replica_rows(self) -> bool:
        """Whether the run keeps every replica's rows (``metrics.replica_rows``; ``auto``: below
        ``REPLICA_ROWS_AUTO_LIMIT`` rows)."""
        choice = self.metrics.replica_rows
        if choice == "auto":
            return self.replica_row_count() < REPLICA_ROWS_AUTO_LIMIT
        return bool(choice)

    @model_validator(mode="after")
    def _sampling(self) -> LoopScenario:
        _check_sampling(self.loop, self.learner.kind)
        return self


STATISTICS_LEARNERS = ("gaussian", "linear")


def _check_sampling(loop: LoopParams, learner_kind: str) -> None:
    """``sampling: statistics`` needs a learner whose statistics have a known exact law."""
    if loop.sampling != "statistics":
        return
    if learner_kind not in STATISTICS_LEARNERS:
        raise field_error(
            "loop.sampling",
            f"'statistics' needs learner.kind in {STATISTICS_LEARNERS} "
            f"(use 'explicit' or 'auto' for {learner_kind!r})",
        )
    for strategy in loop.strategies:
        if not STRATEGIES[strategy].on_statistics:
            raise field_error(
                "loop.sampling",
                f"'statistics' cannot run {strategy}: it draws from a pool of rows; use "
                "'auto' (it draws explicit samples for that strategy)",
            )


Scenario = LoopScenario | EcosystemScenario | ScalingScenario
SCENARIO_KINDS: dict[str, type[Params]] = {
    "loop": LoopScenario,
    "ecosystem": EcosystemScenario,
    "scaling": ScalingScenario,
}


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of every scenario kind (``ecosim schema``)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ecosim scenario",
        "oneOf": [cls.model_json_schema() for cls in SCENARIO_KINDS.values()],
    }
