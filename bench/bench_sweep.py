"""Sweep execution: parallel efficiency of the local pool, and Ray's overhead per member.

``--members`` members of the same size (the no-policy world of scenarios/policies/, 2,000
authors, shortened to ``--steps`` months; one seed each) run through ``ecosim sweep``'s own
machinery with the local pool and 1 worker, with 2 workers, and with Ray (a local Ray started
for the sweep) and 2 workers, in ``--rounds`` rounds whose order rotates (1, 2, Ray; 2, Ray, 1;
Ray, 1, 2; ...: ``common.interleave``) so a machine whose load drifts treats them alike.
Per round, parallel efficiency = T(1 worker) / (2 x T(2 workers)) and Ray's overhead per member
= (T(Ray, 2) - T(local, 2)) / members, its start and stop included; the figures are the medians
over the rounds with their ranges. Every timing includes starting a fresh process per member
(the isolation sweeps need). On a shared machine the workers' CPU seconds per wall second
(``local_N_cores_used``) says how many cores the pool actually got: efficiency below 1 with
fewer than 2 cores used is the machine's load. BLAS/OpenMP threads are fixed (``--threads``,
inherited by the members).

Run: ``.venv/bin/python bench/bench_sweep.py [--steps 12] [--members 4] [--rounds 5] [--skip-ray]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]  # this tree's ecosystem
from common import MIN_PAIRS, fix_threads, interleave, ratio_summary, save  # noqa: E402

BASE = ROOT / "scenarios" / "policies" / "no_policy.yaml"

SPEC = """\
base: {base}
levers:
  steps: {{values: [{steps}]}}
replications: {members}
seed: 7
outcomes:
  excess: {{table: generations, column: excess_cross_entropy, filter: {{trainer: open_web}}}}
"""


def timed_sweep(folder: Path, executor) -> tuple[float, dict[str, int]]:
    """Wall seconds of one sweep into ``folder`` and its member counts."""
    from ecosystem.sweeps.run import plan_sweep, run_sweep
    from ecosystem.sweeps.spec import load_sweep

    sweep = plan_sweep(load_sweep(folder.parent / "sweep.yaml"), folder)
    t0 = time.perf_counter()
    totals = run_sweep(sweep, executor)
    return time.perf_counter() - t0, totals


def children_cpu() -> float:
    """CPU seconds of this process's finished child processes (the local pool's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(root: Path, name: str, executor, members: int) -> dict[str, float]:
    """One sweep into a fresh folder under ``root``: its wall and its workers' CPU seconds."""
    runs = len(list(root.glob(f"{name}_*")))
    cpu0 = children_cpu()
    wall, totals = timed_sweep(root / f"{name}_{runs}", executor)
    cpu = children_cpu() - cpu0
    assert totals["complete"] == members, totals
    print(f"{name}: {wall:.1f} s wall, workers' CPU {cpu:.1f} s", flush=True)
    return {"wall_s": wall, "workers_cpu_s": cpu, "cores_used": cpu / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=MIN_PAIRS)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    fix_threads(args.threads)  # the members' processes inherit the thread variables
    from ecosystem.sweeps.executors import LocalExecutor, RayExecutor

    names = ["local_1", "local_2"] + ([] if args.skip_ray else ["ray_2"])
    executors = {"local_1": LocalExecutor(1), "local_2": LocalExecutor(2)}
    if not args.skip_ray:
        executors["ray_2"] = RayExecutor(2)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "sweep.yaml").write_text(
            SPEC.format(base=BASE, steps=args.steps, members=args.members)
        )
        runs = interleave(
            [lambda n=n: timed_run(root, n, executors[n], args.members) for n in names],
            rounds=args.rounds,
        )
    by_name = dict(zip(names, runs, strict=True))
    results: dict[str, object] = {"members": args.members, "steps": args.steps}
    for name, rounds in by_name.items():
        results[f"{name}_s"] = round(statistics.median(r["wall_s"] for r in rounds), 2)
        results[f"{name}_all_s"] = [round(r["wall_s"], 2) for r in rounds]
        if name.startswith("local"):  # CPU the workers got per wall second: 2.0 on two idle cores
            results[f"{name}_cores_used"] = round(
                statistics.median(r["cores_used"] for r in rounds), 2
            )
            results[f"{name}_workers_cpu_s"] = round(
                statistics.median(r["workers_cpu_s"] for r in rounds), 2
            )
    one, two = by_name["local_1"], by_name["local_2"]
    efficiency = ratio_summary([r["wall_s"] for r in one], [2 * r["wall_s"] for r in two])
    results["parallel_efficiency_2_workers"] = round(efficiency["ratio_median"], 3)
    results["parallel_efficiency_range"] = [
        round(efficiency["ratio_min"], 3),
        round(efficiency["ratio_max"], 3),
    ]
    results["parallel_efficiency"] = efficiency
    # What the efficiency would be on two free cores if only CPU time counted: the work one
    # worker did over the work two workers did (process start-up and contention included).
    work = ratio_summary([r["workers_cpu_s"] for r in one], [r["workers_cpu_s"] for r in two])
    results["cpu_work_ratio_1_vs_2_workers"] = round(work["ratio_median"], 3)
    if "ray_2" in by_name:
        overhead = [
            (ray["wall_s"] - local["wall_s"]) / args.members
            for ray, local in zip(by_name["ray_2"], two, strict=True)
        ]
        results["ray_overhead_per_member_s"] = round(statistics.median(overhead), 3)
        results["ray_overhead_range_s"] = [round(min(overhead), 3), round(max(overhead), 3)]
    print(results)
    print(f"wrote {save('sweep', results)}")


if __name__ == "__main__":
    main()
