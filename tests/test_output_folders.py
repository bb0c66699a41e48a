"""Output folders are safe: ``--out`` is checked before anything runs, ``--overwrite`` replaces
only run folders, scratch and old folders never outlive their run, modes follow the umask, and a
clean interrupt leaves a folder that resumes to the same tables."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ecosystem import runner as run_module
from ecosystem.cli import app
from ecosystem.core.errors import OutputError, RunSetupError
from ecosystem.core.outdir import check_out, clear_stale, is_run_folder
from ecosystem.runner import RunSpec, execute, resume, simulate
from tests.conftest import ROOT
from tests.ecosystem_scenarios import TINY, tiny

cli = CliRunner()


@pytest.fixture
def world(tmp_path, monkeypatch, small_tokens_yaml) -> Path:
    """A working folder two levels down and a home folder, both inside tmp_path."""
    here = tmp_path / "work" / "here"
    here.mkdir(parents=True)
    (tmp_path / "work" / "notes.txt").write_text("mine")
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(here)
    return small_tokens_yaml


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "not . or .."),
        ("..", "not . or .."),
        ("../..", "not . or .."),
        ("{here}", "working folder or a folder above it"),
        ("{work}", "working folder or a folder above it"),
        ("{home}", "home folder"),
        ("{work}/notes.txt", "exists and is not a folder"),
        ("{work}/notes.txt/run", "notes.txt is a file, not a folder"),
    ],
)
def test_bad_out_is_refused_before_anything_runs(world, tmp_path, out, message):
    here = Path.cwd()
    out = out.format(here=here, work=here.parent, home=tmp_path / "home")
    before = _tree(tmp_path)
    for extra in ([], ["--overwrite"]):
        res = cli.invoke(app, ["run", str(world), "--out", out, *extra])
        assert res.exit_code == 2 and message in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1
    assert _tree(tmp_path) == before  # nothing written, nothing removed


def test_root_and_a_parent_of_the_working_folder_are_refused_even_with_overwrite(world):
    for out in (Path("/"), Path.cwd().parents[1], Path.cwd().parents[-1]):
        with pytest.raises(OutputError):
            check_out(out, overwrite=True)


def test_overwrite_refuses_a_folder_of_unrelated_files_and_keeps_them(world, tmp_path):
    mine = tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.tex").write_text("years of work")
    (mine / "sub" / "data.csv").write_text("1,2")
    before = _tree(mine)
    res = cli.invoke(app, ["run", str(world), "--out", str(mine), "--overwrite"])
    assert res.exit_code == 2 and "not an ecosim run folder" in res.output
    assert _tree(mine) == before and (mine / "thesis.tex").read_text() == "years of work"
    (mine / "run.json").write_text(json.dumps({"kind": "loop", "status": "complete"}))
    res = cli.invoke(app, ["run", str(world), "--out", str(mine), "--overwrite"])
    assert res.exit_code == 2 and "which no ecosim run writes" in res.output
    assert (mine / "sub" / "data.csv").read_text() == "1,2"


def test_overwrite_takes_an_empty_folder_and_a_run_folder(world, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    args = ["run", str(world), "--out", str(empty), "--overwrite", "--set", "loop.generations=1"]
    assert cli.invoke(app, args).exit_code == 0
    assert is_run_folder(empty)
    assert cli.invoke(app, args).exit_code == 0  # a run folder is replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "empty",
        "home",
        "small_tokens.yaml",
        "work",
    ]


def _last_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_scratch_and_old_folders_of_the_same_name_are_cleared(small_tokens_yaml, tmp_path):
    dead, alive = _last_pid(), os.getppid()
    stale = [f".run.partial-{dead}-ab12", f".run.old-{dead}", ".run.partial-x7_kq2mz"]
    kept = [f".run.partial-{alive}-cd34", f".other.partial-{dead}-ef56", "run.partial-1"]
    for name in stale + kept:
        (tmp_path / name).mkdir()
        (tmp_path / name / "steps.parquet").write_bytes(b"x" * 1000)
    execute(RunSpec(small_tokens_yaml, tmp_path / "run", ["loop.generations=1"]))
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*kept, "run", "small_tokens.yaml"])
    assert clear_stale(tmp_path / "run") == []


def test_run_folders_honour_the_umask(small_tokens_yaml, tmp_path):
    for mask, folder_mode, file_mode in ((0o022, 0o755, 0o644), (0o027, 0o750, 0o640)):
        old = os.umask(mask)
        try:
            out = execute(
                RunSpec(small_tokens_yaml, tmp_path / f"run{mask:o}", ["loop.generations=1"])
            )
        finally:
            os.umask(old)
        assert stat.S_IMODE(out.stat().st_mode) == folder_mode
        for path in out.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == file_mode, path


class Stop(BaseException):
    """Stands for KeyboardInterrupt inside pytest (which treats a real one as 'stop all')."""


def test_a_clean_interrupt_leaves_a_resumable_folder_and_no_scratch(tmp_path, monkeypatch):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    reference = simulate(tiny())
    out = tmp_path / "run"
    execute(RunSpec(scenario, out, ["steps=2"]))  # an old run, replaced below
    done = []

    def interrupt_at_step_7(n: int) -> None:
        done.append(n)
        if sum(done) == 7:
            raise Stop

    with pytest.raises(Stop):
        execute(
            RunSpec(scenario, out, [], overwrite=True, checkpoint_every=3),
            None,
            interrupt_at_step_7,
        )
    meta = json.loads((out / "run.json").read_text())
    assert meta["status"] == "interrupted" and meta["progress"] == {"done": 6, "total": 12}
    assert (out / "checkpoint" / "state.pkl").is_file()
    assert not list(out.glob("*.parquet"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "tiny.yaml"]  # no scratch, no old
    again = []
    resume(out, again.append)
    assert sum(again) == 12 and again[0] == 6  # first the steps done before
    meta = json.loads((out / "run.json").read_text())
    assert meta["status"] == "complete" and meta["resumed"] is True
    assert not (out / "checkpoint").exists()
    for name, frame in reference.items():
        assert pl.read_parquet(out / f"{name}.parquet").equals(frame), name


def test_sigterm_stops_cleanly_with_how_to_resume(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ecosystem.cli",
            "run",
            str(scenario),
            "--out",
            str(out),
            "--set",
            "steps=600",  # far longer than the wait: the signal lands mid-run
            "--checkpoint-every",
            "2",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if json.loads((out / "run.json").read_text())["progress"]["done"] >= 2:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"resume with `ecosim run --resume {out}`" in err and "Traceback" not in err
    assert json.loads((out / "run.json").read_text())["status"] == "interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "tiny.yaml"]


def test_a_failing_run_is_marked_failed_and_a_run_that_cannot_start_restores_the_old_one(
    small_tokens_yaml, tmp_path, monkeypatch
):
    out = execute(RunSpec(small_tokens_yaml, tmp_path / "run", ["loop.generations=1"]))
    old = (out / "run.json").read_text()

    def cannot(*args):
        raise RunSetupError("no GPU here")

    monkeypatch.setattr(run_module, "simulate", cannot)
    with pytest.raises(RunSetupError):
        execute(RunSpec(small_tokens_yaml, out, [], overwrite=True))
    assert (out / "run.json").read_text() == old  # put back as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "small_tokens.yaml"]

    def bug(*args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(run_module, "simulate", bug)
    with pytest.raises(ZeroDivisionError):
        execute(RunSpec(small_tokens_yaml, out, [], overwrite=True))
    meta = json.loads((out / "run.json").read_text())
    assert meta["status"] == "failed" and meta["error"] == "ZeroDivisionError: a bug"


def test_default_checkpoints_wait_for_time_to_pass_explicit_ones_do_not(tmp_path):
    """With the default --checkpoint-every a short run writes no checkpoint (each waits for
    30 s since the last); an explicit --checkpoint-every saves at every multiple."""
    from ecosystem.core.checkpoint import Checkpointer

    waiting = Checkpointer(tmp_path / "a", 2, "x", min_seconds=3600)
    eager = Checkpointer(tmp_path / "b", 2, "x")
    assert not waiting.due(2, 10) and eager.due(2, 10) and not eager.due(3, 10)
    world = tmp_path / "tiny.yaml"
    world.write_text(TINY)
    default = execute(RunSpec(world, tmp_path / "default", ["steps=12"]))
    meta = json.loads((default / "run.json").read_text())
    assert meta["checkpoint_every"] == 10 and meta["checkpoint_min_seconds"] == 30.0
    assert meta["checkpoints"]["saved"] == 0
    given = execute(RunSpec(world, tmp_path / "given", ["steps=12"], checkpoint_every=4))
    meta = json.loads((given / "run.json").read_text())
    assert meta["checkpoint_min_seconds"] == 0.0 and meta["checkpoints"]["saved"] == 2
