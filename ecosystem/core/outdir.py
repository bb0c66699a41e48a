"""Safe output folders: what ``--out`` may name, what ``--overwrite`` may replace, and the life
of a run folder from ``interrupted`` (in progress, or stopped) to ``complete``.

A run folder appears at once with a ``run.json`` whose status is ``interrupted`` (built in a
scratch folder ``.NAME.partial-PID-XXXX`` beside it and renamed into place); it holds the
run's checkpoint while the run goes on. When the run finishes, its tables are written into it
(each through a temporary file and an atomic rename), then ``run.json`` is replaced by one whose
status is ``complete`` and the checkpoint is removed. A folder is therefore complete exactly when
its ``run.json`` says so. ``--overwrite`` moves the old folder aside (``.NAME.old-PID``) and
removes it once the new run has started for good. Scratch and old folders are removed on
success and on a clean interrupt; those a killed run left behind are removed by the next run of
the same name (when their process is gone).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from ecosystem.core.errors import OutputError
from ecosystem.core.io import scratch_folder, write_json

RUN_FILE = "run.json"
CHECKPOINT_DIR = "checkpoint"
RUN_KINDS = ("loop", "ecosystem", "scaling")
"""The ``kind`` of every ecosim run folder's run.json."""
MAX_RUN_FILE_BYTES = 16 * 2**20
_STALE = re.compile(r"^\.(?P<name>.+)\.(?:partial|old)-(?:(?P<pid>\d+)(?:-|$))?")


def _run_meta(folder: Path) -> dict[str, Any] | None:
    """The run.json of ``folder`` when it is an ecosim run's, else None (never raises)."""
    path = folder / RUN_FILE
    try:
        if not path.is_file() or path.stat().st_size > MAX_RUN_FILE_BYTES:
            return None
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("kind") not in RUN_KINDS:
        return None
    return meta


