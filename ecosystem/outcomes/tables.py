"""Every table of every scenario kind, its columns in table order (meanings in quantities.py)."""

from __future__ import annotations

import polars as pl

from ecosystem.outcomes.entries import Column, Table, build_table, col
from ecosystem.outcomes.quantities import QUANTITIES

KINDS: tuple[str, ...] = ("ecosystem", "loop", "scaling")
"""The scenario kinds, in the order the reference lists them."""

I32, I64, F64, STR, BOOL = pl.Int32(), pl.Int64(), pl.Float64(), pl.String(), pl.Boolean()

VECTORS, TOKENS = "the vectors truth", "the `tokens` truth"
COUNTED = "the `ngram` learner on the `tokens` truth"


def _table(kind: str, name: str, rows: str, *cols: Column, when: str = "") -> Table:
    return build_table(QUANTITIES, kind, name, rows, *cols, when=when)


def _learner_metrics() -> tuple[Column, ...]:
    """The learners' own metrics, in the relative order the lab's tables have them."""
    return (
        col("w2", F64, when=VECTORS),
        col("sigma_ratio", F64, when=VECTORS),
        col("mean_error", F64, when=VECTORS),
        col("cross_entropy", F64, when="learners other than `linear`"),
        col("perplexity", F64, when="learners other than `linear`"),
        col("excess_cross_entropy", F64, when="the vectors and `tokens` truths"),
        col("truth_cross_entropy", F64, when=TOKENS),
        col("min_component_var", F64, when="the `gmm` learner"),
        col("max_component_var", F64, when="the `gmm` learner"),
        col("test_risk", F64, when="the labeled truth (`linear` learner)"),
        col("train_loss", F64, when="the `transformer` learner"),
        col("unigram_collision", F64, when=COUNTED),
        col("unseen_mass", F64, when=COUNTED),
    )


_SAMPLE_METRICS = (
    col("distinct_2", F64, when=TOKENS),
    col("entropy", F64, when=TOKENS),
    col("tail_mass_ratio", F64, when=TOKENS),
    col("sample_truth_nll", F64, when=TOKENS),
)
REPLICA_ROWS_AUTO_LIMIT = 200_000
"""``ecosystem.config.schema.REPLICA_ROWS_AUTO_LIMIT``, restated so the catalog does not import
the scenario models (a test keeps the two equal)."""
_TRAINED_AT = "Step at which the generation was trained (generation 0: at step 0, before AI)."
_TOKEN_MODELS = "token models (`tokens` or `text` truth)"

