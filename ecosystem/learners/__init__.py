"""Learners behind one interface: fit -> fitted; fitted.sample / fitted.evaluate."""

from __future__ import annotations


def build_learner(params, truth, seed: int):
    """The learner configured by ``params`` for ``truth`` (``seed`` feeds its own randomness)."""
    if params.kind == "ngram":
        from ecosystem.learners.ngram import NgramLearner

        return NgramLearner(params, truth)
    if params.kind == "gaussian":
        from ecosystem.learners.gaussian import GaussianLearner

        return GaussianLearner(params, truth)
    if params.kind == "gmm":
        from ecosystem.learners.gmm import GMMLearner

        return GMMLearner(params, truth, seed)
    if params.kind == "linear":
        from ecosystem.learners.linear import LinearLearner

        return LinearLearner(params, truth)
    if params.kind == "transformer":
        from ecosystem.learners.transformer import TransformerLearner

        return TransformerLearner(params, truth, seed)
    raise ValueError(f"unknown learner kind {params.kind!r}")