def _foreign_entry(folder: Path) -> str | None:
    """The first entry of ``folder`` that no ecosim run writes (None: all are a run's)."""
    for entry in sorted(os.listdir(folder)):
        if entry == RUN_FILE or (entry.endswith(".parquet") and (folder / entry).is_file()):
            continue
        if entry == CHECKPOINT_DIR and (folder / entry).is_dir():
            continue
        if entry.startswith(".") and entry.endswith(".tmp"):
            continue
        return entry
    return None


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` is an ecosim run folder: a run.json of a known kind and nothing but
    the run's own files (tables, the checkpoint, temporary files of an interrupted write)."""
    folder = Path(folder)
    return folder.is_dir() and _run_meta(folder) is not None and _foreign_entry(folder) is None


def check_out(out: Path, overwrite: bool) -> None:
    """Refuse an output folder before anything runs.

    Refused: ``.``, ``..``, ``/``, the working folder or any folder above it, the home folder or
    any folder above it, a path inside a file, an existing non-folder, an existing folder without
    ``overwrite``, and with ``overwrite`` anything but an ecosim run folder or an empty folder.

    Raises:
        OutputError: one line saying why and what to do.
    """
    out = Path(out)
    text = str(out)
    if text.strip() in ("", ".", "..") or out.name in ("", ".", ".."):
        raise OutputError(f"--out {text!r}: name a new folder for the run (not . or ..)")
    resolved = out.resolve()
    cwd, home = Path.cwd().resolve(), Path.home().resolve()
    if resolved == Path(resolved.anchor):
        raise OutputError(f"--out {text}: is the root folder; name a new folder for the run")
    if resolved == cwd or resolved in cwd.parents:
        raise OutputError(
            f"--out {text}: is the working folder or a folder above it; name a new folder"
        )
    if resolved == home or resolved in home.parents:
        raise OutputError(f"--out {text}: is the home folder or above it; name a new folder")
    for parent in resolved.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"--out {text}: {parent} is a file, not a folder")
            break
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise OutputError(f"--out {text}: exists and is not a folder")
    meta = _run_meta(out)
    if not overwrite:
        hint = "choose another --out, or pass --overwrite"
        if meta is not None and meta.get("status") != "complete":
            hint = f"resume it with `ecosim run --resume {text}`, or pass --overwrite"
        raise OutputError(f"--out {text}: already exists ({hint})")
    if not os.listdir(out):
        return
    if meta is None:
        raise OutputError(
            f"--out {text}: is not an ecosim run folder (no run.json of a run); --overwrite "
            "replaces only run folders and empty folders: choose another --out"
        )
    foreign = _foreign_entry(out)
    if foreign is not None:
        raise OutputError(
            f"--out {text}: holds {foreign!r}, which no ecosim run writes; --overwrite replaces "
            "only run folders and empty folders: move it away or choose another --out"
        )


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_stale(out: Path) -> list[Path]:
    """Remove the scratch (``.NAME.partial-*``) and old (``.NAME.old-*``) folders of ``out``
    that no living process owns; returns what was removed."""
    out = Path(out)
    parent = out.parent
    if not parent.is_dir():
        return []
    removed = []
    for entry in parent.iterdir():
        match = _STALE.match(entry.name)
        if match is None or match["name"] != out.name:
            continue
        if match["pid"] is not None and _alive(int(match["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        removed.append(entry)
    return removed


class RunFolder:
    """A run folder from its start (status ``interrupted``) to ``complete``.

    Args:
        path: the run folder.
        meta: its run.json.
        old: where a replaced folder waits until the new run has started for good.
    """

    def __init__(self, path: Path, meta: dict[str, Any], old: Path | None = None):
        self.path = Path(path)
        self.meta = dict(meta)
        self.old = old

    @property
    def checkpoint_dir(self) -> Path:
        """Where the run's checkpoint lives while it is unfinished."""
        return self.path / CHECKPOINT_DIR

    @classmethod
    def create(cls, out: Path, meta: dict[str, Any], overwrite: bool = False) -> RunFolder:
        """Make ``out`` appear at once holding run.json (``status: interrupted``); with
        ``overwrite`` an existing folder (checked by :func:`check_out`) is moved aside, not yet
        removed.

        Raises:
            OutputError: ``out`` appeared since it was checked (another run took the name).
        """
        out = Path(out)
        scratch = scratch_folder(out)
        meta = {**meta, "status": "interrupted"}
        try:
            write_json(scratch / RUN_FILE, meta)
            old = None
            if out.exists() or out.is_symlink():
                if not overwrite:
                    raise OutputError(f"--out {out}: already exists (another run took the name)")
                old = out.with_name(f".{out.name}.old-{os.getpid()}")
                os.replace(out, old)
            os.replace(scratch, out)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return cls(out, meta, old)

    @classmethod
    def reopen(cls, folder: Path) -> RunFolder:
        """An unfinished run folder, for ``--resume``.

        Raises:
            OutputError: not a run folder, already complete, or still running.
        """
        folder = Path(folder)
        meta = _run_meta(folder) if folder.is_dir() else None
        if meta is None:
            raise OutputError(f"--resume {folder}: not an ecosim run folder (no run.json of a run)")
        status = meta.get("status")
        if status == "complete":
            raise OutputError(f"--resume {folder}: the run is already complete")
        if status not in ("interrupted", "failed"):
            raise OutputError(f"--resume {folder}: unknown status {status!r} in run.json")
        pid, host = meta.get("pid"), meta.get("host")
        if isinstance(pid, int) and host == os.uname().nodename and _alive(pid):
            raise OutputError(f"--resume {folder}: still running (process {pid})")
        return cls(folder, meta)

    def update(self, **changes: Any) -> None:
        """Rewrite run.json (atomically) with ``changes``."""
        self.meta.update(changes)
        write_json(self.path / RUN_FILE, self.meta)

    def started(self) -> None:
        """The run has started for good: a replaced folder can go."""
        if self.old is not None:
            shutil.rmtree(self.old, ignore_errors=True)
            self.old = None

    def abandon(self) -> None:
        """The run could not start (nothing of it is kept): remove the folder, put back the one
        it replaced."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self.old is not None:
            os.replace(self.old, self.path)
            self.old = None

    def stop(self, status: str, error: str | None = None) -> None:
        """The run stopped before its end: record ``status`` (and the error); the checkpoint
        stays."""
        self.started()
        self.meta.pop("pid", None)  # no process runs it any more
        self.meta.pop("host", None)
        changes: dict[str, Any] = {"status": status}
        if error is not None:
            changes["error"] = error
        self.update(**changes)

    def finish(self, write_tables, **facts: Any) -> None:
        """Write the tables (``write_tables(folder)``), then run.json with ``status: complete``
        and ``facts``; the checkpoint is removed last."""
        self.started()
        write_tables(self.path)
        for key in ("error", "pid", "host", "progress"):
            self.meta.pop(key, None)
        self.update(status="complete", **facts)
        shutil.rmtree(self.checkpoint_dir, ignore_errors=True)
