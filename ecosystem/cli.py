"""The ``ecosim`` command line: run, validate, schema, dashboard, reproduce, report.

Heavy modules (the scenario models, the runner and what it pulls in: scipy, polars, torch,
Mesa) are imported inside the commands that use them, so ``ecosim --help`` starts fast.
``ecosim run`` keeps the garbage collector off what it imported and ends the process without
the interpreter's teardown (``ecosystem.process``).
"""

from __future__ import annotations

import json
import re
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ecosystem.core.errors import (
    NumericalError,
    OutputError,
    Problem,
    RunSetupError,
    ScenarioError,
)
from ecosystem.process import exit_now, imports_frozen

app = typer.Typer(
    help="ecosim: simulate the web as a training-data commons (model collapse, data moats).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True)

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
"""128 + SIGINT, what shells report for a command stopped with Ctrl+C."""
DEFAULT_RUNS = Path("runs")
"""Where ``ecosim run`` writes when no --out is given: runs/<scenario name>."""
FULL_REPRODUCTIONS = Path("docs/REPRODUCTIONS.md")
SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
"""Scenario names usable as a folder name under runs/ without --out."""


def _fail(problems: list[str]) -> None:
    for line in problems:
        typer.echo(line, err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _notify(notices: list[Problem]) -> None:
    """Print deprecation notices (old field names still read) on stderr, one line each."""
    for notice in notices:
        typer.echo(str(notice), err=True)


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a field: key.path=value.")
    ] = None,
) -> None:
    """Check a scenario file; exit 0 when valid, 2 with one line per error otherwise."""
    from ecosystem.config import load_scenario
    from ecosystem.resources import estimate

    notices: list[Problem] = []
    try:
        resolved = load_scenario(scenario, set_ or [], notices)
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    _notify(notices)
    out_console.print(f"{scenario}: valid", markup=False, highlight=False)
    out_console.print(
        f"{scenario}: {estimate(resolved).describe()}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
    from ecosystem.config import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


@app.command()
def run(
    ctx: typer.Context,
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario YAML file (not with --resume).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Run folder to create (default: runs/SCENARIO_NAME)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Run seed (replaces the scenario's).", min=0)
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a field: key.path=value.")
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(help="Replace an existing run folder (only a run folder or an empty one)."),
    ] = False,
    resume: Annotated[
        Path | None,
        typer.Option(help="Continue the interrupted run in this folder from its checkpoint."),
    ] = None,
    checkpoint_every: Annotated[
        int | None,
        typer.Option(
            help="Steps (ecosystem) or generations (loop) between checkpoints; 0: only the "
            "default points. Default: 10 steps; every generation for a transformer loop; "
            "after each strategy for other loops; a default checkpoint waits until 30 s have "
            "passed since the last one, so short runs write none.",
            min=0,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    force: Annotated[
        bool, typer.Option(help="Run even when the memory estimate exceeds what is available.")
    ] = False,
) -> None:
    """Run a scenario and write its run folder (run.json and Parquet tables), or continue an
    interrupted one with --resume DIR."""
    with imports_frozen(ctx):
        from ecosystem.config import load_scenario
        from ecosystem.core.outdir import check_out
        from ecosystem.runner import RunSpec, execute, resumed_scenario
        from ecosystem.runner import resume as resume_run

    if resume is not None:
        if scenario is not None or out is not None or set_ or seed is not None or overwrite:
            _fail(
                [
                    "--resume DIR continues a run as recorded: give no SCENARIO, --out, --set, "
                    "--seed or --overwrite with it"
                ]
            )
        if checkpoint_every is not None:
            _fail(["--resume DIR keeps the run's own --checkpoint-every"])
        try:
            resolved = resumed_scenario(resume)
        except OutputError as exc:
            _fail([str(exc)])
        folder = _with_progress(
            resolved, quiet, lambda p: resume_run(resume, p, resolved), resume, resume / "run.json"
        )
        _print_summary(folder, resolved.kind)
        return
    if scenario is None:
        _fail(["run: give SCENARIO (or --resume DIR)"])
    spec = RunSpec(
        Path(scenario), Path(out or "."), list(set_ or []), seed, overwrite, checkpoint_every
    )
    notices: list[Problem] = []
    try:
        if out is not None:
            check_out(spec.out, overwrite)  # before anything runs
        resolved = load_scenario(spec.scenario_path, spec.all_overrides(), notices)
    except OutputError as exc:
        _fail([str(exc)])
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    _notify(notices)
    if out is None:
        if not SAFE_NAME.fullmatch(resolved.name):
            _fail(
                [
                    f"{spec.scenario_path}: name: {resolved.name!r} is not a folder name "
                    "(letters, digits, '.', '_', '-'); pass --out DIR"
                ]
            )
        spec = replace(spec, out=DEFAULT_RUNS / resolved.name)
        try:
            check_out(spec.out, overwrite)
        except OutputError as exc:
            _fail([str(exc)])
    if not force:
        _check_resources(spec.scenario_path, resolved)
    folder = _with_progress(
        resolved, quiet, lambda p: execute(spec, resolved, p), spec.out, spec.scenario_path
    )
    _print_summary(folder, resolved.kind)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # a clean stop: the run folder is marked interrupted, scratch removed


def _with_progress(resolved, quiet: bool, start, folder: Path, source: Path) -> Path:
    """Run ``start(progress)`` under a progress bar; bad output folders and scenarios that
    cannot run here exit 2, an interrupt (Ctrl+C, SIGTERM) exits 130 with how to resume."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from ecosystem.runner import progress_total

    show_bar = not quiet and err_console.is_terminal
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=not show_bar,
            transient=True,
        ) as bar:
            task = bar.add_task(resolved.name, total=progress_total(resolved))
            try:
                return start(lambda n: bar.advance(task, n))
            except OutputError as exc:
                bar.stop()
                _fail([str(exc)])
            except RunSetupError as exc:
                bar.stop()
                _fail([f"{source}: cannot run here: {exc}"])
            except NumericalError as exc:
                bar.stop()
                typer.echo(f"{source}: {exc}", err=True)
                raise typer.Exit(1) from None
    except KeyboardInterrupt:
        if (Path(folder) / "run.json").exists():
            line = f"interrupted: kept in {folder}; resume with `ecosim run --resume {folder}`"
        else:
            line = "interrupted: nothing written"
        typer.echo(line, err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _check_resources(path: Path, scenario) -> None:
    """Refuse (exit 2) a run whose estimated peak memory exceeds the memory available."""
    from ecosystem.resources import available_memory, estimate, human_bytes

    needs, available = estimate(scenario), available_memory()
    if available is not None and needs.total_bytes > available:
        _fail(
            [
                f"{path}: {needs.describe()}: more than the {human_bytes(available)} available "
                "here; make those fields smaller, or pass --force to run anyway"
            ]
        )


def _print_summary(folder: Path, kind: str) -> None:
    from rich.table import Table

    from ecosystem.runner import summarize

    summary = summarize(folder, kind)
    out_console.print(summary.title, markup=False, highlight=False, style="bold")
    for part in summary.tables:
        table = Table(title=part.title, title_justify="left")
        table.add_column("quantity (unit)", justify="left")
        if part.line_title:
            table.add_column(part.line_title, justify="left")
        if any(row.statistic for row in part.rows):
            table.add_column("over replicas", justify="left")
        for point in part.points:
            table.add_column(point, justify="right")
        for row in part.rows:
            cells = [row.label] + ([row.line] if part.line_title else [])
            cells += [row.statistic] if any(r.statistic for r in part.rows) else []
            table.add_row(*cells, *[row.show(v) for v in row.values])
        out_console.print(table)
    for line in summary.takeaways:
        out_console.print(f"- {line}", markup=False, highlight=False)
    for note in summary.notes:
        out_console.print(note, markup=False, highlight=False, style="dim")
    out_console.print(f"run folder: {folder}", markup=False, highlight=False)


@app.command()
def sweep(
    spec: Annotated[Path, typer.Argument(help="Sweep spec YAML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Sweep folder (re-run to complete).")],
    workers: Annotated[int, typer.Option(help="Members run at once.", min=1)] = 1,
    executor: Annotated[
        str, typer.Option(help="local (a process pool) or ray (a Ray cluster or local Ray).")
    ] = "local",
    address: Annotated[
        str | None, typer.Option(help="Ray cluster address (default: RAY_ADDRESS, else local).")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Run more members than the cap of 500.")
    ] = False,
) -> None:
    """Run a sweep: every member a run folder under OUT/runs/, plus runs, outcomes, summary
    (mean and 95% interval over seeds) and, for sobol/morris, sensitivity tables."""
    from ecosystem.sweeps.cli import run_sweep_command

    code = run_sweep_command(spec, out, workers, executor, address, yes, err_console)
    if code:
        raise typer.Exit(code)


@app.command("sweep-policies")
def sweep_policies(
    out: Annotated[Path, typer.Option("--out", "-o", help="Markdown file to write.")] = Path(
        "docs/POLICIES.md"
    ),
    seeds: Annotated[int, typer.Option(help="Seeds per policy (at least 10).", min=2)] = 10,
    workers: Annotated[int, typer.Option(help="Runs at once.", min=1)] = 2,
) -> None:
    """Regenerate docs/POLICIES.md: each policy lever of scenarios/policies/ against no policy."""
    from ecosystem.sweeps.policies import write_policies

    written = write_policies(out, seeds=seeds, workers=workers, console=err_console)
    out_console.print(f"wrote {written}", markup=False, highlight=False)


@app.command()
def dashboard(
    runs: Annotated[Path, typer.Option(help="Folder searched for run folders.")] = Path("runs"),
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8501,
    host: Annotated[
        str, typer.Option(help="Address to bind; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    corpus: Annotated[
        list[Path] | None,
        typer.Option(help="A folder whose .txt files scenarios run here may read (repeatable)."),
    ] = None,
) -> None:
    """Serve the Streamlit dashboard (runs, compare, samples, new run) at http://HOST:PORT."""
    from dashboard.launch import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(f"warning: binding to {host} exposes the dashboard to the network")
    out_console.print(
        f"ecosim dashboard: http://{host}:{port} (runs folder: {runs}); Ctrl+C stops it",
        markup=False,
        highlight=False,
    )
    serve(runs, host, port, list(corpus or []))


@app.command()
def reproduce(
    quick: Annotated[
        bool, typer.Option("--quick", help="Test-size runs and tolerances (seconds, not minutes).")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Markdown file to write (default: docs/REPRODUCTIONS.md; with --quick, "
            "standard output, so the committed full-size table is never replaced).",
        ),
    ] = None,
) -> None:
    """Re-run the paper reproductions (scenarios/papers/) and write their table; exit 1 if a
    row fails."""
    from ecosystem.papers.reproduce import collect, write_text

    report = collect(quick, progress=lambda name: err_console.print(f"running {name}"))
    if out is None and quick:
        sys.stdout.write(report.markdown())
        where = "the table is above (quick results are not written to docs/)"
    else:
        out = out or FULL_REPRODUCTIONS
        write_text(out, report.markdown())
        where = f"wrote {out}"
    passed = len(report.outcomes) - len(report.failures)
    err_console.print(
        f"{passed} of {len(report.outcomes)} rows pass in {report.total_seconds:.0f} s; {where}",
        markup=False,
        highlight=False,
    )
    for outcome in report.failures:
        err_console.print(f"failed: {outcome.reproduction.key}", markup=False, highlight=False)
    if report.failures:
        raise typer.Exit(1)


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="A run folder or a sweep folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the figures to.")],
    format_: Annotated[
        str, typer.Option("--format", help="File format of the figures: png, svg or pdf.")
    ] = "png",
) -> None:
    """Export the main charts of a run or a sweep (the dashboard's), each with a caption file."""
    from dashboard.report import FORMATS, write_report
    from ecosystem.core.errors import RunDirError

    if format_ not in FORMATS:
        _fail([f"--format {format_}: expected one of {', '.join(FORMATS)}"])
    try:
        written = write_report(folder, out, format_)
    except RunDirError as exc:
        _fail([str(exc)])
    for path in written:
        out_console.print(str(path), markup=False, highlight=False)
    out_console.print(
        f"wrote {len(written)} figures with captions to {out}", markup=False, highlight=False
    )


def main() -> None:
    """Console-script entry point. ``ecosim run`` then ends the process at once.

    A finished run has written and closed all it writes; the interpreter's teardown would only
    free, module by module, every object of the finished run (a few tenths of a second). So
    after ``run`` the output streams are flushed and the process exits without it. Other
    commands (sweeps with worker pools, the dashboard) end the usual way, as does an uncaught
    exception, with its traceback.
    """
    if sys.argv[1:2] != ["run"]:
        app()
        return
    try:
        app()
    except SystemExit as stop:
        exit_now(stop.code)
    exit_now(0)


if __name__ == "__main__":  # pragma: no cover
    main()
