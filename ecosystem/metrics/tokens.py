"""Sample metrics of token documents: diversity and the tail, per replica."""

from __future__ import annotations

import numpy as np

from ecosystem.core.data import TokenDocs


def token_sample_metrics(samples: TokenDocs, truth, tail_mass: float) -> dict[str, np.ndarray]:
    """Diversity and tail metrics of sampled documents, one value per replica.

    Returns:
        ``distinct_2``: distinct within-document bigrams / all bigrams;
        ``entropy``: entropy (nats) of the sampled token frequencies;
        ``tail_mass_ratio``: share of sampled tokens in the truth's tail (the rarest tokens
        holding ``tail_mass`` of the truth's token mass) over that share under the truth.
    """
    R, V = samples.n_replicas, truth.vocab_size
    rep_tok = np.repeat(samples.replica.astype(np.int64), samples.lengths)
    tok = samples.tokens.astype(np.int64)
    counts = np.bincount(rep_tok * V + tok, minlength=R * V).reshape(R, V).astype(np.float64)
    totals = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = counts / totals[:, None]
        entropy = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
    tail = truth.tail_tokens(tail_mass)
    truth_tail = truth.token_marginal()[tail].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        tail_ratio = counts[:, tail].sum(axis=1) / totals / truth_tail

    pos = samples.position_in_doc()
    has_prev = pos > 0
    bigram = (tok[:-1] * V + tok[1:])[has_prev[1:]]
    rep_b = rep_tok[1:][has_prev[1:]]
    keys = np.sort(rep_b * (V * V) + bigram)  # a plain sort: np.unique is ~8x slower here
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    distinct = np.bincount(keys[first] // (V * V), minlength=R).astype(np.float64)
    n_bigrams = np.bincount(rep_b, minlength=R).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        distinct_2 = distinct / n_bigrams
    return {"distinct_2": distinct_2, "entropy": entropy, "tail_mass_ratio": tail_ratio}


def sample_truth_nll(samples: TokenDocs, truth) -> np.ndarray:
    """Mean negative log-probability (nats per token) of sampled tokens under the truth.

    A precision-like quality of a model's text: how plausible the truth finds what the model
    writes (lower is more plausible). A model that keeps only its likeliest continuations
    scores well here while its diversity (``entropy``, ``distinct_2``) falls.
    """
    rep_tok = np.repeat(samples.replica.astype(np.int64), samples.lengths)
    nll = np.bincount(rep_tok, weights=-truth.log_prob(samples), minlength=samples.n_replicas)
    tokens = np.bincount(rep_tok, minlength=samples.n_replicas).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return nll / tokens
