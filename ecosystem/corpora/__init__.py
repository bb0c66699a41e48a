"""Small public-domain text corpora shipped with ecosim (package data, read-only)."""

from __future__ import annotations

from pathlib import Path

CORPORA = Path(__file__).resolve().parent


def corpus_folder(name: str) -> Path:
    """The folder of the shipped corpus ``name`` (e.g. ``"shakespeare"``).

    Raises:
        FileNotFoundError: when no such corpus is shipped.
    """
    folder = CORPORA / name
    if not folder.is_dir():
        shipped = sorted(p.name for p in CORPORA.iterdir() if p.is_dir() and p.name[0] != "_")
        raise FileNotFoundError(f"no shipped corpus {name!r} (shipped: {shipped})")
    return folder
