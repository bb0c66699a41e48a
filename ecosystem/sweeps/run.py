"""Run a sweep: plan its members, run what is missing, write its tables.

``DIR/sweep.json`` records the resolved spec; ``DIR/runs/<member>/`` is an ordinary run folder
per member; ``runs.parquet``, ``outcomes.parquet``, ``summary.parquet`` and (sobol, morris)
``sensitivity.parquet`` are rewritten from the member folders at the end of every run, also
after Ctrl+C. A member whose run folder is complete is never run again; failed and missing
members are run by the next call of the same command.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from ecosystem.core.errors import Problem, ScenarioError
from ecosystem.core.io import write_json, write_parquet
from ecosystem.runner import RunSpec, run_one, versions
from ecosystem.sweeps.design import Plan, make_plan, replication_seeds
from ecosystem.sweeps.executors import Executor
from ecosystem.sweeps.outcomes import definition, member_outcomes
from ecosystem.sweeps.spec import LoadedSweep, override
from ecosystem.sweeps.summary import sensitivity, summarize

Progress = Callable[[int, int, int], None]
"""Called with (members done, of which failed, members in total)."""


@dataclass(frozen=True)
class Member:
    """One run of the sweep: a parameter point and a replication."""

    member: str
    point: int
    replication: int
    seed: int
    values: tuple[Any, ...]
    spec: RunSpec


@dataclass
class Sweep:
    """A planned sweep in its output folder."""

    loaded: LoadedSweep
    out: Path
    plan: Plan
    seeds: list[int]
    members: list[Member]
    identity: dict[str, Any]
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def runs(self) -> Path:
        """The folder of member run folders."""
        return self.out / "runs"


def member_id(index: int, total: int) -> str:
    """``m0000``-style ids, zero-padded to at least four digits."""
    return f"m{index:0{max(4, len(str(max(total - 1, 0))))}d}"


def plan_sweep(loaded: LoadedSweep, out: Path) -> Sweep:
    """Plan every member; refuse a folder that holds something else. Writes nothing.

    Raises:
        ScenarioError: ``out`` holds another sweep, or files that are not a sweep.
    """
    spec = loaded.spec
    plan = make_plan(spec)
    seeds = replication_seeds(spec.seed, spec.replications)
    base = loaded.base_path.resolve()
    out = Path(out).resolve()
    total = len(plan.points) * spec.replications
    common = [override(k, v) for k, v in spec.set.items()]
    members = []
    for point, values in enumerate(plan.points):
        sets = [override(p, v) for p, v in zip(plan.paths, values, strict=True)]
        for rep, seed in enumerate(seeds):
            mid = member_id(point * spec.replications + rep, total)
            run = RunSpec(base, out / "runs" / mid, [*common, *sets], seed, overwrite=True)
            members.append(Member(mid, point, rep, seed, values, run))
    identity = {
        "spec": spec.model_dump(mode="json"),
        "base_sha256": hashlib.sha256(base.read_bytes()).hexdigest(),
    }
    _check_folder(out, identity)
    return Sweep(loaded, out, plan, seeds, members, identity)


def _check_folder(out: Path, identity: dict[str, Any]) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise ScenarioError([Problem(str(out), None, "", "exists and is not a folder")])
    record = out / "sweep.json"
    if not record.exists():
        if any(out.iterdir()):
            raise ScenarioError(
                [Problem(str(out), None, "", "is not empty and holds no sweep (choose another)")]
            )
        return
    try:
        old = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    if old.get("identity") != identity:
        raise ScenarioError(
            [
                Problem(
                    str(out),
                    None,
                    "",
                    "holds a different sweep (its spec or base scenario changed); "
                    "choose another --out to run this one",
                )
            ]
        )


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` is a finished run folder."""
    try:
        return json.loads((folder / "run.json").read_text())["status"] == "complete"
    except (OSError, ValueError, KeyError, TypeError):
        return False


