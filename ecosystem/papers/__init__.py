"""The registry of paper reproductions: every row of ``docs/REPRODUCTIONS.md``.

Each row pairs a paper's value, computed from the resolved scenario (so it follows the test-size
overrides too), with a value read from ecosim's tables, under a tolerance whose source is stated:
a few standard errors of the replica average at that size, plus the error of the paper's
approximation where it is one. Qualitative claims ("visible misfit", "rarer categories first")
are turned into explicit thresholds, named in the paper-value column.
"""

from __future__ import annotations

from ecosystem.papers.discrete import DISCRETE, DISCRETE_ROWS, TAIL, TAIL_ROWS
from ecosystem.papers.gaussian import (
    GAUSS_GROWING,
    GAUSS_LONG,
    GAUSS_MLE,
    GAUSS_MOMENTS,
    GMM,
    MIXTURE,
    SINGLE_GAUSSIAN,
)
from ecosystem.papers.language import MAD, MAD_BIASED, MAD_ROWS, NGRAM, NGRAM_ROWS
from ecosystem.papers.mixing import (
    DRIFT,
    LINEAR,
    LINEAR_ROWS,
    STABILITY_ROWS,
    STABLE_5,
    STABLE_25,
)
from ecosystem.papers.reproduce import Reproduction

REPRODUCTIONS: list[Reproduction] = [
    *SINGLE_GAUSSIAN,
    *MIXTURE,
    *DISCRETE_ROWS,
    *LINEAR_ROWS,
    *TAIL_ROWS,
    *MAD_ROWS,
    *STABILITY_ROWS,
    *NGRAM_ROWS,
]
"""Every reproduction, in report order (the eight results of the collapse literature)."""

__all__ = [
    "DISCRETE",
    "DRIFT",
    "GAUSS_GROWING",
    "GAUSS_LONG",
    "GAUSS_MLE",
    "GAUSS_MOMENTS",
    "GMM",
    "LINEAR",
    "MAD",
    "MAD_BIASED",
    "NGRAM",
    "REPRODUCTIONS",
    "STABLE_5",
    "STABLE_25",
    "TAIL",
]
