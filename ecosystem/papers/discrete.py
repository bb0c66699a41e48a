"""Discrete collapse (Shumailov et al.; Seddik et al.) and the tail of tails (Dohmatob et al.)."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.stats import spearmanr

from ecosystem.lab.scaling import memoriser_error
from ecosystem.papers.reproduce import Experiment, Reproduction, Run, Runs, Tolerance
from ecosystem.papers.tables import last, mean_at, samples, truth_marginal

# --- 3. discrete collapse

DISCRETE = Experiment(
    "discrete_collapse",
    "scenarios/papers/discrete_collapse.yaml",
    quick=("loop.replicas=200", "loop.generations=30"),
)


def _collision_closed_form(runs: Runs) -> float:
    run = runs[DISCRETE.name]
    p = truth_marginal(run)
    n, fits = samples(run), last(run) + 1
    return float(1 - (1 - 1 / n) ** fits * (1 - np.sum(p**2)))


def _extinction_rank_correlation(runs: Runs) -> float:
    """Spearman correlation of truth probability and extinction generation, pooled over replicas
    (tokens never lost count as lost after the last generation)."""
    run = runs[DISCRETE.name]
    survival = run.tables["survival"].with_columns(
        pl.col("extinct_generation").fill_null(last(run) + 1)
    )
    return float(spearmanr(survival["truth_prob"], survival["extinct_generation"]).statistic)


DISCRETE_ROWS = [
    Reproduction(
        key="discrete-collision",
        paper="Shumailov et al. 2024; Seddik et al. 2024",
        claim="categorical refit: E[Σp²] = 1 − (1 − 1/n)^m (1 − S_0)",
        detail=(
            "A categorical law p refitted by maximum likelihood to n of its own samples: "
            "E[Σp'² | p] = 1/n + (1 − 1/n)Σp², so after m fits E[Σp²] = 1 − (1 − 1/n)^m(1 − "
            "S_0), S_0 = Σ of the truth's squared probabilities, rising to 1 (one token left). "
            "ecosim's value: the replica mean of ``unigram_collision`` of the last generation "
            "(m = G + 1 fits: G = 100, 1,000 replicas; G = 30, 200 replicas at test size). "
            "Tolerance: about 3 standard errors."
        ),
        experiments=(DISCRETE,),
        paper_value=_collision_closed_form,
        paper_text="1 − (1 − 1/n)^m (1 − S_0)",
        ecosim_value=lambda runs: mean_at(
            runs[DISCRETE.name], "unigram_collision", last(runs[DISCRETE.name])
        ),
        tolerance=Tolerance("abs", 0.02, "≈3 s.e."),
        quick_tolerance=Tolerance("abs", 0.03, "≈3 s.e."),
    ),
    Reproduction(
        key="discrete-extinction-order",
        paper="Shumailov et al. 2024; Seddik et al. 2024",
        claim="rarer categories go extinct first",
        detail=(
            "Each token's count is a neutral Wright-Fisher chain absorbed at 0; the expected "
            "time to loss grows with the initial probability, so the tails vanish first. "
            "ecosim's value: the Spearman rank correlation between a token's truth probability "
            "and its extinction generation (first generation absent from the training data; "
            "tokens still present at the end count as lost after it), pooled over replicas "
            "(``survival`` table). Without the mechanism it would be about 0; the row asks "
            "for at least 0.3."
        ),
        experiments=(DISCRETE,),
        paper_value=lambda runs: 0.3,
        paper_text="rank correlation > 0 → at least",
        ecosim_value=_extinction_rank_correlation,
        tolerance=Tolerance("at_least"),
    ),
]


# --- 5. tail of tails

TAIL = Experiment(
    "dohmatob_tail",
    "scenarios/papers/dohmatob_tail.yaml",
    quick=(
        "truth.vocab_size=2000",
        "decoding.top_k=10",
        "scaling.train_sizes=[100,1000,10000,100000]",
        "scaling.generator_samples=100000",
        "scaling.replicas=8",
        "scaling.test_samples=200",
    ),
)


def _memoriser_error(run: Run, real_fraction: float, size: int) -> float:
    """The memoriser's exact expected test error (``ecosystem.lab.scaling.memoriser_error``)."""
    k = run.scenario.decoding.top_k
    return memoriser_error(truth_marginal(run), k, real_fraction, size)


def _curve(run: Run, real_fraction: float) -> pl.DataFrame:
    """Mean unseen mass per training size of one curve, sorted by size."""
    return (
        run.tables["scaling"]
        .filter(pl.col("real_fraction") == real_fraction)
        .group_by("train_size")
        .agg(pl.col("unseen_mass").mean())
        .sort("train_size")
    )


def _error_at_largest(runs: Runs, real_fraction: float) -> float:
    return float(_curve(runs[TAIL.name], real_fraction)["unseen_mass"][-1])