def run_sweep(
    sweep: Sweep,
    executor: Executor,
    member_fn: Callable[[RunSpec], Any] = run_one,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Run the members that are not complete, then write the sweep's tables.

    Args:
        sweep: the planned sweep.
        executor: where members run.
        member_fn: runs one member's RunSpec (``run_one``; tests inject faults here).
        progress: called after each member with (done, failed, total).

    Returns:
        Members by status (complete, failed, pending).
    """
    sweep.runs.mkdir(parents=True, exist_ok=True)
    for scratch in sweep.runs.glob(".m*.partial-*"):  # members stopped mid-write
        shutil.rmtree(scratch, ignore_errors=True)
    started = datetime.now(UTC).isoformat()
    _write_record(sweep, "running", started)
    todo = []
    for m in sweep.members:
        if is_complete(m.spec.out):
            sweep.records[m.member] = {"status": "complete", "error": None, "wall": None}
        else:
            sweep.records[m.member] = {"status": "pending", "error": None, "wall": None}
            todo.append((m.member, m.spec))
    counts = {"done": len(sweep.members) - len(todo), "failed": 0}
    if progress:
        progress(counts["done"], 0, len(sweep.members))

    def done(member: str, wall: float | None, error: str | None) -> None:
        status = "failed" if error else "complete"
        sweep.records[member] = {"status": status, "error": error, "wall": wall}
        counts["done"] += 1
        counts["failed"] += error is not None
        if progress:
            progress(counts["done"], counts["failed"], len(sweep.members))

    status = "interrupted"
    try:
        if todo:
            executor.run(member_fn, todo, done)
        status = "complete"
    finally:
        totals = write_tables(sweep)
        if status == "complete" and totals["failed"]:
            status = "partial"
        _write_record(sweep, status, started, totals)
    return totals


def write_tables(sweep: Sweep) -> dict[str, int]:
    """Write runs, outcomes, summary (and sensitivity) from the member folders."""
    spec = sweep.loaded.spec
    rows, values = [], []
    for m in sweep.members:
        record = sweep.records.get(m.member) or {"status": "pending", "error": None, "wall": None}
        status, error, wall = record["status"], record["error"], record["wall"]
        if is_complete(m.spec.out):
            status, error = "complete", None
            if wall is None:
                wall = json.loads((m.spec.out / "run.json").read_text()).get("wall_seconds")
            try:
                found = member_outcomes(m.spec.out, spec.outcomes)
            except (OSError, ValueError, pl.exceptions.PolarsError) as exc:
                status, error = "failed", f"outcome: {exc}"
            else:
                values += [
                    {
                        "member": m.member,
                        "point": m.point,
                        "replication": m.replication,
                        "outcome": name,
                        "value": value,
                    }
                    for name, value in found.items()
                ]
        row = {"member": m.member, "point": m.point, "replication": m.replication}
        row.update(zip(sweep.plan.paths, m.values, strict=True))
        row.update({"seed": m.seed, "status": status, "error": error, "wall_seconds": wall})
        rows.append(row)
    runs = pl.DataFrame(rows, strict=False, infer_schema_length=None).with_columns(
        pl.col("point").cast(pl.Int64),
        pl.col("replication").cast(pl.Int64),
        pl.col("seed").cast(pl.Int64),
        pl.col("status").cast(pl.String),
        pl.col("error").cast(pl.String),
        pl.col("wall_seconds").cast(pl.Float64),
    )
    outcomes = pl.DataFrame(
        values,
        schema={
            "member": pl.String,
            "point": pl.Int64,
            "replication": pl.Int64,
            "outcome": pl.String,
            "value": pl.Float64,
        },
    )
    points = runs.select("point", *sweep.plan.paths).unique("point", keep="first")
    write_parquet(sweep.out / "runs.parquet", runs)
    write_parquet(sweep.out / "outcomes.parquet", outcomes)
    write_parquet(sweep.out / "summary.parquet", summarize(outcomes, points))
    if spec.design in ("sobol", "morris"):
        table, skipped = sensitivity(spec, sweep.plan, outcomes, list(spec.outcomes))
        write_parquet(sweep.out / "sensitivity.parquet", table)
        sweep.skipped = skipped
    by_status = runs.get_column("status").value_counts()
    totals = dict.fromkeys(("complete", "failed", "pending"), 0)
    totals.update(dict(zip(by_status["status"], by_status["count"], strict=True)))
    return totals


def _write_record(
    sweep: Sweep, status: str, started: str, totals: dict[str, int] | None = None
) -> None:
    spec = sweep.loaded.spec
    params = spec.parameters()
    record = {
        "status": status,
        "spec_file": str(sweep.loaded.source),
        "base": str(sweep.loaded.base_path.resolve()),
        "identity": sweep.identity,
        "spec": spec.model_dump(mode="json"),
        "seed": spec.seed,
        "design": spec.design,
        "samples": spec.samples,
        "replications": spec.replications,
        "replication_seeds": sweep.seeds,
        "parameters": [
            {"path": path, "role": role, **param.model_dump(mode="json", exclude_none=True)}
            for path, (role, param) in params.items()
        ],
        "outcomes": [definition(name, o) for name, o in spec.outcomes.items()],
        "points": len(sweep.plan.points),
        "members": len(sweep.members),
        "counts": totals,
        "sensitivity_skipped": sweep.skipped,
        "versions": versions(),
        "started_at": started,
        "updated_at": datetime.now(UTC).isoformat(),
    }
    write_json(sweep.out / "sweep.json", record)
