"""Catalog entries: what a column name means (Quantity), one column of one table (Outcome), a
table (Table), and the builders the catalog is written with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

Better = Literal["lower", "higher", "one"] | None

SHARE = ".0%"  # shares in [0, 1], shown as percentages
COUNT = ",.0f"  # whole numbers with thousands separators
NUMBER = ".3~g"  # three significant digits
ID = ""  # identifiers, text and flags: shown as they are


@dataclass(frozen=True)
class Quantity:
    """What a column name means wherever it appears, and how to show it.

    Attributes:
        label: a short name for people.
        unit: the unit (or what the number means), shown after the label.
        fmt: a d3 number format for axes and tooltips (``%`` formats are shares in [0, 1]);
            empty for text, flags and identifiers.
        better: which way is better: ``lower``, ``higher``, ``one`` (closest to 1), or None.
        meaning: one sentence on what it measures.
    """

    label: str
    unit: str = ""
    fmt: str = NUMBER
    better: Better = None
    meaning: str = ""

    @property
    def title(self) -> str:
        """The label with its unit, for axis titles and table headers."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def show(self, value: float | None, signed: bool = False) -> str:
        """A value as text for people (shares as percentages)."""
        if value is None:
            return "n/a"
        sign = "+" if signed else ""
        if self.fmt.endswith("%"):
            return f"{100 * value:+.1f} pts" if signed else f"{value:.1%}"
        if self.fmt.startswith(","):
            return f"{value:{sign},.0f}"
        return f"{value:{sign}.3g}"


@dataclass(frozen=True, kw_only=True)
class Outcome(Quantity):
    """One column of one table: a :class:`Quantity` plus where it lives and its dtype.

    Attributes:
        kind: the scenario kind whose runs write the table.
        table: the table (its file is ``TABLE.parquet`` in the run folder).
        name: the column name.
        dtype: its polars dtype.
        when: empty when every run of the kind writes the column, else the runs that do, as
            a phrase that follows "only with" (e.g. "the `gmm` learner").
    """

    kind: str
    table: str
    name: str
    dtype: pl.DataType
    when: str = ""


@dataclass(frozen=True)
class Table:
    """One table of a scenario kind: its rows and its columns in order.

    Attributes:
        kind: the scenario kind whose runs write it.
        name: the table name (file stem).
        rows: what one row is.
        when: empty when every run of the kind writes it, else the runs that do, as a phrase
            that follows "written with".
        columns: its columns, in table order.
    """

    kind: str
    name: str
    rows: str
    when: str = ""
    columns: tuple[Outcome, ...] = field(default=())

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """Column name to polars dtype, in table order."""
        return {c.name: c.dtype for c in self.columns}


@dataclass(frozen=True)
class Column:
    """A column as a table declares it (see :func:`col`)."""

    name: str
    dtype: pl.DataType
    meaning: str | None
    when: str


def col(name: str, dtype: pl.DataType, meaning: str | None = None, when: str = "") -> Column:
    """A column of a table: its name (a key of ``QUANTITIES``), its dtype, this table's meaning
    where it differs from the shared one, and ``when`` if only some runs write it."""
    return Column(name, dtype, meaning, when)


def build_table(
    quantities: dict[str, Quantity],
    kind: str,
    name: str,
    rows: str,
    *cols: Column,
    when: str = "",
) -> Table:
    """A :class:`Table` whose columns join each declared column with its shared quantity."""
    missing = [c.name for c in cols if c.name not in quantities]
    if missing:
        raise KeyError(f"{kind} {name}: columns without a Quantity in QUANTITIES: {missing}")
    outcomes = tuple(
        Outcome(
            **vars(quantities[c.name]) | ({"meaning": c.meaning} if c.meaning else {}),
            kind=kind,
            table=name,
            name=c.name,
            dtype=c.dtype,
            when=c.when,
        )
        for c in cols
    )
    return Table(kind, name, rows, when, outcomes)
