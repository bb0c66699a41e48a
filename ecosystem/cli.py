"""The ``ecosim`` command line: run, validate, schema, dashboard, reproduce."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from ecosystem.config import load_scenario, scenario_json_schema
from ecosystem.core.errors import RunSetupError, ScenarioError
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
    try:
        load_scenario(scenario, set_ or [])
    except ScenarioError as exc:
        _fail([str(p) for p in exc.problems])
    out_console.print(f"{scenario}: valid", markup=False, highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
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
    summary = summarize(folder, kind)
    table = Table(title=f"{folder.name}: summary")
    for col in summary.columns:
        table.add_column(col, justify="left" if col == "strategy" else "right")
    for row in summary.iter_rows():
        table.add_row(*[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row])
    out_console.print(table)
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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
