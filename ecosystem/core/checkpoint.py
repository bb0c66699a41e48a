"""Checkpoints: the whole state of an unfinished run, to continue it to the identical result.

A checkpoint is one pickle of the run's live state (the Mesa model with its authors, web,
content store and trainers; or the loop's context, pools, fitted models and every random
Generator, whose positions pickle exactly), written through a temporary file, flushed to disk
and renamed over the previous one, so a kill at any moment leaves the last whole checkpoint.
Torch models and tensors inside it are pickled by torch's own reducers. The file carries a
format tag, the ecosim version and a fingerprint of the resolved scenario, and is loaded only
from the run folder this run created: pickle runs code when loading, so a checkpoint is never
read from anywhere else.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ecosystem import __version__
from ecosystem.core.errors import OutputError

FORMAT = 1
STATE_FILE = "state.pkl"


def fingerprint(scenario_json: dict[str, Any]) -> str:
    """A hash of the resolved scenario: a checkpoint continues only the run it was made for."""
    text = json.dumps(scenario_json, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Checkpointer:
    """Saves and loads the checkpoint of one run folder.

    Args:
        folder: the run's checkpoint folder (created on the first save).
        every: steps (ecosystem) or generations (loop) between checkpoints; 0: only the points
            a kind always saves at (a loop's strategy boundaries).
        scenario_fingerprint: :func:`fingerprint` of the resolved scenario.
        on_save: called with the units of work done after each save (run.json's progress).
        min_seconds: a due checkpoint is skipped until this many seconds have passed since the
            last one (or the start), so a short run writes none (0: every due one is saved).
    """

    def __init__(
        self,
        folder: Path,
        every: int,
        scenario_fingerprint: str,
        on_save: Callable[[int], None] | None = None,
        min_seconds: float = 0.0,
    ):
        self.folder = Path(folder)
        self.every = int(every)
        self.min_seconds = float(min_seconds)
        self._last = time.perf_counter()
        self.fingerprint = scenario_fingerprint
        self.on_save = on_save
        self.saves = 0
        self.save_seconds = 0.0
        self.last_bytes = 0

    @property
    def path(self) -> Path:
        return self.folder / STATE_FILE

    def due(self, done: int, total: int) -> bool:
        """Whether to save after ``done`` of ``total`` steps or generations."""
        if not (self.every > 0 and done % self.every == 0 and done < total):
            return False
        return time.perf_counter() - self._last >= self.min_seconds

    def save(self, state: Any, done: int) -> None:
        """Write ``state`` atomically (temporary file, fsync, rename)."""
        t0 = time.perf_counter()
        self.folder.mkdir(exist_ok=True)
        payload = {
            "format": FORMAT,
            "ecosim": __version__,
            "fingerprint": self.fingerprint,
            "done": int(done),
            "state": state,
        }
        tmp = self.folder / f".{STATE_FILE}.tmp"
        try:
            with open(tmp, "wb") as fh:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.flush()
                os.fsync(fh.fileno())
            self.last_bytes = tmp.stat().st_size
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self.saves += 1
        self._last = time.perf_counter()
        self.save_seconds += self._last - t0
        if self.on_save is not None:
            self.on_save(done)

    def load(self) -> Any | None:
        """The saved state, or None when the run has no checkpoint yet.

        Raises:
            OutputError: the checkpoint is unreadable or belongs to another scenario or version.
        """
        if not self.path.is_file():
            return None
        try:
            with open(self.path, "rb") as fh:
                payload = pickle.load(fh)
        except Exception as exc:
            raise OutputError(
                f"{self.path}: unreadable checkpoint ({type(exc).__name__})"
            ) from None
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise OutputError(f"{self.path}: checkpoint of an unknown format")
        if payload.get("ecosim") != __version__:
            raise OutputError(
                f"{self.path}: checkpoint of ecosim {payload.get('ecosim')}, this is "
                f"{__version__}; run the scenario again with --overwrite"
            )
        if payload.get("fingerprint") != self.fingerprint:
            raise OutputError(f"{self.path}: checkpoint of another scenario than run.json's")
        return payload["state"]
