"""Downloads of a run's whole tables, made only when a button is clicked."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders

PARQUET_MIME = "application/vnd.apache.parquet"


def table_rows(run: loaders.Run, table: str) -> int | None:
    """Rows of a table as run.json records them."""
    value = (run.meta.get("tables") or {}).get(table)
    return int(value) if isinstance(value, int) else None


def table_downloads(run: loaders.Run, key: str) -> None:
    """An expander listing every table of ``run`` with CSV and Parquet downloads.

    The files are produced on click (a lab run's generations table can hold millions of rows).
    """
    tables = sorted(p.stem for p in run.folder.glob("*.parquet"))
    with st.expander("Download this run's tables", icon=":material/download:"):
        for table in tables:
            rows = table_rows(run, table)
            size = f"{rows:,} rows" if rows is not None else "rows unknown"
            text, csv, parquet = st.columns([3, 1, 1], vertical_alignment="center")
            text.markdown(f"**{table}** · {size}")
            csv.download_button(
                "CSV",
                lambda table=table: loaders.load_table(run, table).write_csv(),
                file_name=f"{run.folder.name}_{table}.csv",
                mime="text/csv",
                key=f"{key}_{table}_csv",
                on_click="ignore",
                icon=":material/download:",
            )
            parquet.download_button(
                "Parquet",
                run.table_path(table).read_bytes,
                file_name=f"{run.folder.name}_{table}.parquet",
                mime=PARQUET_MIME,
                key=f"{key}_{table}_parquet",
                on_click="ignore",
                icon=":material/download:",
            )