TABLES: tuple[Table, ...] = (
    _table(
        "ecosystem",
        "steps",
        "step",
        col("step", I32),
        col("docs_new", I64),
        col("docs_total", I64),
        col("human_docs_new", I64),
        col("ai_docs_new", I64),
        col("farm_docs_new", I64),
        col("assisted_docs_new", I64),
        col("human_platform_docs_new", I64),
        col("ai_share_new", F64),
        col("ai_share_web", F64),
        col("human_authors_active", I64),
        col("ai_adopters", I64),
        col("adopter_share", F64),
        col("sites", I64),
        col("farm_pagerank_share", F64),
        col("opted_out_share", F64),
        col("best_quality", F64),
        col("market_hhi", F64),
        col("opted_out_token_share", F64),
        col("opted_out_critical_share", F64),
        col("watermarked_docs_new", I64),
        col("labelled_docs_new", I64),
        col("levy_revenue", F64),
        col("archive_spending", F64),
        col("author_payments", F64),
        col("payment_per_author", F64),
        col("archive_docs", I64),
    ),
    _table(
        "ecosystem",
        "generations",
        "trainer and generation",
        col("trainer", STR),
        col("company", STR, "The company owning the trainer (null: independent)."),
        col("generation", I32),
        col("step", I32, _TRAINED_AT),
        col("strategy", STR),
        col("human_only", BOOL),
        col("train_docs", I64),
        col("train_tokens", I64),
        col("train_ai_share", F64),
        col("crawled_docs", I64),
        col("crawled_ai_share", F64),
        col("flagged_share", F64),
        col("human_docs_lost", I64),
        col("human_lost_share", F64),
        col("ai_docs_passed", I64),
        col("retention_mandate", BOOL),
        col("cross_entropy", F64),
        col("perplexity", F64),
        col("excess_cross_entropy", F64),
        col("tail_mass_ratio", F64),
        col("distinct_2", F64),
        col("entropy", F64),
        col("proprietary_docs", I64),
        col("proprietary_tokens", I64, "Tokens of the company's holdings in the training data."),
        col("proprietary_share", F64),
    ),
    _table(
        "ecosystem",
        "firms",
        "company and step",
        col("company", STR),
        col("step", I32),
        col("market_share", F64),
        col("quality", F64),
        col("users", I64),
        col("user_share", F64),
        col("deployed_trainer", STR),
        col("deployed_generation", I32),
        col("price", F64),
        col("levy_paid", F64),
        col("holds_data", BOOL),
        col("owned_platforms", I64),
        col("platform_tokens", I64),
        col("licensed_tokens", I64),
        col("snapshot_tokens", I64),
        col("proprietary_tokens", I64),
        col("human_share", F64),
        col("consumer_users", F64),
        col("revenue", F64),
        col("licence_spend", F64),
        col("licence_income", F64),
        col("budget", F64),
        col("moat_gap", F64),
        col("moat_ratio", F64),
    ),
    _table(
        "ecosystem",
        "licences",
        "licence bought (the ledger)",
        col("seller", STR),
        col("buyer", STR),
        col("step", I32, "The purchase step."),
        col("platform", I32),
        col("tokens", I64),
        col("price_per_1k_tokens", F64),
        col("paid", F64),
        col("exclusive", BOOL),
        col("expiry", I32),
        when="a scenario with `licences`",
    ),
    _table(
        "ecosystem",
        "samples",
        "sampled document (`metrics.text_samples` per trainer and generation)",
        col("trainer", STR),
        col("generation", I32),
        col("step", I32, _TRAINED_AT),
        col("topic", I32),
        col("model_text", STR),
        col("human_text", STR),
    ),
    _table(
        "loop",
        "generations",
        "strategy, replica and generation",
        col("strategy", STR),
        col("replica", I32),
        col("generation", I32),
        col("train_size", I64),
        col("train_ai_share", F64),
        *_learner_metrics(),
        *_SAMPLE_METRICS,
        when="`metrics.replica_rows: true`, or with `auto` (the default) when replicas × "
        f"(generations + 1) × strategies is under {REPLICA_ROWS_AUTO_LIMIT:,} "
        "(`generations_summary` always holds its statistics over replicas)",
    ),
    _table(
        "loop",
        "generations_summary",
        "strategy, generation and metric (each other column of `generations`)",
        col("strategy", STR),
        col("generation", I32),
        col("metric", STR),
        col("replicas", I64),
        col("finite", I64),
        col("mean", F64),
        col("q10", F64),
        col("median", F64),
        col("q90", F64),
    ),
    _table(
        "loop",
        "samples",
        "sampled document of replica 0 (`metrics.text_samples` per strategy and generation)",
        col("strategy", STR),
        col("replica", I64),
        col("generation", I64),
        col("sample", I64),
        col("topic", I64),
        col("model_text", STR),
        col("human_text", STR),
        when=f"{_TOKEN_MODELS} and `metrics.text_samples` > 0",
    ),
    _table(
        "loop",
        "sequences",
        "sampled document of replica 0 (`metrics.sample_size` per strategy and generation)",
        col("strategy", STR),
        col("replica", I32),
        col("generation", I32),
        col("sequence", I64),
        col("length", I64),
        col("perplexity_gen0", F64),
        when="the `ngram` and `transformer` learners",
    ),
    _table(
        "loop",
        "survival",
        "strategy, replica and token",
        col("strategy", STR),
        col("replica", I32),
        col("token", I32),
        col("truth_rank", I64),
        col("truth_prob", F64),
        col("extinct_generation", I64),
        when=f"`metrics.token_survival: true` and {COUNTED}",
    ),
    _table(
        "scaling",
        "scaling",
        "human share π, training size T and replica",
        col("real_fraction", F64),
        col("train_size", I64, "T: samples in the training set."),
        col("replica", I32),
        col("train_ai_share", F64),
        *_learner_metrics(),
    ),
    _table(
        "scaling",
        "generator",
        "run (the generator model's own scores)",
        col("train_size", I64, "Human samples the generator was fitted on."),
        *_learner_metrics(),
    ),
    _table(
        "scaling",
        "closed_form",
        "human share π and training size T",
        col("real_fraction", F64),
        col("train_size", I64, "T: samples in the training set."),
        col(
            "unseen_mass",
            F64,
            "The memoriser's exact expected test error Σ p_i (1 − q_i)^T, q = π·p + (1 − π)·(p "
            "cut at the top-k) (Dohmatob et al. 2024).",
        ),
        when="a unigram without smoothing (`add_k: 0`) on a one-topic `tokens` truth, sampled "
        "at temperature 1 with at most a top-k cut",
    ),
)
"""Every table of every scenario kind, its columns in table order."""
