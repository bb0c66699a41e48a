"""The truths: the human distributions every model tries to learn, one per modality."""

from __future__ import annotations

from typing import Any

from ecosystem.truth.labeled import LabeledTruth
from ecosystem.truth.vectors import VectorsTruth


def build_truth(params: Any, seed: int) -> Any:
    """The truth described by ``params`` (dispatching on ``params.modality``).

    Args:
        params: a TokensTruthParams, VectorsTruthParams, LabeledTruthParams or TextTruthParams.
        seed: the run seed (tokens and labeled truths draw their structure from it).

    Raises:
        ValueError: for an unknown modality.
    """
    if params.modality == "tokens":
        from ecosystem.truth.tokens import TokensTruth

        return TokensTruth(params, seed)
    if params.modality == "vectors":
        return VectorsTruth(params)
    if params.modality == "labeled":
        return LabeledTruth(params, seed)
    if params.modality == "text":
        from ecosystem.truth.text import TextTruth

        return TextTruth(params, seed)
    raise ValueError(f"unknown truth modality {params.modality!r}")


__all__ = ["LabeledTruth", "VectorsTruth", "build_truth"]
