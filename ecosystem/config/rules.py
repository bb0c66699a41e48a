"""Cross-field rules shared by the scenario kinds that pair a truth, a learner and decoding."""

from __future__ import annotations

from ecosystem.config.base import field_error
from ecosystem.config.learners import LEARNER_MODALITY, DecodingParams

TOKEN_MODALITIES = ("tokens", "text")
NGRAM_MIN_TEMPERATURE = 0.5
NGRAM_TEMPERATURE_WHY = (
    f"the n-gram learner needs temperature >= {NGRAM_MIN_TEMPERATURE}: it raises counts to the "
    "power 1/T, and lower temperatures overflow float64 or drown rare contexts' weights in the "
    "frequent ones' (use top_k: 1 for greedy decoding)"
)


def ngram_temperature_problem(learner_kind: str, decoding: DecodingParams) -> str | None:
    """Why ``decoding.temperature`` cannot be used with ``learner_kind`` (None when it can)."""
    if learner_kind == "ngram" and decoding.temperature < NGRAM_MIN_TEMPERATURE:
        return NGRAM_TEMPERATURE_WHY
    return None


def check_learner_and_decoding(modality: str, learner_kind: str, decoding: DecodingParams) -> None:
    """The learner must model the truth's modality; decoding options must suit the learner.

    Raises:
        PydanticCustomError: pinned to ``learner.kind`` or ``decoding.*``.
    """
    allowed = LEARNER_MODALITY[learner_kind]
    if modality not in allowed:
        want = " or ".join(repr(m) for m in allowed)
        raise field_error(
            "learner.kind",
            f"learner {learner_kind!r} needs truth.modality {want}, not {modality!r}",
        )
    problem = ngram_temperature_problem(learner_kind, decoding)
    if problem is not None:
        raise field_error("decoding.temperature", problem)
    if modality not in TOKEN_MODALITIES and (decoding.top_k is not None or decoding.top_p != 1.0):
        raise field_error("decoding", "decoding.top_k and decoding.top_p apply to tokens only")
    if learner_kind != "transformer":
        for name, plain in (("num_beams", 1), ("repetition_penalty", 1.0)):
            if getattr(decoding, name) != plain:
                raise field_error(
                    f"decoding.{name}", f"needs learner.kind 'transformer' (leave it at {plain})"
                )
    if decoding.num_beams > 1 and (
        decoding.temperature != 1.0 or decoding.top_k is not None or decoding.top_p != 1.0
    ):
        raise field_error(
            "decoding.num_beams",
            "> 1 is deterministic beam search: leave temperature, top_k and top_p at their "
            "defaults",
        )
