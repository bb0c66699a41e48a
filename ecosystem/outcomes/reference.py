"""The Markdown reference of every output table (``docs/OUTPUTS.md``), made from the catalog."""

from __future__ import annotations

import sys
from pathlib import Path

from ecosystem.outcomes.entries import Table
from ecosystem.outcomes.tables import KINDS, TABLES

_BETTER = {"lower": "lower", "higher": "higher", "one": "closer to 1", None: ""}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table_markdown(t: Table) -> str:
    """A Markdown section for one table: its rows, when it is written, its columns."""
    head = f"### `{t.name}.parquet`\n\nOne row per {t.rows}."
    if t.when:
        head += f" Written with {t.when}."
    lines = [
        head,
        "",
        "| column | dtype | label | unit | better | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for c in t.columns:
        meaning = c.meaning + (f" *Only with {c.when}.*" if c.when else "")
        lines.append(
            f"| `{c.name}` | {c.dtype} | {_cell(c.label)} | {_cell(c.unit)} "
            f"| {_BETTER[c.better]} | {_cell(meaning)} |"
        )
    return "\n".join(lines)


_INTRO = """# Output tables

Generated from the outcome catalog (`ecosystem/outcomes/`); do not edit by hand. Regenerate:

```bash
.venv/bin/python -m ecosystem.outcomes docs/OUTPUTS.md
```

A run folder holds `run.json` (the resolved scenario, seed, package versions, timestamps, status,
wall time and the row count of each table) and one Parquet file per table below. Read them with
polars, lazily: `pl.scan_parquet("runs/NAME/generations.parquet")`. *better* says which way a
number improves (*closer to 1*: a ratio to the truth); *unit* is the unit or what the number
means; a null is a value that does not exist yet (nothing deployed) or does not apply."""


def outputs_markdown() -> str:
    """The Markdown reference of every table of every scenario kind (``docs/OUTPUTS.md``)."""
    parts = [_INTRO]
    for kind in KINDS:
        parts.append(f"## `kind: {kind}`")
        parts.extend(table_markdown(t) for t in TABLES if t.kind == kind)
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the reference to the path given (``docs/OUTPUTS.md``), or print it."""
    args = sys.argv[1:] if argv is None else argv
    text = outputs_markdown()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
