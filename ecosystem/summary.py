"""The summary ``ecosim run`` prints: labelled tables that say which generation, month or
training size each column is, and a one-line takeaway per strategy, trainer or curve.

Every value is a statistic over replicas: the mean, or the median for a metric whose replicas
are heavy-tailed (one collapsed replica can move a mean by orders of magnitude: a Gaussian whose
σ went to 0 has a cross-entropy near 10^16), and the table says which. A metric that is infinite
for every replica (a model without smoothing gives unseen tokens probability 0) is left out with
a note. Labels and units come from the catalog.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from ecosystem.outcomes.entries import Quantity
from ecosystem.outcomes.modalities import SCALING_METRICS, unit
from ecosystem.outcomes.quantities import QUANTITIES


def quantity(column: str) -> Quantity:
    """The catalog entry of ``column`` (a readable fallback for columns it does not know)."""
    return QUANTITIES.get(column) or Quantity(column.replace("_", " ").capitalize())


MIN_REPLICAS_FOR_SPREAD = 5
"""Below this many replicas quartiles say little: only non-finite values call for a median."""
FLAT = 0.02
"""A relative change smaller than this reads as "within ±2%"."""
LOOP_METRICS = {
    "tokens": ["excess_cross_entropy", "cross_entropy", "tail_mass_ratio", "distinct_2"],
    "text": ["cross_entropy", "excess_cross_entropy", "distinct_2"],
    "vectors": ["sigma_ratio", "w2"],
    "labeled": ["test_risk"],
}
"""Metrics a loop summary shows, by truth modality, when the run has them (the dashboard has
every metric; a vector run's cross-entropy, for one, only restates its σ ratio)."""
ANY_LOOP_METRICS = list(dict.fromkeys(m for ms in LOOP_METRICS.values() for m in ms))
WEB = ["ai_share_new", "ai_share_web", "human_authors_active", "adopter_share"]
MODEL_METRICS = ["excess_cross_entropy", "train_ai_share"]


@dataclass(frozen=True)
class Row:
    """One line of a summary table: a quantity of one strategy, trainer or curve.

    Attributes:
        quantity: the column it summarises (a catalog name).
        line: the strategy, trainer or curve ("" for the web as a whole).
        statistic: how replicas were combined: mean, median, or "" (one value).
        values: one value per point of the table.
        unit: the unit shown (the catalog's, adapted to the data's modality).
    """

    quantity: str
    line: str
    statistic: str
    values: list[float]
    unit: str

    @property
    def label(self) -> str:
        """The quantity's label and unit (shares are shown as percentages, without one)."""
        name = quantity(self.quantity).label
        return f"{name} ({self.unit})" if self.unit and self.unit != "share" else name

    @property
    def short_unit(self) -> str:
        """The unit after a number: "nats/token", not a description such as "model ÷ truth"."""
        return "" if self.unit == "share" or " " in self.unit else self.unit

    def show(self, value: float) -> str:
        """A value as text (shares as percentages, counts with separators)."""
        if not np.isfinite(value):
            return "∞" if value > 0 else ("−∞" if value < 0 else "n/a")
        return quantity(self.quantity).show(value)


@dataclass(frozen=True)
class Table:
    """One table of a summary.

    Attributes:
        title: what it shows.
        points: the name of each value column ("generation 0", "month 30", "T = 1,000").
        rows: its lines.
        line_title: the header of the line column (strategy, trainer, human data).
    """

    title: str
    points: list[str]
    rows: list[Row]
    line_title: str = ""

    def frame(self) -> pl.DataFrame:
        """The table as numbers: quantity, line, statistic, then one column per point."""
        return pl.DataFrame(
            {
                "quantity": [r.quantity for r in self.rows],
                "line": [r.line for r in self.rows],
                "statistic": [r.statistic for r in self.rows],
                **{p: [r.values[i] for r in self.rows] for i, p in enumerate(self.points)},
            },
            schema_overrides={p: pl.Float64 for p in self.points},
        )


@dataclass(frozen=True)
class Summary:
    """What ``ecosim run`` prints about a finished run.

    Attributes:
        title: the run and its size.
        tables: the labelled tables.
        takeaways: one line per strategy, trainer or curve.
        notes: how the values were computed and what was left out.
    """

    title: str
    tables: list[Table]
    takeaways: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def values(self) -> np.ndarray:
        """Every value of every table (for checks)."""
        parts = [t.frame().select(t.points).to_numpy().ravel() for t in self.tables if t.rows]
        return np.concatenate(parts) if parts else np.array([])


# ---------------------------------------------------------------------------- statistics
def _stats(frame: pl.DataFrame, keys: list[str], metrics: list[str]) -> pl.DataFrame:
    """Per group of ``keys``: mean, median, spread (twice the interquartile range) and
    non-finite count of each metric over its replicas."""
    aggs = [pl.len().alias("replicas")]
    for m in metrics:
        v = pl.col(m).cast(pl.Float64)
        aggs += [
            v.mean().alias(f"{m}:mean"),
            v.median().alias(f"{m}:median"),
            (2 * (v.quantile(0.75) - v.quantile(0.25))).alias(f"{m}:spread"),
            (~v.is_finite()).sum().alias(f"{m}:bad"),
        ]
    return frame.group_by(keys, maintain_order=True).agg(aggs)


def _summary_stats(summary: pl.DataFrame, keys: list[str], metrics: list[str]) -> pl.DataFrame:
    """:func:`_stats` of a run that kept statistics over replicas only (``generations_summary``:
    one row per key and metric); the spread is the 10-90% range (≈ twice the interquartile
    range for a normal law: 2.56σ against 2.70σ)."""
    rows = summary.filter(pl.col("metric").is_in(metrics))
    wide = rows.group_by(keys, maintain_order=True).agg(pl.col("replicas").max())
    for m in metrics:
        part = rows.filter(pl.col("metric") == m).select(
            *keys,
            pl.col("mean").alias(f"{m}:mean"),
            pl.col("median").alias(f"{m}:median"),
            (pl.col("q90") - pl.col("q10")).alias(f"{m}:spread"),
            (pl.col("replicas") - pl.col("finite")).alias(f"{m}:bad"),
        )
        wide = wide.join(part, on=keys, how="left", maintain_order="left")
    return wide


def _statistic(stats: pl.DataFrame, metric: str) -> str:
    """mean, or median when any group's replicas are heavy-tailed ("" for single values)."""
    if stats["replicas"].max() <= 1:
        return ""
    mean, median = stats[f"{metric}:mean"].to_numpy(), stats[f"{metric}:median"].to_numpy()
    spread = stats[f"{metric}:spread"].to_numpy()
    with np.errstate(invalid="ignore"):
        # a mean more than two interquartile ranges from the median: a few replicas run off
        pulled = ~(np.abs(mean - median) <= np.maximum(spread, 1e-12 * np.abs(median)))
    few = stats["replicas"].to_numpy() < MIN_REPLICAS_FOR_SPREAD  # too few for quartiles
    heavy = bool((stats[f"{metric}:bad"].to_numpy() > 0).any() or (pulled & ~few).any())
    return "median" if heavy else "mean"


def _value(stats: pl.DataFrame, metric: str, statistic: str) -> np.ndarray:
    return stats[f"{metric}:{statistic or 'mean'}"].to_numpy()


def _all_infinite(stats: pl.DataFrame, metric: str) -> bool:
    return bool((stats[f"{metric}:bad"] == stats["replicas"]).all())


def _change(first: float, last: float) -> str:
    """ "+31%", "within ±2%", or the absolute change when the start is 0."""
    if not (np.isfinite(first) and np.isfinite(last)):
        return f"{first:.3g} → {last:.3g}"
    if first == 0:
        return "unchanged" if last == 0 else f"{last - first:+.3g}"
    rel = (last - first) / abs(first)
    if abs(rel) < FLAT:
        return f"within ±{FLAT:.0%}"
    return f"×{last / first:.2g}" if -1 < rel <= -0.995 else f"{rel:+.0%}"


def _takeaway(line: str, row: Row, span: str) -> str:
    first, last = row.values[0], row.values[-1]
    label = quantity(row.quantity).label
    label = label[0].lower() + label[1:] if not label[:2].isupper() else label
    shown = f"{row.show(first)} → {row.show(last)}" + (
        f" {row.short_unit}" if row.short_unit else ""
    )
    return f"{line}: {label} {_change(first, last)} {span} ({shown})"


def _points(values: list[int], every: Callable[[int], str]) -> tuple[list[int], list[str]]:
    """First, middle and last of sorted ``values`` (fewer when there are fewer), named."""
    values = sorted(set(values))
    picked = sorted({values[0], values[len(values) // 2], values[-1]})
    return picked, [every(v) for v in picked]


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _meta(folder: Path) -> dict:
    try:
        return json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _modality(meta: dict) -> str | None:
    truth = (meta.get("scenario") or {}).get("truth") or {}
    return truth.get("modality") if isinstance(truth, dict) else None


def _replicas_note(stats: pl.DataFrame, used: dict[str, str]) -> list[str]:
    medians = [quantity(m).label for m, s in used.items() if s == "median"]
    replicas = int(stats["replicas"].max())
    if replicas <= 1:
        return ["One replica: each value is that replica's."]
    note = f"Each value is the mean over {replicas:,} replicas"
    if medians:
        note += (
            f", except {', '.join(medians)}: the median, because some replicas collapsed and "
            "would dominate a mean"
        )
    return [note + "."]


def _infinite_note(metric: str) -> str:
    return (
        f"{quantity(metric).label} is infinite for every replica (the model gives tokens it "
        "never saw probability 0), so it is left out."
    )


# ---------------------------------------------------------------------------- loop
def loop_summary(folder: Path) -> Summary:
    """A loop run: each metric per strategy at the first, middle and last generation."""
    meta = _meta(folder)
    modality = _modality(meta)
    menu = LOOP_METRICS.get(modality or "", ANY_LOOP_METRICS)
    keys = ["strategy", "generation"]
    summary_only = not (folder / "generations.parquet").is_file()
    if summary_only:  # statistics over replicas only (metrics.replica_rows)
        summary = pl.read_parquet(folder / "generations_summary.parquet")
        have = set(summary["metric"].unique().to_list())
        metrics = [m for m in menu if m in have]
        picked, names = _points(summary["generation"].to_list(), lambda g: f"generation {g:,}")
        rows_in = summary.filter(pl.col("generation").is_in(picked))
        stats = _summary_stats(rows_in, keys, metrics).sort(keys)
    else:
        generations = pl.read_parquet(folder / "generations.parquet")
        metrics = [m for m in menu if m in generations.columns]
        picked, names = _points(generations["generation"].to_list(), lambda g: f"generation {g:,}")
        rows_in = generations.filter(pl.col("generation").is_in(picked))
        stats = _stats(rows_in, keys, metrics).sort(keys)
    notes, used, rows = [], {}, []
    for metric in metrics:
        if _all_infinite(stats, metric):
            notes.append(_infinite_note(metric))
            continue
        used[metric] = statistic = _statistic(stats, metric)
        for (strategy,), part in stats.group_by("strategy", maintain_order=True):
            values = _value(part.sort("generation"), metric, statistic).tolist()
            rows.append(Row(metric, strategy, statistic, values, unit(metric, modality)))
    last = picked[-1]
    headline = next(iter(used), None)
    takeaways = [
        _takeaway(r.line, r, f"over {last:,} generations") for r in rows if r.quantity == headline
    ]
    replicas = int(stats["replicas"].max())
    title = f"{folder.name}: {_count(replicas, 'replica')} × {_count(last, 'generation')}"
    if summary_only:
        notes.append(
            "The run kept statistics over replicas only (generations_summary.parquet); "
            "`--set metrics.replica_rows=true` keeps every replica's rows."
        )
    return Summary(
        title,
        [Table("per strategy", names, rows, "strategy")],
        takeaways,
        _replicas_note(stats, used) + notes,
    )


# ---------------------------------------------------------------------------- scaling
def scaling_folder_summary(folder: Path) -> Summary:
    """A scaling run: test error per share of human data at the smallest, a middle and the
    largest training size, with the closed form where the run records it."""
    meta = _meta(folder)
    modality = _modality(meta)
    scaling = pl.read_parquet(folder / "scaling.parquet")
    metrics = [m for m in SCALING_METRICS if m in scaling.columns]
    picked, names = _points(scaling["train_size"].to_list(), lambda t: f"T = {t:,}")
    stats = _stats(
        scaling.filter(pl.col("train_size").is_in(picked)),
        ["real_fraction", "train_size"],
        metrics,
    ).sort("real_fraction", "train_size")
    closed = (
        pl.read_parquet(folder / "closed_form.parquet")
        if (folder / "closed_form.parquet").is_file()
        else None
    )
    notes, used, rows = [], {}, []
    for metric in metrics:
        if _all_infinite(stats, metric):
            notes.append(_infinite_note(metric))
            continue
        used[metric] = statistic = _statistic(stats, metric)
        for (share,), part in stats.group_by("real_fraction", maintain_order=True):
            values = _value(part.sort("train_size"), metric, statistic).tolist()
            line = f"{share:.0%} human"
            rows.append(Row(metric, line, statistic, values, unit(metric, modality)))
            if closed is not None and metric in closed.columns:
                expected = closed.filter(
                    (pl.col("real_fraction") == share) & pl.col("train_size").is_in(picked)
                ).sort("train_size")
                rows.append(Row(metric, f"{line}, closed form", "", expected[metric].to_list(), ""))
    headline = next(iter(used), None)
    span = f"from T = {picked[0]:,} to {picked[-1]:,}"
    takeaways = [
        _takeaway(r.line, r, span)
        for r in rows
        if r.quantity == headline and not r.line.endswith("closed form")
    ]
    if closed is not None:
        notes.append("Closed form: the memoriser's exact expected test error, Σ p_i (1 − q_i)^T.")
    replicas = int(stats["replicas"].max())
    title = f"{folder.name}: {_count(replicas, 'replica')} per point"
    return Summary(
        title,
        [Table("per share of human data", names, rows, "human data")],
        takeaways,
        _replicas_note(stats, used) + notes,
    )


# ---------------------------------------------------------------------------- ecosystem
def ecosystem_folder_summary(folder: Path) -> Summary:
    """An ecosystem run: the web at its first, middle and last month; each trainer's model at
    its first, middle and latest generation; a takeaway per trainer against the control."""
    steps = pl.read_parquet(folder / "steps.parquet")
    generations = pl.read_parquet(folder / "generations.parquet").sort("trainer", "generation")
    tables, takeaways = [], []
    if steps.height:
        picked, names = _points(steps["step"].to_list(), lambda s: f"month {s}")
        at = steps.filter(pl.col("step").is_in(picked)).sort("step")
        rows = [
            Row(c, "", "", at[c].cast(pl.Float64).to_list(), quantity(c).unit)
            for c in WEB
            if c in steps.columns
        ]
        tables.append(Table("the web", names, rows))
        if "ai_share_new" in steps.columns:
            takeaways.append(
                f"the web: AI share of new documents {rows[0].show(rows[0].values[0])} → "
                f"{rows[0].show(rows[0].values[-1])} by month {picked[-1]}"
            )
    model_rows, spans = [], {}
    for (trainer,), part in generations.group_by("trainer", maintain_order=True):
        picked, _ = _points(part["generation"].to_list(), str)
        at = part.filter(pl.col("generation").is_in(picked)).sort("generation")
        spans[trainer] = (picked, at["step"].to_list())
        for c in MODEL_METRICS:
            if c in part.columns:
                model_rows.append(
                    Row(c, trainer, "", at[c].cast(pl.Float64).to_list(), quantity(c).unit)
                )
    if model_rows:
        shapes = {tuple(map(tuple, v)) for v in spans.values()}
        if len(shapes) == 1:
            gens, months = next(iter(spans.values()))
            names = [f"generation {g} (month {m})" for g, m in zip(gens, months, strict=True)]
        else:
            names = ["first", "middle", "latest"][: len(model_rows[0].values)]
        tables.append(Table("each trainer's model", names, model_rows, "trainer"))
        takeaways += _trainer_takeaways(generations, model_rows, spans)
    last = int(steps["step"].max()) + 1 if steps.height else 0
    return Summary(
        f"{folder.name}: {_count(last, 'month')}",
        tables,
        takeaways,
        ["One run: each value is the run's own (no replicas to average)."],
    )


def _trainer_takeaways(
    generations: pl.DataFrame, rows: list[Row], spans: dict[str, tuple[list, list]]
) -> list[str]:
    """Per trainer: its excess cross-entropy's change, and how far its latest model is from
    the human-only control's."""
    quality = {r.line: r for r in rows if r.quantity == "excess_cross_entropy"}
    controls = []
    if "human_only" in generations.columns:
        controls = (
            generations.filter(pl.col("human_only"))["trainer"]
            .unique(maintain_order=True)
            .to_list()
        )
    out = []
    for trainer, row in quality.items():
        gens = spans[trainer][0][-1]
        line = _takeaway(trainer, row, f"over {gens} generations")
        control = next((c for c in controls if c != trainer and c in quality), None)
        if control is not None:
            base = quality[control].values[-1]
            line += f"; {_change(base, row.values[-1])} against {control}'s latest"
        out.append(line)
    return out


SUMMARIES: dict[str, Callable[[Path], Summary]] = {
    "loop": loop_summary,
    "scaling": scaling_folder_summary,
    "ecosystem": ecosystem_folder_summary,
}
"""The summary of each scenario kind's run folder."""
