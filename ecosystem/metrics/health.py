"""A cheap guard run after every evaluation: a NaN metric stops the run with a clear message.

Infinity is a result (a model that gives a held-out token zero probability has an infinite
cross-entropy), NaN is not: it means the arithmetic failed, and every later generation would
be built on it. The check costs one ``np.isnan`` per metric array per generation.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ecosystem.core.errors import NumericalError

UNDEFINED_ALLOWED = frozenset({"distinct_2"})
"""Metrics that are NaN by definition in some runs: ``distinct_2`` has no bigrams to count
when every document is one token long (e.g. the discrete-distribution reproductions)."""

LIKELY_FIELDS: dict[str, str] = {
    "gaussian": "truth.mean, truth.std, decoding.temperature",
    "gmm": "truth.mixture (means, std, weights), learner.tol, decoding.temperature",
    "linear": "truth.noise_std, learner.ridge, loop.samples_per_generation (vs truth.dim)",
    "ngram": "learner.add_k, decoding.temperature, decoding.top_p, truth.zipf_exponent",
    "transformer": "learner.learning_rate, learner.grad_clip, learner.warmup_steps",
}
"""Scenario fields whose extreme values most likely produce a NaN, per learner kind."""


def check_metrics(metrics: Mapping[str, object], where: str, learner_kind: str) -> None:
    """Raise NumericalError when a metric (other than UNDEFINED_ALLOWED) holds a NaN.

    Args:
        metrics: metric name -> value or array of values (one per replica).
        where: what was being evaluated, e.g. ``strategy replace, generation 3``.
        learner_kind: the learner's kind, to name the likely fields.
    """
    bad = [
        name
        for name, value in metrics.items()
        if name not in UNDEFINED_ALLOWED
        and np.issubdtype(np.asarray(value).dtype, np.floating)
        and np.isnan(value).any()
    ]
    if bad:
        fields = LIKELY_FIELDS.get(learner_kind, "the learner's and the truth's parameters")
        raise NumericalError(
            f"numerical failure at {where}: {', '.join(sorted(bad))} is NaN; the run was "
            f"stopped and nothing was written. Likely cause: an extreme value of {fields}"
        )
