"""Wall time of ecosystem runs: the baseline (10k authors) and a 100k-author world.

Each run executes in a fresh Python process (Mesa 3.3 keeps every model alive), timing model
construction (the initial web and generation 0 of every trainer) and the steps separately, and
recording the process's CPU time (robust to other load on a shared machine) and peak memory.
The 100k variant is the baseline with ten times the authors, entrants and farm output (a world
ten times as large; trainers keep their crawl budgets). With ``--levers`` the baseline and the
baseline with every policy lever on run alternately (``--pairs`` pairs, the order flipping every
pair) and the median of the per-pair time ratios is reported with its range, for CPU and wall
time (target: at most 1.3).

A plain reference is measured in the same run: one step of author decisions (publishing counts,
AI use, topics) done the Mesa way, a Python ``step`` per agent activated with ``shuffle_do``,
against the vectorised population the ecosystem uses (same draws in distribution), paired and
alternating (``common.paired``, 5 pairs).

The baseline is also timed end to end through the command line (``ecosim run``: imports,
simulation, Parquet). Targets: baseline through the CLI <= 4 s; 100k authors x 60 steps
<= 15 s; 1M authors x 120 steps (``--million``, not in the default suite) <= 300 s and <= 4 GB.
Wall times are medians of ``--repeat`` runs; the process CPU time and the load average at the
end are recorded beside them, since other work on a shared machine stretches wall time.

Run: ``.venv/bin/python bench/bench_ecosystem.py [--repeat 3] [--skip-large] [--million]``;
``--levers [--pairs 5]`` instead times the baseline and the baseline with every policy lever on,
alternately;
``--moat`` instead times ``scenarios/data_moat.yaml`` at baseline size (target < 30 s).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]  # this checkout's code
from common import (  # noqa: E402
    MIN_PAIRS,
    RESULTS,
    fix_threads,
    interleave,
    load_average,
    paired,
    ratio_summary,
    save,
    timed,
)

BASELINE = ROOT / "scenarios" / "baseline.yaml"
MOAT = ROOT / "scenarios" / "data_moat.yaml"
VARIANTS = {
    "baseline": [],
    "authors_100k": [
        "authors.count=100000",
        "authors.entrants_per_step=500",
        "farms.docs_per_step=5000",
    ],
    "levers_on": [  # the baseline with every policy lever on (docs/ECOSYSTEM.md#policy-levers)
        "policies.detector={quality_elasticity: 1.0}",
        "policies.watermark={compliance: 0.9}",
        "policies.provenance={disclosure: 0.5}",
        "policies.retention={}",
        "policies.levy={}",
        "farms.paraphrase=0.3",
        "opt_out.critical_growth_per_step=0.02333",
    ],
    "authors_1m_120_steps": [
        "authors.count=1000000",
        "authors.entrants_per_step=5000",
        "farms.docs_per_step=50000",
        "steps=120",
    ],
}
SCENARIO_OF = {"data_moat": MOAT}
"""Variants that run another scenario file than the baseline (no overrides)."""
TARGET_MOAT_S = 30.0
TARGETS = {"baseline_cli_s": 4.0, "authors_100k_s": 15.0, "authors_1m_120_steps_s": 300.0}
TARGET_1M_PEAK_MB = 4096


def one_run(variant: str) -> dict[str, float]:
    """Run one variant in this process; returns its timings and sizes."""
    from ecosystem.config import load_scenario
    from ecosystem.world.model import EcosystemModel

    scenario = load_scenario(SCENARIO_OF.get(variant, BASELINE), VARIANTS.get(variant, []))
    cpu0, t0 = _cpu_seconds(), time.perf_counter()
    model = EcosystemModel(scenario)
    built = time.perf_counter()
    for _ in range(scenario.steps):
        model.step()
    done = time.perf_counter()
    return {
        "authors_initial": scenario.authors.count,
        "authors_final": model.authors.size,
        "steps": scenario.steps,
        "build_s": built - t0,
        "steps_s": done - built,
        "total_s": done - t0,
        "per_step_s": (done - built) / scenario.steps,
        "documents": model.store.n_docs,
        "tokens": model.store.n_tokens,
        "text_drawn_docs": model.store.cached_docs,  # documents whose text anybody read
        "sites": model.web.n_sites,
        "cpu_s": _cpu_seconds() - cpu0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def in_subprocess(variant: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", variant],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli_baseline() -> float:
    """Wall seconds of ``ecosim run scenarios/baseline.yaml`` in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "ecosystem.cli", "run", str(BASELINE), "--out"]
        return timed(
            lambda: subprocess.run(
                [*command, str(Path(tmp) / "run"), "-q"], check=True, capture_output=True, cwd=ROOT
            )
        )


