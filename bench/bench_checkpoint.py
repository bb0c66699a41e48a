"""Checkpoint cost: an ``ecosim run`` with and without checkpoints, paired and alternating.

Each run is a fresh ``ecosim run`` process (Mesa 3.3 keeps every model alive). Pairs are run
alternately (with, without; without, with; ...: ``common.interleave``), so a machine whose load
changes affects both sides of a pair alike. Two measures are recorded, each as the median over
the pairs with its range: the time spent writing checkpoints as a share of the checkpointed
run's own wall time (measured inside the run, the cleaner figure) and the wall-time ratio of the
paired runs (noisier on a shared machine). BLAS/OpenMP threads are fixed (``--threads``) for
the runs, which inherit the setting.

    .venv/bin/python bench/bench_checkpoint.py [--pairs 5] [--every 10]
    .venv/bin/python bench/bench_checkpoint.py --scenario scenarios/transformer_tiny.yaml \
        --every 1 --name checkpoint_transformer --set loop.generations=2 \
        --set loop.samples_per_generation=300 --set loop.test_samples=200 \
        --set learner.epochs=1 --set metrics.sample_size=50

The transformer variant (``run_all.py`` runs it so) is shrunk (300 blocks a generation instead
of 3,000, one epoch) so that five pairs fit in the suite; a shorter run makes the checkpoints'
share larger, never smaller.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import MIN_PAIRS, fix_threads, interleave, ratio_summary, save  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run(scenario: Path, every: int, folder: Path, overrides: list[str]) -> dict:
    """One ``ecosim run`` into ``folder`` (removed first: no earlier run.json can be read)."""
    shutil.rmtree(folder, ignore_errors=True)
    sets = [arg for o in overrides for arg in ("--set", o)]
    cmd = [sys.executable, "-m", "ecosystem.cli", "run", str(scenario), "--out", str(folder)]
    cmd += [*sets, "--checkpoint-every", str(every), "--quiet", "--overwrite"]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    meta = json.loads((folder / "run.json").read_text())
    return {"wall": meta["wall_seconds"], **meta["checkpoints"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=MIN_PAIRS)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--scenario", default="scenarios/baseline.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--name", default="checkpoint", help="results file: bench/results/NAME.json"
    )
    args = parser.parse_args()
    fix_threads(args.threads)  # the runs inherit the thread variables
    scenario = ROOT / args.scenario
    with tempfile.TemporaryDirectory() as tmp:
        with_cp, without = interleave(
            [
                lambda: run(scenario, args.every, Path(tmp) / "with", args.overrides),
                lambda: run(scenario, 0, Path(tmp) / "without", args.overrides),
            ],
            rounds=args.pairs,
        )
    pairs = [
        {
            "wall_with": w["wall"],
            "wall_without": wo["wall"],
            "checkpoints": w["saved"],
            "checkpoint_seconds": w["seconds"],
            "checkpoint_bytes": w["last_bytes"],
            "share_of_run": w["seconds"] / w["wall"],
            "wall_ratio": w["wall"] / wo["wall"],
        }
        for w, wo in zip(with_cp, without, strict=True)
    ]
    for pair in pairs:
        print(json.dumps(pair))
    share = ratio_summary([w["seconds"] for w in with_cp], [w["wall"] for w in with_cp])
    ratio = ratio_summary([w["wall"] for w in with_cp], [wo["wall"] for wo in without])
    payload = {
        "benchmark": "checkpoint cost, paired runs alternately",
        "scenario": args.scenario,
        "overrides": args.overrides,
        "checkpoint_every": args.every,
        "target": "checkpoint time < 10% of the run's time",
        "median_share_of_run": round(share["ratio_median"], 4),
        "share_of_run_range": [round(share["ratio_min"], 4), round(share["ratio_max"], 4)],
        "median_wall_ratio": round(ratio["ratio_median"], 4),
        "wall_ratio_range": [round(ratio["ratio_min"], 4), round(ratio["ratio_max"], 4)],
        "pairs": pairs,
        "caveat": "the share (checkpoint seconds / the same run's wall) is the steadier figure: "
        "the paired wall ratio moves with the load of a shared machine.",
    }
    path = save(args.name, payload)
    print(
        f"median checkpoint share {share['ratio_median']:.1%} "
        f"({share['ratio_min']:.1%}-{share['ratio_max']:.1%}), wall ratio "
        f"{ratio['ratio_median']:.3f} ({ratio['ratio_min']:.3f}-{ratio['ratio_max']:.3f}) over "
        f"{args.pairs} pairs; wrote {path}"
    )


if __name__ == "__main__":
    main()
