"""Paper reproductions: the collapse literature's results checked against fresh ecosim runs.

A :class:`Reproduction` is one row of ``docs/REPRODUCTIONS.md``: a paper, its claim, the paper's
value (a closed form evaluated for the resolved scenario, or the paper's statement turned into a
threshold), the ecosim value extracted from the run's tables, and an honest tolerance. Rows share
runs: an :class:`Experiment` is one scenario file under ``scenarios/papers/`` plus ``--set``
overrides, run once per report. ``quick`` runs apply each experiment's test-size overrides (the
tests in ``tests/test_papers.py`` use them) and each row's quick tolerance.

The rows themselves live in :mod:`ecosystem.papers`; ``build_report`` runs them and renders the
markdown table (``ecosim reproduce``).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import polars as pl

from ecosystem import __version__
from ecosystem.config import load_scenario
from ecosystem.config.schema import Scenario
from ecosystem.runner import simulate

ROOT = Path(__file__).resolve().parents[2]
"""The repository root: scenario paths of experiments are relative to it."""


@dataclass(frozen=True)
class Experiment:
    """One run shared by one or more rows.

    Attributes:
        name: short unique name (the run folder in the printed command).
        scenario: scenario file, relative to the repository root.
        overrides: ``key.path=value`` strings applied as ``--set`` for the full-size run.
        quick: further overrides for the reduced test-size run.
    """

    name: str
    scenario: str
    overrides: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()

    def resolve(self, quick: bool = False) -> Scenario:
        """The validated scenario of this run (full size, or test size when ``quick``); a loop
        keeps every replica's rows (the rows compare statistics of them beyond the quantiles
        a large run keeps by default)."""
        extra = self.quick if quick else ()
        scenario = load_scenario(ROOT / self.scenario, [*self.overrides, *extra])
        if scenario.kind == "loop":
            metrics = scenario.metrics.model_copy(update={"replica_rows": True})
            scenario = scenario.model_copy(update={"metrics": metrics})
        return scenario

    def command(self) -> str:
        """The ``ecosim run`` command that reproduces this run at full size."""
        sets = "".join(f" --set {item}" for item in self.overrides)
        return f"ecosim run {self.scenario} --out runs/{self.name}{sets}"


@dataclass(frozen=True)
class Run:
    """A finished run: its resolved scenario, its tables and its wall time in seconds."""

    scenario: Scenario
    tables: dict[str, pl.DataFrame]
    seconds: float


Runs = dict[str, Run]
Target = float | tuple[float, float]


@dataclass(frozen=True)
class Tolerance:
    """How close the ecosim value must be to the paper value.

    Attributes:
        kind: ``rel`` |v - p| ≤ amount·|p|; ``abs`` |v - p| ≤ amount; ``log`` |ln(v/p)| ≤
            amount; ``at_least`` v ≥ p; ``at_most`` v ≤ p; ``within`` p[0] ≤ v ≤ p[1].
        amount: the allowed deviation (rel, abs, log).
        why: where the amount comes from (standard errors, an approximation's error).
    """

    kind: Literal["rel", "abs", "log", "at_least", "at_most", "within"]
    amount: float = 0.0
    why: str = ""

    def passes(self, value: float, target: Target) -> bool:
        """Whether ``value`` meets ``target`` under this tolerance (NaN never does)."""
        if isinstance(target, tuple):
            return self.kind == "within" and target[0] <= value <= target[1]
        if math.isnan(value) or math.isnan(target):
            return False
        if self.kind == "rel":
            return abs(value - target) <= self.amount * abs(target)
        if self.kind == "abs":
            return abs(value - target) <= self.amount
        if self.kind == "log":
            return value > 0 and target > 0 and abs(math.log(value / target)) <= self.amount
        if self.kind == "at_least":
            return value >= target
        if self.kind == "at_most":
            return value <= target
        return False

    def describe(self) -> str:
        """The tolerance in words, for the table."""
        text = {
            "rel": f"±{self.amount:.0%}",
            "abs": f"±{self.amount:.3g}",
            "log": f"ratio within ×e^±{self.amount:.3g}",
            "at_least": "≥ paper value",
            "at_most": "≤ paper value",
            "within": "inside the interval",
        }[self.kind]
        return f"{text} ({self.why})" if self.why else text


@dataclass(frozen=True)
class Reproduction:
    """One claim of one paper, checked on fresh runs.

    Attributes:
        key: short unique id (test ids, anchors).
        paper: the paper, e.g. "Shumailov et al. 2024".
        claim: the claim in a line.
        detail: precisely what is compared: the paper's statement and ecosim's metric.
        experiments: the runs the row reads (the first is the row's scenario).
        paper_value: the paper's value given the runs (closed forms read the resolved scenario).
        paper_text: the paper's value as a formula or statement, shown before the number.
        ecosim_value: the value extracted from the runs' tables.
        tolerance: the full-size tolerance.
        quick_tolerance: the tolerance at test size (default: ``tolerance``).
    """

    key: str
    paper: str
    claim: str
    detail: str
    experiments: tuple[Experiment, ...]
    paper_value: Callable[[Runs], Target]
    paper_text: str
    ecosim_value: Callable[[Runs], float]
    tolerance: Tolerance
    quick_tolerance: Tolerance | None = None

    def tolerance_for(self, quick: bool) -> Tolerance:
        """The tolerance that applies at the given size."""
        return (self.quick_tolerance or self.tolerance) if quick else self.tolerance


@dataclass(frozen=True)
class Outcome:
    """A checked row: the paper value, the ecosim value and whether it passed."""

    reproduction: Reproduction
    paper_value: Target
    ecosim_value: float
    passed: bool


def run_experiment(experiment: Experiment, quick: bool = False) -> Run:
    """Run one experiment in memory (no run folder)."""
    scenario = experiment.resolve(quick)
    start = time.perf_counter()
    tables = simulate(scenario)
    return Run(scenario, tables, time.perf_counter() - start)


def check(reproduction: Reproduction, runs: Runs, quick: bool = False) -> Outcome:
    """Evaluate one row on finished runs (which must include its experiments)."""
    target = reproduction.paper_value(runs)
    value = float(reproduction.ecosim_value(runs))
    passed = reproduction.tolerance_for(quick).passes(value, target)
    return Outcome(reproduction, target, value, passed)


@dataclass
class RunCache:
    """Runs experiments on demand and forgets each once no remaining row needs it.

    Args:
        rows: the rows to be checked, in order.
        quick: test-size runs.
    """

    rows: list[Reproduction]
    quick: bool = False
    runs: Runs = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def outcomes(self, progress: Callable[[str], None] | None = None) -> Iterable[Outcome]:
        """Check every row in order, running each experiment once."""
        for index, row in enumerate(self.rows):
            for experiment in row.experiments:
                if experiment.name not in self.runs:
                    if progress is not None:
                        progress(experiment.name)
                    self.runs[experiment.name] = run_experiment(experiment, self.quick)
                    self.seconds[experiment.name] = self.runs[experiment.name].seconds
            yield check(row, self.runs, self.quick)
            still_needed = {e.name for later in self.rows[index + 1 :] for e in later.experiments}
            for name in [n for n in self.runs if n not in still_needed]:
                del self.runs[name]


def registry() -> list[Reproduction]:
    """Every reproduction, in report order."""
    from ecosystem.papers import REPRODUCTIONS

    return list(REPRODUCTIONS)


def experiments_of(rows: Iterable[Reproduction]) -> list[Experiment]:
    """The distinct experiments of ``rows``, in first-use order."""
    seen: dict[str, Experiment] = {}
    for row in rows:
        for experiment in row.experiments:
            seen.setdefault(experiment.name, experiment)
    return list(seen.values())


def format_value(value: Target) -> str:
    """A number (or interval) with four significant digits."""
    if isinstance(value, tuple):
        return f"[{value[0]:.4g}, {value[1]:.4g}]"
    return f"{value:.4g}"


@dataclass(frozen=True)
class Report:
    """Checked rows with the run time of every experiment and of the whole report."""

    outcomes: list[Outcome]
    seconds: dict[str, float]
    total_seconds: float
    quick: bool

    @property
    def failures(self) -> list[Outcome]:
        """The rows that did not pass."""
        return [o for o in self.outcomes if not o.passed]

    def markdown(self) -> str:
        """The document (see ``render``)."""
        return render(self.outcomes, self.seconds, self.quick, self.total_seconds)


def collect(
    quick: bool = False,
    progress: Callable[[str], None] | None = None,
    rows: list[Reproduction] | None = None,
) -> Report:
    """Run every reproduction (or ``rows``) on fresh runs and check it.

    Args:
        quick: test-size runs and tolerances (seconds instead of minutes).
        progress: called with each experiment's name before it runs.
        rows: the rows to check (default: the whole registry).
    """
    cache = RunCache(registry() if rows is None else rows, quick)
    start = time.perf_counter()
    outcomes = list(cache.outcomes(progress))
    return Report(outcomes, cache.seconds, time.perf_counter() - start, quick)


def build_report(quick: bool = False, progress: Callable[[str], None] | None = None) -> str:
    """Run every reproduction on fresh runs and render ``docs/REPRODUCTIONS.md``.

    Args:
        quick: test-size runs and tolerances (seconds instead of minutes).
        progress: called with each experiment's name before it runs.

    Returns:
        The markdown document: the table, the runs with their run times, the details.
    """
    return collect(quick, progress).markdown()


def write_text(path: Path, text: str) -> None:
    """Write a text file through a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def render(outcomes: list[Outcome], seconds: dict[str, float], quick: bool, total: float) -> str:
    """The markdown document of checked rows (see ``build_report``)."""
    size = "test-size" if quick else "full-size"
    passed = sum(o.passed for o in outcomes)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Paper reproductions",
        "",
        "<!-- generated by `ecosim reproduce`; do not edit by hand -->",
        "",
        f"Generated by `ecosim reproduce{' --quick' if quick else ''}` (ecosim {__version__}, "
        f"{stamp}) from fresh {size} runs: **{passed} of {len(outcomes)} rows pass**; total "
        f"run time {total:.0f} s on this machine. The paper value is the paper's closed form "
        "evaluated for the run's parameters, or its stated result turned into a threshold "
        "(then the tolerance column says how). Details of every row follow the table.",
        "",
        "| # | paper | claim | paper value | ecosim value | tolerance | pass | scenario "
        "| command |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for number, outcome in enumerate(outcomes, 1):
        row = outcome.reproduction
        scenario = "<br>".join(
            f"`{path}`" for path in dict.fromkeys(e.scenario for e in row.experiments)
        )
        command = "<br>".join(f"`{e.command()}`" for e in row.experiments)
        joiner = " " if row.paper_text.endswith(("≥", "≤", "least", "most")) else " = "
        lines.append(
            f"| [{number}](#{row.key}) | {row.paper} | {row.claim} | {row.paper_text}{joiner}"
            f"{format_value(outcome.paper_value)} | {format_value(outcome.ecosim_value)} | "
            f"{row.tolerance_for(quick).describe()} | {'yes' if outcome.passed else '**no**'} "
            f"| {scenario} | {command} |"
        )
    lines += ["", "## Runs", "", "| run | command | run time (s) |", "|---|---|---|"]
    for experiment in experiments_of(o.reproduction for o in outcomes):
        lines.append(
            f"| {experiment.name} | `{experiment.command()}` | "
            f"{seconds.get(experiment.name, float('nan')):.1f} |"
        )
    lines += ["", "## Details", ""]
    for number, outcome in enumerate(outcomes, 1):
        row = outcome.reproduction
        lines += [f'### {number}. {row.paper}: {row.claim} <a id="{row.key}"></a>', "", row.detail]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
