"""Learners behind one interface: fit -> fitted; fitted.sample / fitted.evaluate.

A learner is built from its own parameters plus the plain values it needs to know of the data
(vocabulary size, number of topics, label noise), scikit-learn style: no learner module imports a
truth class. Only ``fitted.evaluate(test, truth)`` receives the truth, to score against it.
"""

from __future__ import annotations


def build_learner(params, truth):
    """The learner configured by ``params``, given what it must know of ``truth``'s data.

    Args:
        params: the scenario's learner block (its ``kind`` picks the class).
        truth: the scenario's truth; only plain values are read from it here (``vocab_size``
            and ``topics`` of token documents, ``noise_std`` of labeled rows).
    """
    if params.kind == "ngram":
        from ecosystem.learners.ngram import NgramLearner

        return NgramLearner(params, vocab_size=truth.vocab_size, n_topics=truth.topics)
    if params.kind == "gaussian":
        from ecosystem.learners.gaussian import GaussianLearner

        return GaussianLearner(params)
    if params.kind == "gmm":
        from ecosystem.learners.gmm import GMMLearner

        return GMMLearner(params)
    if params.kind == "linear":
        from ecosystem.learners.linear import LinearLearner

        return LinearLearner(params, noise_std=truth.noise_std)
    if params.kind == "transformer":
        from ecosystem.learners.transformer import TransformerLearner

        return TransformerLearner(params, vocab_size=truth.vocab_size, n_topics=truth.topics)
    raise ValueError(f"unknown learner kind {params.kind!r}")
