"""Small public-domain text corpora shipped with ecosim (package data, read-only)."""

from __future__ import annotations

import os
import stat
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


MAX_ENTRIES = 200_000
"""Most files and folders looked at while finding a corpus folder's .txt files."""


class CorpusError(ValueError):
    """A corpus folder that cannot be read safely: a link out of it, a special file, too big."""


def text_files(folder: str | Path) -> list[Path]:
    """The ``.txt`` files under ``folder`` (recursively, sorted), never leaving it.

    Symbolic links are not followed out of the folder: a linked folder is not entered and a
    ``.txt`` link that resolves outside the folder is refused, so a scenario can only make
    ecosim read files inside the folder it names. The walk stops after MAX_ENTRIES entries.

    Raises:
        CorpusError: a link out of the folder, a ``.txt`` that is not a regular file, or more
            than MAX_ENTRIES entries.
    """
    root = Path(folder).expanduser().resolve()
    found: list[Path] = []
    seen = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        seen += len(dirnames) + len(filenames)
        if seen > MAX_ENTRIES:
            raise CorpusError(
                f"{str(folder)!r} holds more than {MAX_ENTRIES:,} files and folders; name the "
                "folder of the corpus itself"
            )
        for name in filenames:
            if not name.endswith(".txt"):
                continue
            file = Path(dirpath) / name
            real = file.resolve()
            if not real.is_relative_to(root):
                raise CorpusError(
                    f"{str(file)!r} links to {str(real)!r}, outside the corpus folder "
                    f"{str(folder)!r}; copy the file into the folder instead"
                )
            if not stat.S_ISREG(real.stat().st_mode):
                raise CorpusError(f"{str(file)!r} is not a regular file")
            found.append(file)
    return sorted(found)


def read_text_file(file: Path) -> str:
    """A corpus file's text; a byte that is not UTF-8 is reported with its line.

    Raises:
        CorpusError: the file is not UTF-8.
    """
    raw = file.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex()
        raise CorpusError(
            f"{file}:{line}: not UTF-8 text (byte 0x{byte}); save the corpus files as UTF-8"
        ) from None
