"""The ``ecosim`` command line: run, validate, schema, dashboard, reproduce, report."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from ecosystem.config import load_scenario, scenario_json_schema
from ecosystem.core.errors import Problem, RunSetupError, ScenarioError
from ecosystem.runner import RunSpec, execute, progress_total, summarize

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
FULL_REPRODUCTIONS = Path("docs/REPRODUCTIONS.md")
SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
"""Scenario names usable as a folder name under runs/ without --out."""
"""Where ``ecosim run`` writes when no --out is given: runs/<scenario name>."""


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
    notices: list[Problem] = []
    try:
        load_scenario(scenario, set_ or [], notices)
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    _notify(notices)
    out_console.print(f"{scenario}: valid", markup=False, highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
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
    overwrite: Annotated[bool, typer.Option(help="Replace an existing run folder.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run a scenario and write its run folder (run.json and Parquet tables); Ctrl+C stops it
    with exit code 130, writing nothing."""
    spec = RunSpec(Path(scenario), Path(out or "."), list(set_ or []), seed, overwrite)
    notices: list[Problem] = []
    try:
        resolved = load_scenario(spec.scenario_path, spec.all_overrides(), notices)
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
    out, overwrite = spec.out, spec.overwrite
    if out.exists() and not overwrite:
        _fail([f"{out}: already exists (choose another --out, or pass --overwrite)"])
    if out.exists() and not out.is_dir():
        _fail([f"{out}: exists and is not a folder"])
    show_bar = not quiet and err_console.is_terminal
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
            folder = execute(spec, resolved, lambda n: bar.advance(task, n))
        except RunSetupError as exc:
            bar.stop()
            _fail([f"{spec.scenario_path}: cannot run here: {exc}"])
        except KeyboardInterrupt:
            bar.stop()
            err_console.print("interrupted: nothing written", markup=False, highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
    _print_summary(folder, resolved.kind)


def _print_summary(folder: Path, kind: str) -> None:
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
def dashboard(
    runs: Annotated[Path, typer.Option(help="Folder searched for run folders.")] = Path("runs"),
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8501,
    host: Annotated[
        str, typer.Option(help="Address to bind; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
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
    serve(runs, host, port)


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
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
