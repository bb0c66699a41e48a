"""Sweep execution: parallel efficiency of the local pool, and Ray's overhead per member.

Eight members of the same size (the no-policy world of scenarios/policies/, 2,000 authors,
shortened to ``--steps`` months; eight seeds) run three times through ``ecosim sweep``'s own
machinery: the local pool with 1 worker, with 2 workers, and Ray (a local Ray started for the
sweep) with 2 workers. Parallel efficiency = T(1 worker) / (2 x T(2 workers)); Ray's overhead
per member = (T(Ray, 2) - T(local, 2)) / 8, its start and stop included. Every timing includes
starting a fresh process per member (the isolation sweeps need). On a shared machine the
workers' CPU seconds per wall second (``local_N_cores_used``) says how many cores the pool
actually got: efficiency below 1 with fewer than 2 cores used is the machine's load.

Run: ``.venv/bin/python bench/bench_sweep.py [--steps 24] [--members 8] [--skip-ray]``
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]  # this tree's ecosystem
from common import save  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    from ecosystem.sweeps.executors import LocalExecutor, RayExecutor

    results: dict[str, object] = {"members": args.members, "steps": args.steps}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "sweep.yaml").write_text(
            SPEC.format(base=BASE, steps=args.steps, members=args.members)
        )
        runs = {"local_1": LocalExecutor(1), "local_2": LocalExecutor(2)}
        if not args.skip_ray:
            runs["ray_2"] = RayExecutor(2)
        for name, executor in runs.items():
            cpu0 = children_cpu()
            wall, totals = timed_sweep(root / name, executor)
            cpu = children_cpu() - cpu0
            assert totals["complete"] == args.members, totals
            results[f"{name}_s"] = round(wall, 2)
            if name.startswith("local"):
                # CPU the workers got per wall second: 2.0 on two idle cores
                results[f"{name}_cores_used"] = round(cpu / wall, 2)
                results[f"{name}_workers_cpu_s"] = round(cpu, 2)
            print(f"{name}: {wall:.1f} s wall, workers' CPU {cpu:.1f} s", flush=True)
    t1, t2 = results["local_1_s"], results["local_2_s"]
    results["parallel_efficiency_2_workers"] = round(t1 / (2 * t2), 3)  # type: ignore[operator]
    # What the efficiency would be on two free cores if only CPU time counted: the work one
    # worker did over the work two workers did (process start-up and contention included).
    cpu1, cpu2 = results["local_1_workers_cpu_s"], results["local_2_workers_cpu_s"]
    results["cpu_work_ratio_1_vs_2_workers"] = round(cpu1 / cpu2, 3)  # type: ignore[operator]
    if "ray_2_s" in results:
        overhead = (results["ray_2_s"] - t2) / args.members  # type: ignore[operator]
        results["ray_overhead_per_member_s"] = round(overhead, 3)
    print(results)
    print(f"wrote {save('sweep', results)}")


if __name__ == "__main__":
    main()
