"""Atomic output: files written through a temporary file and a rename, scratch folders beside
their target (honouring the umask), and folders that appear whole or not at all."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON through a temporary file and an atomic rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def write_parquet(path: Path, frame: pl.DataFrame) -> None:
    """Write a Parquet table through a temporary file and an atomic rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    frame.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, path)


def scratch_folder(out: Path) -> Path:
    """A new empty scratch folder beside ``out`` (``.NAME.partial-PID-XXXX``), created with the
    process's umask (unlike ``tempfile.mkdtemp``, which makes it private)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = out.with_name(f".{out.name}.partial-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


@contextmanager
def staging_dir(final: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a scratch folder beside ``final``; on success it replaces ``final`` in one rename.

    On any exception the scratch folder is removed and ``final`` is left as it was.
    """
    final = Path(final)
    scratch = scratch_folder(final)
    try:
        yield scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    if final.exists():
        if not overwrite:
            shutil.rmtree(scratch, ignore_errors=True)
            raise FileExistsError(str(final))
        trash = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, trash)
        os.replace(scratch, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(scratch, final)