def _closed_form_at_largest(runs: Runs, real_fraction: float) -> float:
    run = runs[TAIL.name]
    return _memoriser_error(run, real_fraction, max(run.scenario.scaling.train_sizes))


def _clean_slope(runs: Runs) -> float:
    """Least-squares slope of log error against log T for T from T_max/1000 to T_max/10 (two
    decades where neither small-T noise nor the finite vocabulary bends the curve much)."""
    curve = _curve(runs[TAIL.name], 1.0)
    largest = curve["train_size"].max()
    tail = curve.filter(pl.col("train_size").is_between(largest / 1000, largest / 10))
    return float(np.polyfit(np.log(tail["train_size"]), np.log(tail["unseen_mass"]), 1)[0])


def _tail_detail(what: str) -> str:
    return (
        "Dohmatob et al. (2024) study a learner that memorises what it saw, on a Zipf(β) law "
        "(β = 2, V = 10,000 one-token documents; V = 2,000 at test size): its test error is "
        "the truth's mass on unseen tokens, ``unseen_mass``. With T i.i.d. training samples "
        "from a law q, E[error] = Σ_i p_i(1 − q_i)^T exactly; training data generated by a "
        "model whose tail is cut at rank k (top-k decoding, k = 30; 10 at test size) gives "
        "E ≍ T^−(1−1/β) + k^−(β−1): the error plateaus at the mass beyond rank k (≈ "
        "k^{1−β}/((β−1)ζ(β)) for large V). The generator is ecosim's learner fitted on 10⁶ "
        f"human samples (10⁵ at test size) and sampled with top-k. {what}"
    )


TAIL_ROWS = [
    Reproduction(
        key="tail-plateau",
        paper="Dohmatob et al. 2024",
        claim="tail cut at rank k: error plateaus near k^−(β−1)",
        detail=_tail_detail(
            "Row: generated data only (π = 0), mean error at the largest T (10⁶; 10⁵ at test "
            "size) against the closed form at that T, which equals the truth's mass beyond "
            "rank k to 4 digits. Tolerance: the generator's own sampling error in its top-k."
        ),
        experiments=(TAIL,),
        paper_value=lambda runs: _closed_form_at_largest(runs, 0.0),
        paper_text="Σ_{i>k} p_i (plateau)",
        ecosim_value=lambda runs: _error_at_largest(runs, 0.0),
        tolerance=Tolerance("rel", 0.03, "generator's top-k"),
    ),
    Reproduction(
        key="tail-clean",
        paper="Dohmatob et al. 2024",
        claim="clean data: error keeps decaying",
        detail=_tail_detail(
            "Row: clean human data only (π = 1), mean error at the largest T against "
            "Σ_i p_i(1 − p_i)^T. Tolerance: about 3 standard errors (10 replicas; 8 at test "
            "size)."
        ),
        experiments=(TAIL,),
        paper_value=lambda runs: _closed_form_at_largest(runs, 1.0),
        paper_text="Σ_i p_i (1 − p_i)^T",
        ecosim_value=lambda runs: _error_at_largest(runs, 1.0),
        tolerance=Tolerance("rel", 0.05, "≈3 s.e."),
        quick_tolerance=Tolerance("rel", 0.12, "≈3 s.e."),
    ),
    Reproduction(
        key="tail-clean-slope",
        paper="Dohmatob et al. 2024",
        claim="clean data: scaling exponent −(1 − 1/β)",
        detail=_tail_detail(
            "Row: the least-squares slope of log error against log T on clean data for T from "
            "10³ to 10⁵ (10² to 10⁴ at test size), against the asymptotic exponent −(1 − 1/β) = "
            "−0.5. Tolerance: the exact law's own slope over that range (−0.505; −0.508 at test "
            "size, where V is smaller) plus noise."
        ),
        experiments=(TAIL,),
        paper_value=lambda runs: -(1 - 1 / runs[TAIL.name].scenario.truth.zipf_exponent),
        paper_text="−(1 − 1/β)",
        ecosim_value=_clean_slope,
        tolerance=Tolerance("abs", 0.05, "finite-T curvature + noise"),
    ),
    Reproduction(
        key="tail-mixing",
        paper="Dohmatob et al. 2024",
        claim="mixing 10% real data restores the decay",
        detail=_tail_detail(
            "Row: 10% clean human data mixed into generated data (π = 0.1): at the largest T "
            "the error has fallen well below the plateau, to the closed form with q = πp + "
            "(1 − π)p_cut. Tolerance: about 3 standard errors."
        ),
        experiments=(TAIL,),
        paper_value=lambda runs: _closed_form_at_largest(runs, 0.1),
        paper_text="Σ_i p_i (1 − q_i)^T, q = πp + (1−π)p_cut",
        ecosim_value=lambda runs: _error_at_largest(runs, 0.1),
        tolerance=Tolerance("rel", 0.05, "≈3 s.e."),
        quick_tolerance=Tolerance("rel", 0.12, "≈3 s.e."),
    ),
]
