"""docs/POLICIES.md: every policy lever against no policy, over seeds, with one figure.

The registry is the folder ``scenarios/policies/``: ``no_policy.yaml`` is the reference and
every other scenario there is one lever switched on in the same world. Each is run with the
same seeds (common random numbers), so the effect of a lever is a paired difference per seed;
the table gives its mean and 95% t-interval. The leading comment of each file is the question
it answers. Regenerate with ``ecosim sweep-policies`` (or ``python -m ecosystem.sweeps.policies``).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console

from ecosystem.runner import RunSpec, run_one
from ecosystem.sweeps.design import replication_seeds
from ecosystem.sweeps.executors import LocalExecutor
from ecosystem.sweeps.outcomes import direction, member_outcomes
from ecosystem.sweeps.spec import OutcomeSpec
from ecosystem.sweeps.summary import t_interval

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "scenarios" / "policies"
REFERENCE = "no_policy"
ROOT_SEED = 2024

MAIN_OUTCOMES = {
    "open-web excess cross-entropy, last generation": OutcomeSpec(
        table="generations", column="excess_cross_entropy", filter={"trainer": "open_web"}
    ),
    "ai_share_web, last step": OutcomeSpec(table="steps", column="ai_share_web"),
    "human_authors_active, last step": OutcomeSpec(table="steps", column="human_authors_active"),
    "moat gap of the data-holding firms, last step": OutcomeSpec(
        table="firms", column="moat_gap", filter={"holds_data": True}
    ),
    "best model on offer (−excess cross-entropy), last step": OutcomeSpec(
        table="steps", column="best_quality"
    ),
}
"""The main outcomes (and the best deployed model, which the levers on companies' crawls
move); one a world does not record yet is shown as n/a."""


@dataclass(frozen=True)
class Effect:
    """One lever's effect on one outcome, over seeds."""

    policy: str
    outcome: str
    reference: tuple[float, float, float]
    with_policy: tuple[float, float, float]
    effect: tuple[float, float, float]
    n: int
    better: str | None

    @property
    def verdict(self) -> str:
        """better / worse when the interval of the effect excludes 0, else no clear change."""
        _, low, high = self.effect
        if not np.isfinite(low) or low <= 0 <= high:
            return "no clear change"
        up = low > 0
        if self.better == "higher":
            return "better" if up else "worse"
        if self.better == "lower":
            return "worse" if up else "better"
        return "higher" if up else "lower"


def registry(folder: Path = REGISTRY) -> dict[str, Path]:
    """Policy name -> scenario file, the reference first."""
    files = {p.stem: p for p in sorted(folder.glob("*.yaml"))}
    if REFERENCE not in files:
        raise FileNotFoundError(f"{folder / (REFERENCE + '.yaml')}: the no-policy reference")
    return {REFERENCE: files.pop(REFERENCE), **files}


