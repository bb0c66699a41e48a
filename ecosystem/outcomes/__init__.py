"""The outcome catalog: every output column of every table of every scenario kind, defined once.

A column's entry says which table holds it, its polars dtype, a label and unit for people, a
number format, which way is better and what it means. Everything else reads it: the reporters'
table schemas (:func:`schema`), the runner, which conforms every table of every run to it
(:func:`conform`: catalog order and dtypes; a column it does not list is an error), the CLI
summaries (:func:`titled`), the dashboard's axis titles and deltas (``dashboard.catalog``) and
the reference ``docs/OUTPUTS.md`` (:func:`outputs_markdown`; regenerate with
``python -m ecosystem.outcomes docs/OUTPUTS.md``).

Lookups: :func:`outcome` (one column: ``outcome("tail_mass_ratio").better``), :func:`table` and
:func:`tables` (a kind's tables), :func:`schema` (a polars schema).

The catalog lives in ``quantities.py`` and ``world_quantities.py`` (what each column name
means: ``QUANTITIES``; the second holds the ecosystem's web, firms, holdings and money) and
``tables.py`` (each table's columns in order, with dtypes: ``TABLES``). Adding an output column:

1. ``quantities.py`` (keys, training data, model quality) or ``world_quantities.py`` (the
   ecosystem's web and firms): a :class:`Quantity` (label, unit, format, better, one-line
   meaning) unless the name already has one;
2. ``tables.py``: ``col(name, dtype)`` in its table, at the position the column takes in the
   table (``when="..."`` if only some runs write it; a third argument if its meaning in this
   table differs from the shared one); a new table is one more ``_table(...)``;
3. the code that makes the rows. ``kind: ecosystem`` (``ecosystem/world/reporters.py``): a
   ``steps`` column is a function named like the column (``STEP_REPORTERS`` finds it by name);
   a learner metric reaches ``generations`` by its name in what ``ModelTrainer.train`` returns;
   another ``generations`` or ``firms`` column is a key of ``generation_row`` or ``firm_rows``; a
   new table is a reporter function called from ``Recorder.collect`` (the recorder already holds
   every ecosystem table of the catalog). The lab kinds: the code in ``ecosystem/lab/`` that
   builds the frame;
4. ``python -m ecosystem.outcomes docs/OUTPUTS.md``.

``tests/test_outcomes.py`` fails until they agree: it runs small scenarios of every kind and
learner and checks that every column they write is in the catalog with its dtype and order, that
every catalog column is written by one of them (extend its ``RUNS`` when a column needs a
setting they lack), and that ``docs/OUTPUTS.md`` is current.
"""

from __future__ import annotations

import polars as pl

from ecosystem.outcomes.entries import Better, Outcome, Quantity, Table, col
from ecosystem.outcomes.quantities import QUANTITIES
from ecosystem.outcomes.reference import outputs_markdown
from ecosystem.outcomes.tables import KINDS, TABLES

__all__ = [
    "KINDS",
    "QUANTITIES",
    "TABLES",
    "Better",
    "Outcome",
    "Quantity",
    "Table",
    "col",
    "conform",
    "outcome",
    "outputs_markdown",
    "schema",
    "table",
    "tables",
    "titled",
]

_BY_KEY = {(t.kind, t.name): t for t in TABLES}


def tables(kind: str) -> tuple[Table, ...]:
    """The tables a run of ``kind`` can write, in catalog order."""
    if kind not in KINDS:
        raise KeyError(f"unknown scenario kind {kind!r}; known: {', '.join(KINDS)}")
    return tuple(t for t in TABLES if t.kind == kind)


def table(name: str, kind: str) -> Table:
    """The table ``name`` of scenario kind ``kind``."""
    found = _BY_KEY.get((kind, name))
    if found is None:
        known = ", ".join(t.name for t in tables(kind))
        raise KeyError(f"no table {name!r} in kind {kind!r}; known: {known}")
    return found


def schema(name: str, kind: str) -> dict[str, pl.DataType]:
    """The polars schema (column to dtype, in table order) of table ``name`` of ``kind``."""
    return table(name, kind).schema


def outcome(name: str, table: str | None = None, kind: str | None = None) -> Outcome:
    """The catalog entry of column ``name``: the first in catalog order among the tables that
    match ``table`` and ``kind`` when given (labels, units, formats and directions are the same
    in every table; dtypes and meanings may differ).

    Raises:
        KeyError: no such column (in that table).
    """
    for t in TABLES:
        if (table is None or t.name == table) and (kind is None or t.kind == kind):
            for c in t.columns:
                if c.name == name:
                    return c
    where = "".join(f" {k}={v!r}" for k, v in (("table", table), ("kind", kind)) if v)
    raise KeyError(f"no output column {name!r}{where} in the outcome catalog")


def titled(frame: pl.DataFrame, table: str, kind: str) -> pl.DataFrame:
    """``frame`` with each column of ``table`` renamed to its title (label and unit), for people.

    Columns the catalog does not know (counts, derived values) keep their names.
    """
    columns = {c.name: c for c in _BY_KEY[(kind, table)].columns}
    return frame.rename({c: columns[c].title for c in frame.columns if c in columns})


def conform(frame: pl.DataFrame, table: str, kind: str) -> pl.DataFrame:
    """``frame`` as the catalog defines table ``table`` of ``kind``: its columns (those it has) in
    catalog order, cast to the catalog's dtypes.

    Raises:
        KeyError: a column the catalog does not list (add it to ``ecosystem/outcomes/``).
    """
    spec = _BY_KEY[(kind, table)].schema
    unknown = [c for c in frame.columns if c not in spec]
    if unknown:
        raise KeyError(
            f"{kind} table {table!r}: columns not in the outcome catalog: {unknown} "
            "(add them to ecosystem/outcomes/)"
        )
    return frame.select(pl.col(c).cast(dtype) for c, dtype in spec.items() if c in frame.columns)
