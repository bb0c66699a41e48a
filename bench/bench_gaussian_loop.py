"""Shumailov's single-Gaussian loop on statistics vs a plain numpy loop that draws every sample.

Setting: d = 1, M = 100 samples per generation, 2,000 generations, 1,000 replicas (2e6
replica-generations). The statistics path (``gaussian_stat_loop``) draws each generation's sample
mean and scatter from their exact law (normal, chi-square), one call per replica for all
generations, and computes every metric. The plain reference is the obvious vectorised loop: per
generation one (R, M) normal draw from a single generator, then the sample mean and variance.
Target: the statistics path <= 0.15 µs per replica-generation. The speed-up over the plain loop
is the median ratio over paired, alternating runs of the two (``common.paired``), with its range;
each strategy's own time is the median of ``--pairs`` runs. BLAS threads fixed (``--threads``).

It also times ``ecosim run scenarios/loop_gaussian.yaml`` end to end (``--cli-runs`` fresh
processes; wall and CPU time), the figure the README quotes.

Run: ``.venv/bin/python bench/bench_gaussian_loop.py [--generations 2000 --replicas 1000]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, describe, fix_threads, paired, save  # noqa: E402

from ecosystem.config.truth import VectorsTruthParams  # noqa: E402
from ecosystem.core.rng import ReplicaRNG, Stream  # noqa: E402
from ecosystem.learners.gaussian_loop import gaussian_stat_loop  # noqa: E402
from ecosystem.truth import VectorsTruth  # noqa: E402


def plain_loop(replicas: int, generations: int, m: int, seed: int = 0) -> np.ndarray:
    """Draw every sample: per generation (R, M) normals, then mean and unbiased variance."""
    gen = np.random.default_rng(seed)
    mean, std = np.zeros(replicas), np.ones(replicas)
    for _ in range(generations):
        x = mean[:, None] + std[:, None] * gen.standard_normal((replicas, m))
        mean, std = x.mean(axis=1), x.std(axis=1, ddof=1)
    return std


def timed(fn, repeat: int) -> tuple[list[float], object]:
    """Wall-clock seconds of each of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def cli_run(scenario: str) -> tuple[float, float]:
    """Wall and CPU seconds of ``ecosim run SCENARIO`` in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "ecosystem.cli", "run", scenario, "--out", f"{tmp}/run", "-q"],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--generations", type=int, default=2000)
    parser.add_argument("--replicas", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cli-runs", type=int, default=3)
    args = parser.parse_args()
    fix_threads(args.threads)
    R, G, M = args.replicas, args.generations, args.samples
    cells = R * G
    truth = VectorsTruth(VectorsTruthParams(dim=1))
    mean0, cov0, n0 = np.zeros((R, 1)), np.ones((R, 1, 1)), np.full(R, M)

    start = time.perf_counter()
    ReplicaRNG.for_replicas(0, Stream.LOOP, range(R))
    setup_s = time.perf_counter() - start

    rows, finals = {}, {}
    for strategy in ("replace", "accumulate", "fresh_fraction"):

        def run(strategy=strategy):
            rng = ReplicaRNG.for_replicas(0, Stream.LOOP, range(R))
            return gaussian_stat_loop(
                mean0, cov0, n0, np.full(G, M), strategy, "unbiased", rng, truth, 0.1
            )

        times, out = timed(run, args.pairs)
        rows[f"statistics_{strategy}"] = times
        finals[strategy] = float(np.median(out["sigma_ratio"][-1]))

    def replace_path():
        rng = ReplicaRNG.for_replicas(0, Stream.LOOP, range(R))
        return gaussian_stat_loop(mean0, cov0, n0, np.full(G, M), "replace", "unbiased", rng, truth)

    speedup = paired(lambda: plain_loop(R, G, M), replace_path, pairs=args.pairs, warmup=0)
    rows["plain_numpy_replace"] = speedup["a_s"]
    finals["plain_numpy_replace"] = float(np.median(plain_loop(R, G, M)))

    def us(seconds: float) -> float:
        return seconds / cells * 1e6

    reference = statistics.median(speedup["a_s"])
    print(f"d=1 M={M} G={G} R={R}  ({cells:,} replica-generations); times include generator setup")
    print(f"{'path':28s} {'first µs':>9s} {'median µs':>10s} {'× faster':>9s} {'median σ_G':>11s}")
    results = {}
    for name, times in rows.items():
        median = statistics.median(times)
        key = name.removeprefix("statistics_")
        results[name] = {
            "first_s": times[0],
            "median_s": median,
            "first_us_per_replica_generation": us(times[0]),
            "median_us_per_replica_generation": us(median),
            "speedup_vs_plain_of_medians": reference / median,
            "median_final_sigma_ratio": finals[key],
        }
        print(
            f"{name:28s} {us(times[0]):9.3f} {us(median):10.3f} {reference / median:9.1f} "
            f"{finals[key]:11.4g}"
        )
    print(describe(speedup, "plain", "statistics_replace") + " = speed-up")
    print(f"theory for replace, exp(-G/(2(M-1))) = {np.exp(-G / (2 * (M - 1))):.4g}")
    cli = [cli_run("scenarios/loop_gaussian.yaml") for _ in range(args.cli_runs)]
    cli_wall = statistics.median(t for t, _ in cli) if cli else None
    cli_cpu = statistics.median(c for _, c in cli) if cli else None
    if cli:
        print(f"ecosim run scenarios/loop_gaussian.yaml: {cli_wall:.2f}s wall, {cli_cpu:.2f}s CPU")
    path = save(
        "bench_gaussian_loop",
        {
            "settings": {"dim": 1, "samples": M, "generations": G, "replicas": R},
            "generator_setup_s": setup_s,
            "target_us_per_replica_generation": 0.15,
            "results": results,
            "cli_loop_gaussian": {"median_wall_s": cli_wall, "median_cpu_s": cli_cpu, "runs": cli},
            "speedup_replace_vs_plain": {
                "median": speedup["ratio_median"],
                "range": [speedup["ratio_min"], speedup["ratio_max"]],
                "pairs": speedup,
            },
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
