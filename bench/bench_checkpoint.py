"""Checkpoint cost: the baseline ecosystem run with and without checkpoints.

Each run is a fresh ``ecosim run`` process (Mesa 3.3 keeps every model alive). Pairs are run
alternately (with, without, with, ...), so a machine whose load changes affects both sides of a
pair alike. Two measures are recorded: the time spent writing checkpoints as a share of the
checkpointed run's own wall time (measured inside the run, the cleaner figure) and the wall-time
ratio of the paired runs (noisier on a shared machine).

    .venv/bin/python bench/bench_checkpoint.py [--pairs 3] [--every 10]
    .venv/bin/python bench/bench_checkpoint.py --scenario scenarios/transformer_tiny.yaml \
        --every 1 --set loop.generations=3 --pairs 1 --name checkpoint_transformer
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import save  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run(scenario: Path, every: int, folder: Path, overrides: list[str]) -> dict:
    sets = [arg for o in overrides for arg in ("--set", o)]
    cmd = [sys.executable, "-m", "ecosystem.cli", "run", str(scenario), "--out", str(folder)]
    cmd += [*sets, "--checkpoint-every", str(every), "--quiet", "--overwrite"]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    meta = json.loads((folder / "run.json").read_text())
    return {"wall": meta["wall_seconds"], **meta["checkpoints"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--scenario", default="scenarios/baseline.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument(
        "--name", default="checkpoint", help="results file: bench/results/NAME.json"
    )
    args = parser.parse_args()
    scenario = ROOT / args.scenario
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.pairs):
            order = [args.every, 0] if i % 2 == 0 else [0, args.every]
            got = {e: run(scenario, e, Path(tmp) / f"run{e}", args.overrides) for e in order}
            with_cp, without = got[args.every], got[0]
            pair = {
                "wall_with": with_cp["wall"],
                "wall_without": without["wall"],
                "checkpoints": with_cp["saved"],
                "checkpoint_seconds": with_cp["seconds"],
                "checkpoint_bytes": with_cp["last_bytes"],
                "share_of_run": with_cp["seconds"] / with_cp["wall"],
                "wall_ratio": with_cp["wall"] / without["wall"],
            }
            pairs.append(pair)
            print(json.dumps(pair))
    share = statistics.median(p["share_of_run"] for p in pairs)
    ratio = statistics.median(p["wall_ratio"] for p in pairs)
    payload = {
        "benchmark": "checkpoint cost, paired runs alternately",
        "scenario": args.scenario,
        "overrides": args.overrides,
        "checkpoint_every": args.every,
        "target": "checkpoint time < 10% of the run's time",
        "median_share_of_run": round(share, 4),
        "median_wall_ratio": round(ratio, 4),
        "pairs": pairs,
        "caveat": "2-core machine shared with other agents' work while measured: wall times "
        "vary between runs; the share (checkpoint seconds / the same run's wall) is the "
        "steadier figure.",
    }
    path = save(args.name, payload)
    print(f"median checkpoint share {share:.1%}, wall ratio {ratio:.3f}; wrote {path}")


if __name__ == "__main__":
    main()
