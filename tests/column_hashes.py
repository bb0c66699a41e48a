"""Per-column hashes of ecosystem runs: proof that new columns left every old column alone.

``tests/baseline_column_hashes.json`` holds the hash of every column of every table of the
ecosystem scenarios below (at golden size), with the tokens spelled as pseudo-words (a spelling
changes text columns only, which ``tests/test_spelling.py`` proves). First taken before the
policy levers added columns; re-taken when document text became drawn on read from
per-document uniforms, which changed every ecosystem result on purpose.
``tests/test_policies.py`` reruns them with every lever off and compares each recorded column.
Regenerate only when results change on purpose: ``.venv/bin/python -m tests.column_hashes``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.golden import reduced_text, table_hash

FILE = Path(__file__).with_name("baseline_column_hashes.json")
NAMES = ("baseline.yaml", "calibrated_web.yaml")


def column_hashes(name: str) -> dict[str, dict[str, str]]:
    """Hash of each column of each table of shipped scenario ``name`` at golden size."""
    from ecosystem.config import validate_text
    from ecosystem.runner import simulate

    text = reduced_text(name).replace("truth:\n", "truth:\n  spelling: pseudo\n", 1)
    tables = simulate(validate_text(text, f"golden:{name}"))
    return {
        table: {c: table_hash(frame.select(c)) for c in frame.columns}
        for table, frame in sorted(tables.items())
    }


def main() -> int:
    FILE.write_text(
        json.dumps({n: column_hashes(n) for n in NAMES}, indent=1, sort_keys=True) + "\n"
    )
    print(f"wrote {FILE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
