"""Errors meant for people: bad scenarios and bad command-line values."""

from __future__ import annotations

from dataclasses import dataclass

ECHO_CHARS = 80
"""Longest user value echoed in a message; longer ones are cut with an ellipsis."""
MESSAGE_CHARS = 400
"""Longest message of one Problem (a line a person reads in a terminal)."""


def shorten(text: object, limit: int = ECHO_CHARS) -> str:
    """``text`` on one line and at most ``limit`` characters (cut in the middle with …)."""
    flat = " ".join(str(text).splitlines())
    if len(flat) <= limit:
        return flat
    keep = limit - 1
    return flat[: keep - keep // 4] + "…" + flat[len(flat) - keep // 4 :]


def echo(value: object) -> str:
    """The repr of a user value for a message, cut to a readable length."""
    if isinstance(value, int) and value.bit_length() > 256:  # its repr may exceed int limits
        return f"an integer of {value.bit_length():,} bits"
    return shorten(repr(value))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with user input.

    Attributes:
        source: the file (or ``--set``) the value came from.
        line: 1-based line number in ``source``, or None when unknown.
        path: dotted field path, e.g. ``loop.generations``.
        message: what is wrong and what is allowed.
    """

    source: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        field = f" {shorten(self.path)}:" if self.path else ""
        return shorten(f"{where}:{field} {self.message}", MESSAGE_CHARS)


class ScenarioError(Exception):
    """A scenario (file or overrides) is invalid; carries one Problem per error."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RunDirError(Exception):
    """A run folder is missing, incomplete or corrupt."""


class RunSetupError(Exception):
    """A valid scenario that cannot run here: a missing device, package, dataset or model, or
    data too small for the requested shapes. The message says which field to change."""


class OutputError(Exception):
    """An output folder that must not be written or replaced (``--out .``, a folder of someone's
    files with ``--overwrite``, a path inside a file), or a run folder that cannot be resumed.
    The message is one line meant for people."""


class NumericalError(Exception):
    """A run met a numerical failure (NaN in a fitted model's metrics). The message names the
    step or generation and the scenario fields most likely to blame; nothing is written."""