def median_run(variant: str, repeat: int) -> dict[str, object]:
    """The run with the median total time of ``repeat`` fresh-process runs, all times listed."""
    runs = sorted((in_subprocess(variant) for _ in range(repeat)), key=lambda r: r["total_s"])
    chosen = dict(runs[(len(runs) - 1) // 2])
    chosen["all_total_s"] = [round(r["total_s"], 3) for r in runs]
    chosen["load_average_after"] = load_average()
    chosen["measured_utc"] = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    return chosen


def earlier_result(variant: str) -> dict[str, object] | None:
    """``variant``'s result in the last saved ecosystem benchmark (kept, with its own date,
    when this run does not repeat it), or None."""
    path = RESULTS / "ecosystem.json"
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("results", {}).get(variant)


def author_step_reference(n_authors: int, seed: int = 0) -> dict[str, float]:
    """One step of author publishing decisions: per-agent Mesa loop vs the vectorised population."""
    import mesa

    from agents.authors import AuthorPopulation
    from ecosystem.config.world import AuthorsParams

    params = AuthorsParams(count=n_authors)
    population = AuthorPopulation(params, topics=8)
    population.add(n_authors, -1, np.random.default_rng(seed))
    population.site[:] = np.arange(n_authors)
    population.adopted[:] = np.random.default_rng(seed + 1).random(n_authors) < 0.5
    population.product[:] = 0
    offers = np.array([0])

    class PlainAuthor(mesa.Agent):
        def __init__(self, model, rate, topics, adopted):
            super().__init__(model)
            self.rate, self.topics, self.adopted, self.out = rate, topics, adopted, []

        def step(self):
            rng = self.model.rng
            n = rng.poisson(self.rate)
            ai = rng.binomial(n, params.ai_share * self.adopted)
            self.out = [(self.topics[rng.integers(len(self.topics))], i < ai) for i in range(n)]

    model = mesa.Model(rng=seed)
    PlainAuthor.create_agents(
        model,
        n_authors,
        rate=population.productivity,
        topics=list(population.topics),
        adopted=population.adopted,
    )
    agents = model.agents_by_type[PlainAuthor]
    timing = paired(
        lambda: agents.shuffle_do("step"),
        lambda: population.requests(offers, np.random.default_rng(seed)),
        pairs=MIN_PAIRS,
    )
    return {
        "authors": n_authors,
        "per_agent_mesa_s": timing["a_median_s"],
        "vectorised_s": timing["b_median_s"],
        "speedup": timing["ratio_median"],
        "speedup_range": [timing["ratio_min"], timing["ratio_max"]],
        "pairs": timing,
    }


def levers_ratio(pairs: int) -> None:
    """Baseline and baseline-with-every-lever alternately; the paired ratios of their times."""
    plain, levers = interleave(
        [lambda: in_subprocess("baseline"), lambda: in_subprocess("levers_on")], rounds=pairs
    )
    for p, lv in zip(plain, levers, strict=True):
        print(
            f"baseline {p['total_s']:5.1f}s (cpu {p['cpu_s']:5.1f}s)  levers on "
            f"{lv['total_s']:5.1f}s (cpu {lv['cpu_s']:5.1f}s)  ratio wall "
            f"{lv['total_s'] / p['total_s']:.2f}  cpu {lv['cpu_s'] / p['cpu_s']:.2f}"
        )
    cpu = ratio_summary([r["cpu_s"] for r in levers], [r["cpu_s"] for r in plain])
    wall = ratio_summary([r["total_s"] for r in levers], [r["total_s"] for r in plain])
    print(
        f"paired ratio, levers on / baseline over {pairs} pairs: cpu {cpu['ratio_median']:.2f} "
        f"({cpu['ratio_min']:.2f}-{cpu['ratio_max']:.2f}), wall {wall['ratio_median']:.2f} "
        f"({wall['ratio_min']:.2f}-{wall['ratio_max']:.2f})"
    )
    path = save(
        "ecosystem_levers",
        {
            "scenario": str(BASELINE.relative_to(ROOT)),
            "variants": {k: VARIANTS[k] for k in ("baseline", "levers_on")},
            "target_ratio": 1.3,
            "pairs": [
                {"baseline": p, "levers_on": lv} for p, lv in zip(plain, levers, strict=True)
            ],
            "median_cpu_ratio": cpu["ratio_median"],
            "cpu_ratio_range": [cpu["ratio_min"], cpu["ratio_max"]],
            "median_wall_ratio": wall["ratio_median"],
            "wall_ratio_range": [wall["ratio_min"], wall["ratio_max"]],
        },
    )
    print(f"wrote {path}")


def moat_run(repeat: int) -> None:
    """``scenarios/data_moat.yaml`` at baseline size (holdings, licences, six trainers): the
    median of ``repeat`` fresh-process runs, saved as ``ecosystem_moat``."""
    r = median_run("data_moat", repeat)
    print(
        f"data_moat: total {r['total_s']:5.1f}s (cpu {r['cpu_s']:5.1f}s)  "
        f"peak {r['peak_rss_mb']:5.0f} MB  load {r['load_average_after']}"
    )
    save(
        "ecosystem_moat",
        {"scenario": str(MOAT.relative_to(ROOT)), "target_s": TARGET_MOAT_S, "result": r},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median kept)")
    parser.add_argument("--skip-large", action="store_true", help="skip the 100k-author run")
    parser.add_argument("--levers", action="store_true", help="paired: baseline vs levers on")
    parser.add_argument("--pairs", type=int, default=MIN_PAIRS, help="pairs of --levers runs")
    parser.add_argument("--million", action="store_true", help="also run 1M authors x 120 steps")
    parser.add_argument(
        "--moat", action="store_true", help="only scenarios/data_moat.yaml (target < 30 s)"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    fix_threads(args.threads)  # children inherit the thread variables
    if args.one:
        print(json.dumps(one_run(args.one)))
        return
    if args.levers:
        levers_ratio(args.pairs)
        return
    if args.moat:
        moat_run(args.repeat)
        return
    results = {"baseline": median_run("baseline", args.repeat)}
    if not args.skip_large:
        results["authors_100k"] = median_run("authors_100k", max(1, args.repeat - 1))
    if args.million:
        results["authors_1m_120_steps"] = median_run("authors_1m_120_steps", 1)
    elif (million := earlier_result("authors_1m_120_steps")) is not None:
        results["authors_1m_120_steps"] = {**million, "carried_over": True}  # dated
    cli_times = [cli_baseline() for _ in range(args.repeat)]
    reference = author_step_reference(100_000)
    for name, r in results.items():
        print(
            f"{name:14s} authors {r['authors_initial']:>7,} -> {r['authors_final']:>7,}  "
            f"build {r['build_s']:5.1f}s  steps {r['steps_s']:5.1f}s  total {r['total_s']:5.1f}s  "
            f"(cpu {r['cpu_s']:5.1f}s)  "
            f"docs {r['documents']:>10,}  peak {r['peak_rss_mb']:7.0f} MB"
        )
    print(
        f"baseline through the CLI: median {statistics.median(cli_times):.2f}s "
        f"(target {TARGETS['baseline_cli_s']} s) of {[round(t, 2) for t in cli_times]}"
    )
    print(
        f"author decisions, 100k authors, one step: per-agent Mesa "
        f"{reference['per_agent_mesa_s']:.3f}s"
        f"  vectorised {reference['vectorised_s']:.4f}s  ({reference['speedup']:.0f}x)"
    )
    path = save(
        "ecosystem",
        {
            "scenario": str(BASELINE.relative_to(ROOT)),
            "variants": VARIANTS,
            "targets": {**TARGETS, "authors_1m_peak_mb": TARGET_1M_PEAK_MB},
            "results": results,
            "baseline_cli_s": {"median": statistics.median(cli_times), "all": cli_times},
            "author_step_reference": reference,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