def question(path: Path) -> str:
    """The leading comment of a scenario file, as one paragraph."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def run_policies(
    seeds: int, workers: int, runs: Path, console: Console | None = None
) -> dict[str, dict[str, list[float]]]:
    """Run every scenario of the registry with the same seeds; outcome values per seed."""
    files = registry()
    seed_list = replication_seeds(ROOT_SEED, seeds)
    tasks = [
        (f"{name}/s{i:02d}", RunSpec(path, runs / name / f"s{i:02d}", seed=seed, overwrite=True))
        for name, path in files.items()
        for i, seed in enumerate(seed_list)
    ]
    errors: dict[str, str] = {}

    def done(member: str, wall: float | None, error: str | None) -> None:
        if error:
            errors[member] = error
        if console is not None:
            console.print(f"{member}: {error or f'{wall:.1f} s'}", markup=False, highlight=False)

    LocalExecutor(workers).run(run_one, tasks, done)
    if errors:
        raise RuntimeError(f"policy runs failed: {errors}")
    values: dict[str, dict[str, list[float]]] = {}
    for name in files:
        per_outcome: dict[str, list[float]] = {o: [] for o in MAIN_OUTCOMES}
        for i in range(seeds):
            folder = runs / name / f"s{i:02d}"
            for outcome, spec in MAIN_OUTCOMES.items():
                try:
                    found = member_outcomes(folder, {outcome: spec})[outcome]
                except ValueError:  # the world does not record it yet
                    found = float("nan")
                per_outcome[outcome].append(found)
        values[name] = per_outcome
    return values


def effects(values: dict[str, dict[str, list[float]]]) -> list[Effect]:
    """Each lever against the reference: paired differences per seed, mean and interval."""
    reference = values[REFERENCE]
    out = []
    for policy, per_outcome in values.items():
        if policy == REFERENCE:
            continue
        for outcome, spec in MAIN_OUTCOMES.items():
            base = np.asarray(reference[outcome])
            other = np.asarray(per_outcome[outcome])
            out.append(
                Effect(
                    policy,
                    outcome,
                    t_interval(base),
                    t_interval(other),
                    t_interval(other - base),
                    len(base),
                    direction(spec),
                )
            )
    return out


def _show(triple: tuple[float, float, float]) -> str:
    mean, low, high = triple
    if not np.isfinite(mean):
        return "n/a (not in this world)"
    return f"{mean:.4g} [{low:.4g}, {high:.4g}]"


def markdown(found: list[Effect], seeds: int, figure: str | None) -> str:
    """The text of docs/POLICIES.md."""
    files = registry()
    lines = [
        "# Policies: each lever against no policy",
        "",
        "Generated by `ecosim sweep-policies` (from `scenarios/policies/`); do not edit by hand.",
        f"Every scenario runs with the same {seeds} seeds; a lever's effect is the difference "
        "from `no_policy` seed by seed, given as mean [95% t-interval]. It is called better or "
        "worse only when its interval excludes zero. The worlds are the baseline's (10,000 "
        "authors, 60 months), so effects are indicative, not calibrated forecasts. No firm "
        "holds data in these worlds, so the moat gap is n/a here: what holdings are worth, and "
        "how provenance labels let a platform owner keep its data clean, is in "
        "[MOAT.md](MOAT.md).",
        "",
        f"**Reference** (`no_policy.yaml`): {question(files[REFERENCE])}",
        "",
    ]
    if figure:
        lines += [f"![Effect of each policy lever, 95% intervals]({figure})", ""]
    for policy in [p for p in files if p != REFERENCE]:
        lines += [f"## `{policy}`", "", question(files[policy]), ""]
        lines += [
            "| outcome | no policy | with the lever | effect | verdict |",
            "|---|---|---|---|---|",
        ]
        for e in (e for e in found if e.policy == policy):
            verdict = e.verdict if np.isfinite(e.effect[0]) else "n/a"
            lines.append(
                f"| {e.outcome} | {_show(e.reference)} | {_show(e.with_policy)} | "
                f"{_show(e.effect)} | {verdict} |"
            )
        lines.append("")
    lines += [
        "Single-seed detail of every lever (human documents lost, training data's AI share): "
        "[POLICIES_SINGLE_SEED.md](POLICIES_SINGLE_SEED.md).",
        "",
    ]
    return "\n".join(lines)


def figure(found: list[Effect], path: Path) -> None:
    """Each lever's effect on each outcome, a point with its 95% interval, as a PNG."""
    import altair as alt
    import polars as pl

    rows = [
        {
            "policy": e.policy,
            "outcome": e.outcome,
            "effect": e.effect[0],
            "low": e.effect[1],
            "high": e.effect[2],
        }
        for e in found
        if np.isfinite(e.effect[0])
    ]
    data = pl.DataFrame(rows).to_dicts()
    charts = []
    for outcome in dict.fromkeys(r["outcome"] for r in rows):
        subset = alt.Data(values=[r for r in data if r["outcome"] == outcome])
        base = alt.Chart(subset).encode(y=alt.Y("policy:N", title=None))
        bars = base.mark_rule(strokeWidth=2).encode(
            x=alt.X("low:Q", title="effect vs no policy"), x2="high:Q"
        )
        dots = base.mark_point(filled=True, size=60).encode(x="effect:Q")
        zero = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
        charts.append((zero + bars + dots).properties(title=outcome, width=220, height=60))
    chart = alt.concat(*charts, columns=2).properties(
        title="Effect of each policy lever vs no policy (mean and 95% interval over seeds)"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    chart.save(str(path), format="png", scale_factor=2)


def write_policies(
    out: Path, seeds: int = 10, workers: int = 2, console: Console | None = None
) -> Path:
    """Run the registry and write ``out`` (Markdown) and its figure beside it."""
    with tempfile.TemporaryDirectory(prefix="ecosim-policies-") as tmp:
        values = run_policies(seeds, workers, Path(tmp), console)
    found = effects(values)
    png = out.with_suffix(".png")
    figure(found, png)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(markdown(found, seeds, png.name), encoding="utf-8")
    os.replace(tmp, out)
    return out


def main() -> None:
    """``python -m ecosystem.sweeps.policies``: regenerate docs/POLICIES.md."""
    written = write_policies(ROOT / "docs" / "POLICIES.md", console=Console(stderr=True))
    print(f"wrote {written}")


if __name__ == "__main__":
    main()
