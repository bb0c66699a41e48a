"""How an ``ecosim run`` process spends its start and its end.

A run imports a great many objects that live as long as the process (numpy, polars, Mesa,
pandas: about 200,000) and leave next to no garbage; the cyclic garbage collector would rescan
them at every full collection. :func:`imports_frozen` imports with the collector paused and
freezes what is alive. At the end, the interpreter's teardown would free every object of the
finished run module by module; :func:`exit_now` flushes the output and ends the process instead.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer


@contextmanager
def imports_frozen(ctx: typer.Context) -> Iterator[None]:
    """Import what a run needs with the cyclic garbage collector paused, then freeze all that is
    alive (``gc.freeze``: left out of every later collection) until the command ends.

    Imports allocate a great many objects that live as long as the process and leave next to
    no garbage: collections during them, and every full collection of the run after them, would
    only rescan them. Thawed when the command's context closes, for callers that go on in the
    same process (the console script ends it: :func:`exit_now`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        ctx.call_on_close(gc.unfreeze)
        if enabled:
            gc.enable()


def exit_now(code: object) -> NoReturn:
    """Flush stdout and stderr, then exit with ``code`` skipping the interpreter's teardown;
    a code that is no number, or a stream that cannot be flushed (a closed pipe), exits the
    usual way."""
    if code is None:
        code = 0
    if not isinstance(code, int):
        raise SystemExit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise SystemExit(code) from None
    os._exit(code)
