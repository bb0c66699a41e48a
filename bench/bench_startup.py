"""Start-up time of the command line: ``ecosim --help`` and ``ecosim validate`` vs a bare Python.

Each command runs in a fresh process (``python -m ecosystem.cli ...`` from this tree), paired and
alternating with a bare ``python -c pass`` (``common.paired``), so the figure that survives load
is the ratio to an interpreter start; the median wall time and the median CPU time of the child
process (user + system, which other load stretches far less) are given beside it. The slowest
imports of each command (``python -X importtime``, cumulative) are listed so a regression names
its module. Targets: ``--help`` <= 0.3 s, ``validate`` <= 0.5 s.

Run: ``.venv/bin/python bench/bench_startup.py [--pairs 7]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, describe, fix_threads, paired, save  # noqa: E402

COMMANDS = {
    "help": ["-m", "ecosystem.cli", "--help"],
    "validate": ["-m", "ecosystem.cli", "validate", "scenarios/baseline.yaml"],
}
TARGETS_S = {"help": 0.3, "validate": 0.5}


def run(args: list[str]) -> str:
    """Run ``python args`` in the repository root; returns stderr (where importtime writes)."""
    out = subprocess.run(
        [sys.executable, *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stderr


def cpu_seconds(args: list[str], repeat: int) -> list[float]:
    """CPU seconds (user + system) of ``repeat`` runs of ``python args``, each in a new process."""
    out = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run(args)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.append(
            after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
        )
    return out


def slowest_imports(args: list[str], top: int = 8) -> list[dict[str, object]]:
    """The ``top`` top-level imports with the largest cumulative time (``-X importtime``)."""
    rows = []
    for line in run(["-X", "importtime", *args]).splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        if not name[1:].startswith(" "):  # nested imports are indented
            rows.append({"module": name.strip(), "cumulative_ms": int(cumulative) / 1000})
    return sorted(rows, key=lambda r: -r["cumulative_ms"])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()
    fix_threads(1)
    results = {}
    for name, command in COMMANDS.items():
        timing = paired(
            lambda c=command: run(c), lambda: run(["-c", "pass"]), pairs=args.pairs, warmup=1
        )
        cpu = cpu_seconds(command, args.pairs)
        results[name] = {
            "command": "python " + " ".join(command),
            "median_s": timing["a_median_s"],
            "median_cpu_s": statistics.median(cpu),
            "bare_python_median_cpu_s": statistics.median(cpu_seconds(["-c", "pass"], args.pairs)),
            "bare_python_median_s": timing["b_median_s"],
            "ratio_to_bare_python": timing["ratio_median"],
            "ratio_range": [timing["ratio_min"], timing["ratio_max"]],
            "target_s": TARGETS_S[name],
            "slowest_imports": slowest_imports(command),
            "pairs": timing,
        }
        print(
            f"{name:9s} median {timing['a_median_s']:.3f}s wall, "
            f"{results[name]['median_cpu_s']:.3f}s CPU (target {TARGETS_S[name]} s), "
            f"bare python {timing['b_median_s']:.3f}s; " + describe(timing, name, "python -c pass")
        )
        for row in results[name]["slowest_imports"][:4]:
            print(f"    {row['cumulative_ms']:8.1f} ms  {row['module']}")
    print(f"saved {save('startup', {'results': results})}")


if __name__ == "__main__":
    main()
