"""Serve the dashboard and drive it with headless Debian Chromium (playwright, no download).

Used by the end-to-end test, and to refresh the screenshot of README and docs/DASHBOARD.md:
``.venv/bin/python -m tests.dashboard_browser --runs runs --out docs/dashboard.png``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CHARTS = ".vega-embed canvas, .vega-embed svg"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(runs: Path, log: Path, timeout: float = 30.0) -> Iterator[str]:
    """Run ``ecosim dashboard --runs RUNS`` on a free local port; yield its URL; stop it.

    The server gets its own process group, which is ended (TERM, then KILL) on the way out.
    """
    port = free_port()
    argv = [sys.executable, "-m", "ecosystem.cli", "dashboard", "--runs", str(runs)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*argv, "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server, timeout, log)
        yield url
    finally:
        stop(server)


def wait_healthy(url: str, server: subprocess.Popen, timeout: float, log: Path) -> None:
    """Wait until Streamlit answers its health check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"dashboard exited early:\n{log.read_text()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as reply,
        ):
            if reply.status == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"dashboard not up after {timeout} s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    """End the server's process group; wait for it."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if server.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(wait)


def launch_browser(playwright):
    """Debian's Chromium, headless, without network side traffic."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_rendered(page, charts: int = 1, timeout: float = 30_000) -> None:
    """Wait until the script run has finished and at least ``charts`` charts are drawn."""
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_function(
        f"document.querySelectorAll({CHARTS!r}).length >= {charts}", timeout=timeout
    )
    page.wait_for_timeout(500)  # vega's last paint


def main() -> None:
    """Save a screenshot of the Runs page of the newest run under --runs."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    parser.add_argument("--out", type=Path, default=Path("docs/dashboard.png"))
    parser.add_argument("--height", type=int, default=1500)
    args = parser.parse_args()
    with served(args.runs, Path("/tmp/ecosim-dashboard.log")) as url, sync_playwright() as pw:
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": 1400, "height": args.height})
        page.goto(url)
        wait_rendered(page, charts=4)
        page.screenshot(path=str(args.out))
        browser.close()


if __name__ == "__main__":
    main()
