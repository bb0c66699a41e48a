"""Run the whole benchmark suite, each script in a fresh process, then rewrite docs/SPEED.md.

The default sizes are the ones docs/SPEED.md reports and fit in under 15 minutes on the 2-core
machine when it is not shared (each result records its own run time; docs/SPEED.md adds them
up); ``--quick`` shrinks every benchmark (a smoke run of the harness, its figures not
comparable: they go to a temporary folder and docs/SPEED.md is left alone), ``--only NAME ...``
runs a subset, ``--million`` adds the 1M-author ecosystem run, ``--render`` only rewrites
docs/SPEED.md from the saved results.

Run: ``.venv/bin/python -m bench`` or ``.venv/bin/python bench/run_all.py [--quick]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import speed_doc  # noqa: E402
from common import RESULTS_ENV, ROOT, load_average  # noqa: E402

CHECKPOINT_TRANSFORMER = [
    "--scenario",
    "scenarios/transformer_tiny.yaml",
    "--every",
    "1",
    "--name",
    "checkpoint_transformer",
    *("--set", "loop.generations=2", "--set", "loop.samples_per_generation=300"),
    *("--set", "loop.test_samples=200", "--set", "learner.epochs=1"),
    *("--set", "metrics.sample_size=50"),
]
"""The tiny transformer loop shrunk so that five pairs of runs fit in the suite."""
SUITE = {
    "startup": ("bench_startup.py", [], ["--pairs", "5"]),
    "gaussian": ("bench_gaussian_loop.py", [], ["--generations", "200", "--pairs", "5"]),
    "linear": ("bench_linear_accumulate.py", [], ["--seeds", "200", "--plain-seeds", "10"]),
    "web": ("bench_web.py", [], ["--sites", "20000"]),
    "samplers": ("bench_samplers.py", [], ["--tokens", "400000", "--draws", "400000"]),
    "ngram": ("bench_ngram.py", [], ["--tokens", "1000000"]),
    "transformer": ("bench_transformer.py", [], ["--steps", "5", "--docs", "200", "--pairs", "3"]),
    "ecosystem": ("bench_ecosystem.py", [], ["--repeat", "1", "--skip-large"]),
    "levers": ("bench_ecosystem.py", ["--levers"], ["--levers", "--pairs", "1"]),
    "moat": ("bench_ecosystem.py", ["--moat"], ["--moat", "--repeat", "1"]),
    "checkpoint": ("bench_checkpoint.py", [], ["--pairs", "1"]),
    "checkpoint_transformer": (
        "bench_checkpoint.py",
        [*CHECKPOINT_TRANSFORMER],
        [*CHECKPOINT_TRANSFORMER, "--pairs", "1"],
    ),
    "sweep": ("bench_sweep.py", [], ["--rounds", "1", "--members", "2", "--steps", "6"]),
}
"""Every benchmark: name -> (script, options of the full run, options of ``--quick``)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", nargs="+", choices=sorted(SUITE), default=sorted(SUITE))
    parser.add_argument("--million", action="store_true", help="add 1M authors x 120 steps")
    parser.add_argument("--render", action="store_true", help="only rewrite docs/SPEED.md")
    args = parser.parse_args()
    if args.render:
        speed_doc.main()
        return
    env = dict(os.environ)
    if args.quick:
        env[RESULTS_ENV] = tempfile.mkdtemp(prefix="ecosim-bench-quick-")
    start = time.perf_counter()
    for name in [n for n in SUITE if n in args.only]:
        script, full, quick = SUITE[name]
        extra = quick if args.quick else full
        if name == "ecosystem" and args.million:
            extra = [*extra, "--million"]
        print(f"== {name} (load {load_average()})", flush=True)
        t0 = time.perf_counter()
        command = [sys.executable, str(HERE / script), *extra]
        subprocess.run(command, check=True, cwd=ROOT, env=env)
        print(f"== {name}: {time.perf_counter() - t0:.0f} s", flush=True)
    print(f"suite: {time.perf_counter() - start:.0f} s, load {load_average()}")
    if args.quick:
        print(f"quick run: results in {env[RESULTS_ENV]}; docs/SPEED.md left alone")
    else:
        speed_doc.main()


if __name__ == "__main__":
    main()
