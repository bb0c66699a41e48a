"""Shared helpers of the benchmark scripts: thread control, paired timing, machine facts.

Every ratio a benchmark reports comes from :func:`paired` (or :func:`interleave` for whole runs
that time themselves): A and B run alternately (A B, B A, A B, ...) so slow phases of a shared
machine hit both sides alike, and the ratio is taken per pair; the median ratio over at least
``MIN_PAIRS`` pairs is the figure and its range (:func:`ratio_summary`) says how far to trust it.
Thread counts of BLAS/OpenMP (threadpoolctl) and torch are fixed by :func:`fix_threads` before
anything is timed; :func:`save` refuses to write a result without it, and adds what
:func:`machine` records: the machine, the date, the load average at the benchmark's start and
end, its own run time, the thread counts and the command that produced the figures.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

RESULTS_ENV = "ECOSIM_BENCH_RESULTS"
"""Where results go instead of bench/results (``run_all.py --quick`` sets it: smoke runs)."""
RESULTS = Path(os.environ.get(RESULTS_ENV) or Path(__file__).resolve().parent / "results")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the scripts run as files from anywhere
    sys.path.insert(0, str(ROOT))

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
MIN_PAIRS = 5
"""The fewest pairs a reported ratio may come from (smaller counts are smoke runs)."""
_threads: dict[str, object] = {}


def fix_threads(n: int) -> dict[str, object]:
    """Fix BLAS/OpenMP and torch to ``n`` threads; returns (and remembers) what was set.

    The environment variables cover libraries loaded later (and child processes);
    threadpoolctl limits the ones already loaded; torch is set only when it is imported.
    """
    from threadpoolctl import threadpool_info, threadpool_limits

    for name in THREAD_ENV:
        os.environ[name] = str(n)
    threadpool_limits(n)
    record: dict[str, object] = {"requested": n}
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(n)
        record["torch"] = torch.get_num_threads()
    record["pools"] = sorted({f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info()})
    _threads.clear()
    _threads.update(record)
    return record


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of ``fn()``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleave(
    calls: Sequence[Callable[[], object]], rounds: int = MIN_PAIRS, warmup: int = 0
) -> list[list[object]]:
    """Call each of ``calls`` once per round, the order rotating every round; their results.

    With two calls the rounds are pairs in alternating order (A B, B A, A B, ...); with three,
    A B C, B C A, C A B, ...: each call takes each place in turn, so a machine whose load
    drifts treats them alike. ``warmup`` untimed rounds (in the first order) come first.

    Returns:
        One list per call of its results, in round order.
    """
    if rounds < 1:
        raise ValueError("rounds must be >= 1")
    for _ in range(warmup):
        for call in calls:
            call()
    results: list[list[object]] = [[None] * rounds for _ in calls]
    for i in range(rounds):
        for j in range(len(calls)):
            k = (i + j) % len(calls)
            results[k][i] = calls[k]()
    return results


def ratio_summary(numerators: Sequence[float], denominators: Sequence[float]) -> dict[str, object]:
    """Per-pair ratios of two equally long series: the ratios, their median, min and max."""
    ratios = [x / y for x, y in zip(numerators, denominators, strict=True)]
    return {
        "pairs": len(ratios),
        "ratios": [round(r, 4) for r in ratios],
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }


def paired(
    a: Callable[[], object],
    b: Callable[[], object],
    pairs: int = MIN_PAIRS,
    warmup: int = 1,
) -> dict[str, object]:
    """Time A and B alternately over ``pairs`` pairs; ratio = time of A / time of B per pair.

    The order flips every pair (A B, B A, ...) so neither side always runs first. ``warmup``
    untimed calls of each come first (imports, allocators, caches).

    Returns:
        ``a_s`` and ``b_s`` (seconds per call, in order), ``ratios`` (A/B per pair),
        ``ratio_median``, ``ratio_min``, ``ratio_max``, ``a_median_s``, ``b_median_s``.
    """
    if pairs < 1:
        raise ValueError("pairs must be >= 1")
    for _ in range(warmup):
        a()
        b()
    a_s, b_s = interleave([lambda: timed(a), lambda: timed(b)], rounds=pairs)
    return {
        "a_s": [round(t, 6) for t in a_s],
        "b_s": [round(t, 6) for t in b_s],
        "a_median_s": statistics.median(a_s),
        "b_median_s": statistics.median(b_s),
        **ratio_summary(a_s, b_s),
    }


def cpu_model() -> str:
    """The CPU's model name (Linux), else the platform's processor string."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages (empty where the OS has none)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


_START = {"perf": time.perf_counter(), "load_average": load_average()}
"""When this benchmark process started (the harness is imported first) and the load then."""


def machine() -> dict[str, object]:
    """What the numbers were measured on, when, under what load (at the benchmark's start and
    now), how long the benchmark ran, with which thread counts, by which command."""
    import numpy as np

    facts: dict[str, object] = {
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "load_average_start": _START["load_average"],
        "load_average": load_average(),
        "duration_s": round(time.perf_counter() - _START["perf"], 1),
        "threads": dict(_threads) or {"requested": None},
        "command": " ".join([f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]]),
    }
    if "torch" in sys.modules:
        facts["torch"] = sys.modules["torch"].__version__
    return facts


def save(name: str, payload: dict[str, object]) -> Path:
    """Write ``bench/results/<name>.json`` with the machine facts (taken now) added.

    Raises:
        RuntimeError: when :func:`fix_threads` was not called first (the thread counts would
            be neither fixed nor recorded).
    """
    if not _threads:
        raise RuntimeError(f"{name}: call fix_threads() before timing anything")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**payload, "machine": machine()}, indent=2) + "\n")
    return path


def describe(result: dict[str, object], a: str, b: str) -> str:
    """One line: the median ratio A/B and its range over the pairs."""
    return (
        f"{a}/{b} time ratio: median {result['ratio_median']:.3f} "
        f"(range {result['ratio_min']:.3f}-{result['ratio_max']:.3f} over {result['pairs']} pairs)"
    )
