"""The ``ecosim`` process: ``main`` ends it without the interpreter's teardown, so its exit
code and its complete output must come through; an in-process run leaves the garbage collector
as it found it (``ecosim run`` freezes what it imported for the length of the run)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

from typer.testing import CliRunner

from ecosystem.cli import app
from tests.conftest import ROOT
from tests.ecosystem_scenarios import TINY


def ecosim(*args: str) -> subprocess.CompletedProcess:
    """``python -m ecosystem.cli ARGS`` (the console script's ``main``), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "ecosystem.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_run_through_main_flushes_its_whole_summary_and_exits_0(tmp_path):
    scenario, out = tmp_path / "tiny.yaml", tmp_path / "run"
    scenario.write_text(TINY)
    proc = ecosim("run", str(scenario), "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("run: 12 months")  # the title names the run folder
    assert proc.stdout.endswith(f"run folder: {out}\n")  # the last line made it out of the pipe
    assert json.loads((out / "run.json").read_text())["status"] == "complete"


def test_main_keeps_the_exit_code_and_message_of_bad_input(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("steps: 12", "steps: -1"))
    proc = ecosim("run", str(bad), "--out", str(tmp_path / "run"))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"{bad}:") and "steps" in proc.stderr
    assert not (tmp_path / "run").exists()
    assert ecosim("--help").returncode == 0
    assert ecosim("no-such-command").returncode == 2


def test_an_in_process_run_leaves_the_collector_enabled_and_nothing_frozen(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("steps: 12", "steps: -1"))
    assert gc.isenabled() and gc.get_freeze_count() == 0
    res = CliRunner().invoke(app, ["run", str(scenario), "--out", str(tmp_path / "run")])
    assert res.exit_code == 0, res.output
    assert gc.isenabled() and gc.get_freeze_count() == 0
    res = CliRunner().invoke(app, ["run", str(bad), "--out", str(tmp_path / "bad")])
    assert res.exit_code == 2  # a run refused before it starts thaws too
    assert gc.isenabled() and gc.get_freeze_count() == 0
