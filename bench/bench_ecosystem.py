"""Wall time of ecosystem runs: the baseline (10k authors), a 100k-author world and the data
moat (scenarios/data_moat.yaml: the baseline's size with holdings and licences).

Each run executes in a fresh Python process (Mesa 3.3 keeps every model alive), timing model
construction (the initial web and generation 0 of every trainer) and the steps separately, and
recording the process's CPU time (robust to other load on a shared machine) and peak memory.
The 100k variant is the baseline with ten times the authors, entrants and farm output (a world
ten times as large; trainers keep their crawl budgets). With ``--levers`` the baseline and the
baseline with every policy lever on run alternately (paired, ``--repeat`` pairs) and their time
ratio is reported (target: at most 1.3).

A plain reference is measured in the same run: one step of author decisions (publishing counts,
AI use, topics) done the Mesa way, a Python ``step`` per agent activated with ``shuffle_do``,
against the vectorised population the ecosystem uses (same draws in distribution).

The machine's load average is recorded beside the results (CPU time is robust to load; wall
time is not). ``--only NAME`` reruns some variants and keeps the others' recorded results.

Run: ``.venv/bin/python bench/bench_ecosystem.py [--repeat 2] [--skip-large] [--levers]
[--only data_moat]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]  # this checkout's code
from common import RESULTS, save  # noqa: E402

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
    "data_moat": [],
}
RECORDED = ("baseline", "authors_100k", "data_moat")
"""The variants recorded in bench/results/ecosystem.json (levers_on runs with --levers)."""
SCENARIO_OF = {"data_moat": MOAT}
RESULTS_FILE = RESULTS / "ecosystem.json"
"""Variants that run another scenario than the baseline."""
TARGETS_S = {"baseline": 120, "data_moat": 30}


def one_run(variant: str) -> dict[str, float]:
    """Run one variant in this process; returns its timings and sizes."""
    from ecosystem.config import load_scenario
    from ecosystem.world.model import EcosystemModel

    scenario = load_scenario(SCENARIO_OF.get(variant, BASELINE), VARIANTS[variant])
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
    t0 = time.perf_counter()
    agents.shuffle_do("step")
    plain = time.perf_counter() - t0
    vectorised = min(
        _timed(lambda: population.requests(offers, np.random.default_rng(seed))) for _ in range(3)
    )
    return {
        "authors": n_authors,
        "per_agent_mesa_s": plain,
        "vectorised_s": vectorised,
        "speedup": plain / vectorised,
    }


def levers_ratio(pairs: int) -> None:
    """Baseline and baseline-with-every-lever alternately; the paired ratios of their times."""
    runs = []
    for _ in range(pairs):
        plain, levers = in_subprocess("baseline"), in_subprocess("levers_on")
        runs.append({"baseline": plain, "levers_on": levers})
        wall, cpu = (levers[k] / plain[k] for k in ("total_s", "cpu_s"))
        print(
            f"baseline {plain['total_s']:5.1f}s (cpu {plain['cpu_s']:5.1f}s)  levers on "
            f"{levers['total_s']:5.1f}s (cpu {levers['cpu_s']:5.1f}s)  ratio wall {wall:.2f}"
            f"  cpu {cpu:.2f}"
        )
    cpu = [r["levers_on"]["cpu_s"] / r["baseline"]["cpu_s"] for r in runs]
    wall = [r["levers_on"]["total_s"] / r["baseline"]["total_s"] for r in runs]
    print(
        f"paired ratio, levers on / baseline: cpu {np.median(cpu):.2f}, wall {np.median(wall):.2f}"
    )
    path = save(
        "ecosystem_levers",
        {
            "scenario": str(BASELINE.relative_to(ROOT)),
            "variants": {k: VARIANTS[k] for k in ("baseline", "levers_on")},
            "target_ratio": 1.3,
            "pairs": runs,
            "median_cpu_ratio": float(np.median(cpu)),
            "median_wall_ratio": float(np.median(wall)),
        },
    )
    print(f"wrote {path}")


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2, help="runs of the baseline (best kept)")
    parser.add_argument("--skip-large", action="store_true", help="skip the 100k-author run")
    parser.add_argument("--levers", action="store_true", help="paired: baseline vs levers on")
    parser.add_argument(
        "--only", action="append", choices=list(RECORDED), help="rerun only these variants"
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one)))
        return
    if args.levers:
        levers_ratio(args.repeat)
        return
    recorded = RESULTS_FILE.exists() and json.loads(RESULTS_FILE.read_text())
    results = dict(recorded["results"]) if recorded and args.only else {}
    wanted = args.only or [v for v in RECORDED if not (args.skip_large and v == "authors_100k")]
    for variant in wanted:
        repeat = 1 if variant == "authors_100k" else args.repeat
        runs = [in_subprocess(variant) for _ in range(repeat)]
        results[variant] = min(runs, key=lambda r: r["total_s"])
        results[variant]["all_total_s"] = [r["total_s"] for r in runs]
        results[variant]["load_average_1min"] = os.getloadavg()[0]
    if args.only and recorded:
        reference = recorded["author_step_reference"]
    else:
        reference = author_step_reference(100_000)
    for name, r in results.items():
        print(
            f"{name:14s} authors {r['authors_initial']:>7,} -> {r['authors_final']:>7,}  "
            f"build {r['build_s']:5.1f}s  steps {r['steps_s']:5.1f}s  total {r['total_s']:5.1f}s  "
            f"(cpu {r['cpu_s']:5.1f}s)  "
            f"docs {r['documents']:>10,}  peak {r['peak_rss_mb']:7.0f} MB"
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
            "scenarios": {v: str(p.relative_to(ROOT)) for v, p in SCENARIO_OF.items()},
            "variants": VARIANTS,
            "target_baseline_s": TARGETS_S["baseline"],
            "targets_s": TARGETS_S,
            "results": results,
            "author_step_reference": reference,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
