"""Start the dashboard server: ``streamlit run`` on this package's ``app.py``.

``app.py`` is found next to this file, which works for editable and regular installs alike
(the ``dashboard`` package ships with the ``ecosim`` distribution). The runs folder reaches the
app through the ``ECOSIM_RUNS_DIR`` environment variable.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT_ENV = "ECOSIM_RUNS_DIR"
"""Environment variable that names the runs folder for the app."""
CORPUS_ENV = "ECOSIM_CORPUS_DIRS"
"""Environment variable that lists (os.pathsep-separated) the folders under which a scenario
run from the dashboard may read a text corpus (``truth.path``); unset: none."""
LOCALHOST = "127.0.0.1"
DEFAULT_PORT = 8501


def app_path() -> Path:
    """The dashboard's Streamlit entry script."""
    return Path(__file__).resolve().parent / "app.py"


def streamlit_argv(host: str = LOCALHOST, port: int = DEFAULT_PORT) -> list[str]:
    """The command that serves the dashboard: headless, no usage statistics."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path()),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--browser.serverAddress",
        host,
        "--browser.serverPort",
        str(port),
    ]


def streamlit_env(runs: Path, corpora: list[Path] | None = None) -> dict[str, str]:
    """The server's environment: this one plus the runs folder (the server shares our cwd)
    and the corpus folders a scenario may read."""
    folders = os.pathsep.join(str(Path(p).expanduser().resolve()) for p in corpora or [])
    return {**os.environ, ROOT_ENV: str(runs), CORPUS_ENV: folders}


def serve(
    runs: Path,
    host: str = LOCALHOST,
    port: int = DEFAULT_PORT,
    corpora: list[Path] | None = None,
) -> None:
    """Replace this process with the Streamlit server (so stopping it stops the server)."""
    argv, env = streamlit_argv(host, port), streamlit_env(runs, corpora)
    if os.name != "posix":  # no exec there: wait for the server instead
        raise SystemExit(subprocess.call(argv, env=env))
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, env)
