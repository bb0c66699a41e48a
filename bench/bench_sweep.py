"""Sweep execution: parallel efficiency of the local pool, and Ray's overhead per member.

Eight members of the same size (the no-policy world of scenarios/policies/, 2,000 authors,
shortened to ``--steps`` months; eight seeds) run three times through ``ecosim sweep``'s own
machinery: the local pool with 1 worker, with 2 workers, and Ray (a local Ray started for the
sweep) with 2 workers. Parallel efficiency = T(1 worker) / (2 x T(2 workers)); Ray's overhead
per member = (T(Ray, 2) - T(local, 2)) / 8, its start and stop included. Every timing includes
starting a fresh process per member (the isolation sweeps need).

Run: ``.venv/bin/python bench/bench_sweep.py [--steps 24] [--members 8] [--skip-ray]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import save  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
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
            wall, totals = timed_sweep(root / name, executor)
            assert totals["complete"] == args.members, totals
            results[f"{name}_s"] = round(wall, 2)
            print(f"{name}: {wall:.1f} s", flush=True)
    t1, t2 = results["local_1_s"], results["local_2_s"]
    results["parallel_efficiency_2_workers"] = round(t1 / (2 * t2), 3)  # type: ignore[operator]
    if "ray_2_s" in results:
        overhead = (results["ray_2_s"] - t2) / args.members  # type: ignore[operator]
        results["ray_overhead_per_member_s"] = round(overhead, 3)
    print(results)
    print(f"wrote {save('sweep', results)}")


if __name__ == "__main__":
    main()
