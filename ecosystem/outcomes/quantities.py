"""What every column name means wherever it appears: label, unit, format, better, meaning.

This module holds the keys, the training data and model quality (every kind);
:mod:`ecosystem.outcomes.world_quantities` holds the ecosystem's web, firms, holdings and money.
"""

from __future__ import annotations

from ecosystem.outcomes.entries import COUNT, ID, SHARE, Quantity
from ecosystem.outcomes.world_quantities import WORLD_QUANTITIES

MODEL_QUANTITIES: dict[str, Quantity] = {
    # --- keys: who, when, which
    "step": Quantity("Step", "months", COUNT, meaning="The month (step 0 is the first)."),
    "generation": Quantity(
        "Generation", fmt=COUNT, meaning="Model generation; 0 is trained on human data only."
    ),
    "trainer": Quantity("Trainer", fmt=ID, meaning="The trainer's name in the scenario."),
    "company": Quantity("Company", fmt=ID, meaning="The company's name in the scenario."),
    "strategy": Quantity("Data strategy", fmt=ID, meaning="How each generation's data is built."),
    "human_only": Quantity(
        "Human-only control",
        fmt=ID,
        meaning="A control trainer that drops every AI document and never deploys.",
    ),
    "replica": Quantity("Replica", fmt=ID, meaning="Index of an independent repetition."),
    "topic": Quantity("Topic", fmt=ID, meaning="Topic of the document."),
    "sample": Quantity("Sample", fmt=ID, meaning="Index of the sampled document."),
    "sequence": Quantity("Sequence", fmt=ID, meaning="Index of the sampled document."),
    "token": Quantity("Token", fmt=ID, meaning="Token id."),
    "model_text": Quantity(
        "Model text",
        fmt=ID,
        meaning="A document the model wrote, readable (a `tokens` truth spells token rank r as "
        "the English word of frequency rank r, or pseudo-words with `truth.spelling: pseudo`).",
    ),
    "human_text": Quantity(
        "Human text", fmt=ID, meaning="A held-out human document of the same topic."
    ),
    # --- what a model was trained on
    "train_size": Quantity(
        "Training set size",
        "samples",
        COUNT,
        meaning="Samples behind the fit: documents, vectors or rows.",
    ),
    "train_docs": Quantity(
        "Training documents", "documents", COUNT, meaning="Documents behind the fit."
    ),
    "train_tokens": Quantity("Training tokens", "tokens", COUNT, meaning="Tokens behind the fit."),
    "train_ai_share": Quantity(
        "AI share of training data",
        "share",
        SHARE,
        meaning="Share of the training data made by a model.",
    ),
    "real_fraction": Quantity(
        "Human share of training data",
        "share",
        SHARE,
        meaning="π: the share of clean human samples in each training set.",
    ),
    "crawled_docs": Quantity(
        "Crawled documents",
        "documents",
        COUNT,
        meaning="Documents of this generation's crawl, before the filter stage.",
    ),
    "crawled_ai_share": Quantity(
        "AI share of crawled documents",
        "share",
        SHARE,
        meaning="True share of this generation's crawl written by a model (before filters).",
    ),
    "flagged_share": Quantity(
        "Share of the crawl filtered out",
        "share",
        SHARE,
        meaning="Share of the crawl the filter stage dropped as AI (detector flags, detected "
        "watermarks, provenance labels): the detected share; 0 without filters.",
    ),
    "human_docs_lost": Quantity(
        "Human documents lost",
        "documents",
        COUNT,
        better="lower",
        meaning="Human documents of the crawl the filter stage dropped (false positives).",
    ),
    "human_lost_share": Quantity(
        "Share of human documents lost",
        "share",
        SHARE,
        better="lower",
        meaning="human_docs_lost / human documents of the crawl.",
    ),
    "ai_docs_passed": Quantity(
        "AI documents let through",
        "documents",
        COUNT,
        better="lower",
        meaning="AI documents of the crawl that passed the filter stage (false negatives when "
        "a filter applies).",
    ),
    "retention_mandate": Quantity(
        "Retention mandate",
        fmt=ID,
        meaning="The data-retention mandate forced the trainer's strategy to accumulate.",
    ),
    # --- model quality
    "cross_entropy": Quantity(
        "Cross-entropy",
        "nats/token",
        better="lower",
        meaning="Mean negative log-likelihood of held-out human data (nats per token or point).",
    ),
    "perplexity": Quantity(
        "Perplexity", "choices per token", better="lower", meaning="exp(cross-entropy)."
    ),
    "excess_cross_entropy": Quantity(
        "Excess cross-entropy",
        "nats/token",
        better="lower",
        meaning="Cross-entropy over the truth's own: an estimate of KL(truth ‖ model); "
        "0 is perfect.",
    ),
    "truth_cross_entropy": Quantity(
        "Truth's cross-entropy",
        "nats/token",
        meaning="The truth's own cross-entropy on the same held-out documents.",
    ),
    "tail_mass_ratio": Quantity(
        "Tail mass ratio",
        "model ÷ truth, 1 = tail kept",
        better="one",
        meaning="Share of sampled tokens in the truth's tail (its rarest tokens holding "
        "`metrics.tail_mass` of its mass) over the truth's share; below 1 the tail is cut.",
    ),
    "distinct_2": Quantity(
        "Distinct bigrams",
        "share of sampled bigrams",
        ".3f",
        "higher",
        "Distinct within-document bigrams over all bigrams of the sampled documents.",
    ),
    "entropy": Quantity(
        "Sample entropy",
        "nats",
        better="higher",
        meaning="Entropy of the sampled tokens' frequencies.",
    ),
    "sample_truth_nll": Quantity(
        "Truth's NLL of samples",
        "nats/token",
        meaning="Mean negative log-probability of sampled tokens under the truth "
        "(lower: more plausible text, often also less diverse).",
    ),
    "unigram_collision": Quantity(
        "Unigram collision",
        "probability",
        meaning="Probability that two tokens of the training data are the same token.",
    ),
    "unseen_mass": Quantity(
        "Unseen truth mass",
        "share",
        SHARE,
        "lower",
        "The truth's token mass on tokens absent from the training data.",
    ),
    "w2": Quantity(
        "W2 distance to truth",
        "data units",
        better="lower",
        meaning="2-Wasserstein distance between the fitted Gaussian (a mixture's moment-matched "
        "Gaussian) and the truth's moments.",
    ),
    "sigma_ratio": Quantity(
        "σ ratio",
        "model ÷ truth, 1 = right",
        better="one",
        meaning="√(tr Σ_model / tr Σ_truth); towards 0 is collapse.",
    ),
    "mean_error": Quantity(
        "Mean error", "data units", better="lower", meaning="‖μ_model − μ_truth‖."
    ),
    "min_component_var": Quantity(
        "Smallest component variance",
        "data units²",
        meaning="Smallest mixture-component variance (mean over dimensions); 0 as it collapses.",
    ),
    "max_component_var": Quantity(
        "Largest component variance",
        "data units²",
        meaning="Largest mixture-component variance (mean over dimensions).",
    ),
    "test_risk": Quantity(
        "Test excess risk", "‖ŵ − w*‖²", better="lower", meaning="Excess risk under x ~ N(0, I)."
    ),
    "train_loss": Quantity(
        "Training loss",
        "nats/token",
        meaning="Mean loss of the last tenth of the generation's optimiser steps.",
    ),
    "length": Quantity("Length", "tokens", COUNT, meaning="Tokens of the sampled document."),
    "perplexity_gen0": Quantity(
        "Perplexity under generation 0",
        "choices per token",
        meaning="The sampled document's perplexity under the generation-0 model.",
    ),
    "truth_rank": Quantity(
        "Truth rank", fmt=COUNT, meaning="Rank of the token under the truth (1: likeliest)."
    ),
    "truth_prob": Quantity(
        "Truth probability", "share", meaning="The token's share of the truth's tokens."
    ),
    "extinct_generation": Quantity(
        "Extinct from generation",
        fmt=COUNT,
        meaning="First generation whose training data lacks the token (null: never).",
    ),
    # --- statistics over replicas (generations_summary): one metric per row
    "metric": Quantity(
        "Metric",
        fmt=ID,
        meaning="The column of the per-replica generations table summarised on this row.",
    ),
    "replicas": Quantity(
        "Replicas",
        fmt=COUNT,
        meaning="Replicas with a value (NaN and missing left out): what the statistics are over.",
    ),
    "finite": Quantity(
        "Finite replicas",
        fmt=COUNT,
        meaning="Replicas whose value is finite (the rest are infinite: a model that gives "
        "unseen tokens probability 0 has an infinite cross-entropy).",
    ),
    "mean": Quantity(
        "Mean",
        "the metric's unit",
        meaning="Mean over replicas (null, like the quantiles, when no replica has a value).",
    ),
    "q10": Quantity(
        "10% quantile",
        "the metric's unit",
        meaning="10% quantile over replicas (linear interpolation, as numpy's np.quantile).",
    ),
    "median": Quantity("Median", "the metric's unit", meaning="Median over replicas."),
    "q90": Quantity(
        "90% quantile",
        "the metric's unit",
        meaning="90% quantile over replicas (linear interpolation, as numpy's np.quantile).",
    ),
}

QUANTITIES: dict[str, Quantity] = {**MODEL_QUANTITIES, **WORLD_QUANTITIES}
"""Every column name of every table, once."""
"""The shared definition of every column name (label, unit, format, better, meaning)."""
