"""Gerstgrasser et al.'s accumulate loop on statistics vs a plain per-seed lstsq refit.

Setting: d = 7 features, T = 89 rows of one fixed Gaussian design per seed, 100 iterations,
1,000 seeds, accumulate. The statistics path runs, per iteration, ``sample_stats`` (Xᵀy of T
model-labelled rows from d normals), ``LinearStats.__add__`` and ``fit_stats`` (one batched
solve), both drawing the normals per iteration and with ``presample_noise``. The plain reference
draws T noisy labels per seed and iteration and refits on all rows so far with
``np.linalg.lstsq``, for fewer seeds. Target: <= 5 µs per seed-iteration. The speed-up is the
median, over paired alternating runs (``common.paired``), of the per-seed-iteration time ratio,
with its range; BLAS threads are fixed (``--threads``, 1 by default: ``lstsq`` varies tenfold
with the thread count on a loaded machine).

Run: ``.venv/bin/python bench/bench_linear_accumulate.py [--seeds 1000 --iterations 100]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fix_threads, paired, save  # noqa: E402

from ecosystem.config.learners import DecodingParams, LinearParams  # noqa: E402
from ecosystem.config.truth import LabeledTruthParams  # noqa: E402
from ecosystem.core.rng import ReplicaRNG, Stream  # noqa: E402
from ecosystem.learners.linear import LinearLearner, presample_noise  # noqa: E402
from ecosystem.truth import LabeledTruth  # noqa: E402

PLAIN = DecodingParams()


def statistics_path(truth, seeds: int, rows: int, iterations: int, presample: bool):
    """Accumulate on statistics; returns the final test risk per seed."""
    learner = LinearLearner(LinearParams(), truth.noise_std)
    human = truth.sample(rows, ReplicaRNG.for_replicas(0, Stream.INITIAL, range(seeds)))
    learner.set_design(human.X)
    rng = ReplicaRNG.for_replicas(0, Stream.LOOP, range(seeds))
    noise = presample_noise(rng, iterations, truth.dim) if presample else None
    sizes = np.full(seeds, rows)
    pool = learner.stats(human)
    fitted = learner.fit_stats(pool)
    for g in range(iterations):
        z = None if noise is None else noise[g]
        pool = pool + fitted.sample_stats(sizes, rng, PLAIN, z=z)
        fitted = learner.fit_stats(pool)
    return fitted.evaluate(None, truth)["test_risk"]


def plain_path(truth, seeds: int, rows: int, iterations: int) -> np.ndarray:
    """Per seed: draw full T-row label noise each iteration and lstsq-refit on all rows so far."""
    risks = np.empty(seeds)
    for seed in range(seeds):
        gen = np.random.default_rng(seed)
        X = gen.standard_normal((rows, truth.dim))
        ys = [X @ truth.w_star + truth.noise_std * gen.standard_normal(rows)]
        w_hat = np.linalg.lstsq(X, ys[0], rcond=None)[0]
        for g in range(1, iterations + 1):
            ys.append(X @ w_hat + truth.noise_std * gen.standard_normal(rows))
            stacked = np.tile(X, (g + 1, 1))
            w_hat = np.linalg.lstsq(stacked, np.concatenate(ys), rcond=None)[0]
        risks[seed] = np.sum((w_hat - truth.w_star) ** 2)
    return risks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--plain-seeds", type=int, default=50)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--dim", type=int, default=7)
    parser.add_argument("--rows", type=int, default=89)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    fix_threads(args.threads)
    truth = LabeledTruth(LabeledTruthParams(dim=args.dim, noise_std=1.0), seed=0)
    d, T, G = args.dim, args.rows, args.iterations
    one_generation = d / (T - d - 1)
    theory = one_generation * sum(1 / i**2 for i in range(1, G + 2))

    def us(seeds: int, seconds: float) -> float:
        return seconds / (seeds * G) * 1e6

    results = {}
    plain_risk = plain_path(truth, args.plain_seeds, T, G)
    for name, presample in (("statistics", False), ("statistics_presampled", True)):
        risk = statistics_path(truth, args.seeds, T, G, presample)
        timing = paired(
            lambda: plain_path(truth, args.plain_seeds, T, G),
            lambda p=presample: statistics_path(truth, args.seeds, T, G, p),
            pairs=args.pairs,
            warmup=0,
        )
        per_seed = args.seeds / args.plain_seeds  # time ratio -> per seed-iteration ratio
        results[name] = {
            "seeds": args.seeds,
            "median_us_per_seed_iteration": us(args.seeds, timing["b_median_s"]),
            "plain_median_us_per_seed_iteration": us(args.plain_seeds, timing["a_median_s"]),
            "speedup_vs_plain": timing["ratio_median"] * per_seed,
            "speedup_range": [timing["ratio_min"] * per_seed, timing["ratio_max"] * per_seed],
            "mean_final_test_risk": float(risk.mean()),
            "pairs": timing,
        }
    print(f"accumulate, d={d} T={T} iterations={G}; times include setup and generation 0")
    print(f"{'path':24s} {'median µs':>9s} {'plain µs':>9s} {'× faster (range)':>22s} {'risk':>7s}")
    for name, r in results.items():
        lo, hi = r["speedup_range"]
        print(
            f"{name:24s} {r['median_us_per_seed_iteration']:9.3f} "
            f"{r['plain_median_us_per_seed_iteration']:9.1f} "
            f"{r['speedup_vs_plain']:8.1f} ({lo:5.1f}-{hi:5.1f}) {r['mean_final_test_risk']:7.4f}"
        )
    print(f"plain lstsq ({args.plain_seeds} seeds): mean final risk {plain_risk.mean():.4f}")
    print(f"theory: E risk = σ²d/(T-d-1) Σ_(i≤G+1) 1/i² = {theory:.4f}")
    path = save(
        "bench_linear_accumulate",
        {
            "settings": {"dim": d, "rows": T, "iterations": G, "seeds": args.seeds},
            "target_us_per_seed_iteration": 5.0,
            "theory_mean_final_test_risk": theory,
            "results": results,
            "plain_seeds": args.plain_seeds,
            "plain_mean_final_test_risk": float(plain_risk.mean()),
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
