"""Run the whole benchmark suite, each script in a fresh process, then rewrite docs/SPEED.md.

The default sizes are the ones docs/SPEED.md reports and fit in under 15 minutes on the 2-core
machine when it is not shared; ``--quick`` shrinks every benchmark (a smoke run of the harness,
its figures not comparable), ``--only NAME ...`` runs a subset, ``--million`` adds the
1M-author ecosystem run, ``--render`` only rewrites docs/SPEED.md from the saved results.

Run: ``.venv/bin/python -m bench`` or ``.venv/bin/python bench/run_all.py [--quick]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import speed_doc  # noqa: E402
from common import ROOT, load_average  # noqa: E402

SUITE = {
    "startup": ("bench_startup.py", [], ["--pairs", "5"]),
    "gaussian": ("bench_gaussian_loop.py", [], ["--generations", "200", "--pairs", "5"]),
    "linear": ("bench_linear_accumulate.py", [], ["--seeds", "200", "--plain-seeds", "10"]),
    "web": ("bench_web.py", [], ["--sites", "20000"]),
    "samplers": ("bench_samplers.py", [], ["--tokens", "400000", "--draws", "400000"]),
    "ngram": ("bench_ngram.py", [], ["--tokens", "1000000"]),
    "transformer": ("bench_transformer.py", [], ["--steps", "5", "--docs", "200", "--pairs", "3"]),
    "ecosystem": ("bench_ecosystem.py", [], ["--repeat", "1", "--skip-large"]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", nargs="+", choices=sorted(SUITE), default=sorted(SUITE))
    parser.add_argument("--million", action="store_true", help="add 1M authors x 120 steps")
    parser.add_argument("--render", action="store_true", help="only rewrite docs/SPEED.md")
    args = parser.parse_args()
    if not args.render:
        start = time.perf_counter()
        for name in [n for n in SUITE if n in args.only]:
            script, full, quick = SUITE[name]
            extra = quick if args.quick else full
            if name == "ecosystem" and args.million:
                extra = [*extra, "--million"]
            print(f"== {name} (load {load_average()})", flush=True)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, str(HERE / script), *extra], check=True, cwd=ROOT)
            print(f"== {name}: {time.perf_counter() - t0:.0f} s", flush=True)
        print(f"suite: {time.perf_counter() - start:.0f} s, load {load_average()}")
    speed_doc.main()


if __name__ == "__main__":
    main()
