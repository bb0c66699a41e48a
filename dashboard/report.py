"""``ecosim report``: the main charts of a run or a sweep as files for a paper, with captions.

The charts are the dashboard's own (``figures`` and ``sweep_figures``), exported with Altair's
exporter (vl-convert): PNG, SVG or PDF by file suffix. Each chart gets a ``.txt`` caption
beside it. No Streamlit is imported.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from dashboard import summaries, sweep_figures, sweeps
from dashboard.catalog import LOOP_METRICS, offered
from dashboard.figures import (
    Figure,
    ecosystem_figures,
    loop_metric,
    scaling_curves,
    scaling_error,
)
from ecosystem.core.errors import RunDirError
from ecosystem.outcomes.modalities import SCALING_METRICS

FORMATS = ("png", "svg", "pdf")
WIDTH = 640
"""Chart width in pixels (the dashboard stretches charts to the page; a file needs a size)."""
SCALE = 2
"""PNG pixels per chart pixel (sharp in print)."""


class NoChartsError(RunDirError):
    """The folder is readable but its kind has no charts to export."""


def _read(folder: Path, table: str) -> pl.DataFrame:
    path = folder / f"{table}.parquet"
    if not path.is_file():
        raise RunDirError(f"{path}: missing; the run may be incomplete.")
    try:
        return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise RunDirError(f"{path}: not readable Parquet ({exc}).") from None


def _scan(folder: Path, table: str) -> pl.LazyFrame:
    """A lazy scan of one table, checked readable now (a lab run's table can be large)."""
    path = folder / f"{table}.parquet"
    if not path.is_file():
        raise RunDirError(f"{path}: missing; the run may be incomplete.")
    frame = pl.scan_parquet(path)
    try:
        frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise RunDirError(f"{path}: not readable Parquet ({exc}).") from None
    return frame


def _meta(folder: Path) -> dict:
    path = folder / "run.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RunDirError(f"{path}: corrupt ({exc}).") from None
    if not isinstance(meta, dict):
        raise RunDirError(f"{path}: corrupt (expected a JSON object).")
    return meta


def run_figures(folder: Path) -> list[Figure]:
    """The Runs page's main charts of one run folder.

    Raises:
        NoChartsError: the run's kind has no dashboard charts.
        RunDirError: the folder or a table cannot be read.
    """
    meta = _meta(folder)
    kind = meta.get("kind")
    if kind == "ecosystem":
        firms = _read(folder, "firms") if (folder / "firms.parquet").is_file() else None
        return ecosystem_figures(meta, _read(folder, "steps"), _read(folder, "generations"), firms)
    if kind == "loop":
        if (
            not (folder / "generations.parquet").is_file()
            and (folder / "generations_summary.parquet").is_file()
        ):  # statistics over replicas only (metrics.replica_rows)
            summary = _scan(folder, "generations_summary")
            names = summary.select(pl.col("metric").unique()).collect()["metric"].to_list()
            bands = summaries.summary_bands
            generations = summary
        else:
            generations = _scan(folder, "generations")
            names = generations.collect_schema().names()
            bands = summaries.bands
        metrics = offered(names, LOOP_METRICS)
        shown = metrics[:1] + [m for m in ("train_ai_share",) if m in metrics[1:]]
        return [
            loop_metric(bands(generations, m, "generation", "strategy").collect(), m, "strategy")
            for m in shown
        ]
    if kind == "scaling":
        scaling = _scan(folder, "scaling")
        metric = next((m for m in SCALING_METRICS if m in scaling.collect_schema().names()), None)
        if metric is not None:
            bands = summaries.bands(scaling, metric, "train_size", "real_fraction").collect()
            closed = (
                _read(folder, "closed_form") if (folder / "closed_form.parquet").is_file() else None
            )
            curves = scaling_curves(bands, closed, metric)
            return [scaling_error(curves, metric, _modality(meta))]
    raise NoChartsError(
        f"{folder}: {kind} runs have no dashboard charts yet, so there is nothing to export "
        "(charts exist for ecosystem, loop and scaling runs, and for sweeps)."
    )


def _modality(meta: dict) -> str | None:
    truth = (meta.get("scenario") or {}).get("truth") or {}
    return truth.get("modality") if isinstance(truth, dict) else None


def sweep_figures_of(folder: Path) -> list[Figure]:
    """A sweep's charts: per outcome a heatmap, lines with 95% bands, sensitivity bars."""
    sweep = sweeps.open_sweep(folder)
    summary = sweeps.read_table(sweep, "summary")
    table = sweeps.read_table(sweep, "sensitivity") if sweep.has_table("sensitivity") else None
    return sweep_figures.default_figures(sweep, summary, table)


def figures_of(folder: Path) -> list[Figure]:
    """The charts of a run folder or a sweep folder."""
    folder = Path(folder)
    if sweeps.is_sweep(folder):
        return sweep_figures_of(folder)
    if not (folder / "run.json").is_file():
        raise RunDirError(
            f"{folder}: neither a run folder (run.json) nor a sweep folder (sweep.json)."
        )
    return run_figures(folder)


def write_report(folder: Path, out: Path, fmt: str = "png") -> list[Path]:
    """Export every chart of ``folder`` into ``out`` as ``fmt``, each with a ``.txt`` caption.

    Returns:
        The chart files written.

    Raises:
        ValueError: ``fmt`` is not png, svg or pdf.
        RunDirError: the folder cannot be read, or has no charts.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    found = figures_of(folder)
    if not found:
        raise NoChartsError(f"{folder}: no chart to export (no outcome or parameter).")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for figure in found:
        path = out / f"{figure.stem}.{fmt}"
        chart = figure.chart.properties(width=WIDTH)
        if fmt == "png":
            chart.save(str(path), scale_factor=SCALE)
        else:
            chart.save(str(path))
        path.with_suffix(".txt").write_text(f"{figure.title}\n\n{figure.caption}\n", "utf-8")
        written.append(path)
    return written
