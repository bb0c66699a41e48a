"""``ecosim sweep``: validate, plan, run with a progress bar, report."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ecosystem.core.errors import ScenarioError
from ecosystem.sweeps.executors import make_executor
from ecosystem.sweeps.run import plan_sweep, run_sweep
from ecosystem.sweeps.spec import MEMBER_CAP, load_sweep

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
RAY_MISSING = 'the ray executor needs Ray: pip install "ecosim[ray]"'


def run_sweep_command(
    spec_path: Path,
    out: Path,
    workers: int,
    executor: str,
    address: str | None,
    yes: bool,
    console: Console,
) -> int:
    """Run ``ecosim sweep``; returns the exit code (0, 2 bad input, 130 interrupted)."""
    if executor not in ("local", "ray"):
        typer.echo(f"--executor: got {executor!r} (allowed: local, ray)", err=True)
        return EXIT_BAD_INPUT
    if executor == "ray" and importlib.util.find_spec("ray") is None:
        typer.echo(RAY_MISSING, err=True)
        return EXIT_BAD_INPUT
    try:
        loaded = load_sweep(spec_path, cap=None if yes else MEMBER_CAP)
        sweep = plan_sweep(loaded, out)
    except ScenarioError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        return EXIT_BAD_INPUT
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    ) as bar:
        task = bar.add_task(spec_path.stem, total=len(sweep.members), failed=0)

        def progress(done: int, failed: int, total: int) -> None:
            bar.update(task, completed=done, failed=failed)

        try:
            totals = run_sweep(sweep, make_executor(executor, workers, address), progress=progress)
        except KeyboardInterrupt:
            bar.stop()
            typer.echo(
                f"interrupted: finished members are kept in {sweep.runs}; run the same "
                "command again to complete the rest",
                err=True,
            )
            return EXIT_INTERRUPTED
    typer.echo(
        f"{totals['complete']} of {len(sweep.members)} members complete, "
        f"{totals['failed']} failed; tables in {sweep.out}"
    )
    if totals["failed"]:
        typer.echo("failed members and their errors: runs.parquet (re-run to retry)", err=True)
    if sweep.skipped:
        typer.echo(
            f"sensitivity skipped for {', '.join(sweep.skipped)}: some points have no value "
            "(re-run to retry failed members)",
            err=True,
        )
    return 0
