"""The ``ecosim`` command line: run, validate, schema, dashboard, reproduce, report.

Heavy modules (the scenario models, the runner and what it pulls in: scipy, polars, torch,
Mesa) are imported inside the commands that use them, so ``ecosim --help`` starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ecosystem.core.errors import RunSetupError, ScenarioError

app = typer.Typer(
    help="ecosim: simulate the web as a training-data commons (model collapse, data moats).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True)

EXIT_BAD_INPUT = 2


def _fail(problems: list[str]) -> None:
    for line in problems:
        typer.echo(line, err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a field: key.path=value.")
    ] = None,
) -> None:
    """Check a scenario file; exit 0 when valid, 2 with one line per error otherwise."""
    from ecosystem.config import load_scenario

    try:
        load_scenario(scenario, set_ or [])
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    out_console.print(f"{scenario}: valid", markup=False, highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
    from ecosystem.config import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder to create.")],
    seed: Annotated[
        int | None, typer.Option(help="Run seed (replaces the scenario's).", min=0)
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a field: key.path=value.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing run folder.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run a scenario and write its run folder (run.json and Parquet tables)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from ecosystem.config import load_scenario
    from ecosystem.runner import RunSpec, execute, progress_total

    spec = RunSpec(Path(scenario), Path(out), list(set_ or []), seed, overwrite)
    try:
        resolved = load_scenario(spec.scenario_path, spec.all_overrides())
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    if spec.out.exists() and not overwrite:
        _fail([f"{spec.out}: already exists (choose another --out, or pass --overwrite)"])
    if spec.out.exists() and not spec.out.is_dir():
        _fail([f"{spec.out}: exists and is not a folder"])
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
    _print_summary(folder, resolved.kind)


def _print_summary(folder: Path, kind: str) -> None:
    from rich.table import Table

    from ecosystem.runner import summarize

    summary = summarize(folder, kind)
    table = Table(title=f"{folder.name}: summary")
    for col in summary.columns:
        text = not summary.schema[col].is_numeric()
        table.add_column(col, justify="left" if text else "right")
    for row in summary.iter_rows():
        table.add_row(*[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row])
    out_console.print(table)
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
    out: Annotated[Path, typer.Option("--out", "-o", help="Markdown file to write.")] = Path(
        "docs/REPRODUCTIONS.md"
    ),
) -> None:
    """Re-run the paper reproductions (scenarios/papers/) and write their table; exit 1 if a
    row fails."""
    from ecosystem.papers.reproduce import collect, write_text

    report = collect(quick, progress=lambda name: err_console.print(f"running {name}"))
    write_text(out, report.markdown())
    passed = len(report.outcomes) - len(report.failures)
    out_console.print(
        f"{passed} of {len(report.outcomes)} rows pass in {report.total_seconds:.0f} s; "
        f"wrote {out}",
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
