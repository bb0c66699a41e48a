"""Runs resume: a run killed with SIGKILL at random points and resumed with ``--resume`` ends
with tables equal, bit for bit, to those of the same run left alone."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import ROOT
from tests.ecosystem_scenarios import TINY

ECOSYSTEM_ARGS = ["--set", "steps=30", "--checkpoint-every", "3"]
TRANSFORMER = """\
kind: loop
name: transformer_resume
seed: 4
truth: {modality: tokens, vocab_size: 30, topics: 2, doc_length_min: 6, doc_length_max: 10}
learner: {kind: transformer, n_layer: 1, n_head: 2, n_embd: 16, block_size: 16,
          init: previous, device: cpu, threads: 1, batch_size: 32, max_steps: 12}
loop: {replicas: 1, generations: 4, samples_per_generation: 200,
       strategies: [replace, accumulate], test_samples: 60}
metrics: {sample_size: 30, sample_texts: 2}
"""
SCENARIOS = {
    # steps checkpointed, leaving at least 12 steps of work so the kill lands mid-run
    "ecosystem": (TINY, ECOSYSTEM_ARGS, list(range(3, 18, 3))),
    "transformer": (TRANSFORMER, [], list(range(1, 9))),  # generation checkpoints (of 2 x 5 units)
}
"""Each scenario's text, CLI arguments, and the progress counts at which it checkpoints."""


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ecosystem.cli", "run", *args, "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _meta(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "run.json").read_text())
    except (OSError, ValueError):
        return None


def _tables(folder: Path) -> dict[str, pl.DataFrame]:
    return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def _kill(proc: subprocess.Popen, folder: Path, rng: random.Random, after_done: int | None):
    """SIGKILL ``proc``: after a random delay, or once ``after_done`` units are checkpointed
    (run.json's progress) plus a random few milliseconds (well under the remaining work)."""
    if after_done is None:
        deadline = time.monotonic() + rng.uniform(0.5, 5.0)
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
    else:
        while proc.poll() is None:
            meta = _meta(folder) or {}
            if meta.get("progress", {}).get("done", 0) >= after_done:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.05))
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)


def _finish(proc: subprocess.Popen) -> None:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[str, tuple[Path, dict[str, pl.DataFrame]]]:
    """Each scenario's file and the tables of its uninterrupted run."""
    base = tmp_path_factory.mktemp("resume")
    out = {}
    for name, (text, args, _) in SCENARIOS.items():
        path = base / f"{name}.yaml"
        path.write_text(text)
        folder = base / f"{name}-reference"
        proc = _cli(str(path), "--out", str(folder), *args)
        _finish(proc)
        out[name] = (path, _tables(folder))
    return out


def _cases() -> list[tuple[str, int | None, int]]:
    """(scenario, checkpointed units to wait for or None for a random delay, kills), seeded."""
    rng = random.Random(2026)
    cases = []
    for name, kills in (("ecosystem", (1, 1, 2)), ("transformer", (1, 2))):
        points = SCENARIOS[name][2]
        for i, n in enumerate(kills):
            wait = None if i == 0 else rng.choice(points)
            cases.append((name, wait, n))
    return cases


@pytest.mark.parametrize("scenario,wait,kills", _cases())
def test_killed_run_resumes_to_identical_tables(references, tmp_path, scenario, wait, kills):
    path, reference = references[scenario]
    args = SCENARIOS[scenario][1]
    rng = random.Random(f"{scenario}-{wait}-{kills}")
    folder = tmp_path / "run"
    _kill(_cli(str(path), "--out", str(folder), *args), folder, rng, wait)
    statuses = []
    for attempt in range(kills + 5):
        meta = _meta(folder)
        if not folder.exists():  # killed before the folder appeared: nothing was written
            proc = _cli(str(path), "--out", str(folder), *args)
        else:
            assert meta is not None, "a run folder always holds a readable run.json"
            statuses.append(meta["status"])
            if meta["status"] == "complete":
                break
            assert meta["status"] == "interrupted"
            proc = _cli("--resume", str(folder))
        if attempt + 1 < kills:  # kill the resumed run too
            _kill(proc, folder, rng, None)
        else:
            _finish(proc)
    assert _meta(folder)["status"] == "complete"
    if wait is not None:
        assert "interrupted" in statuses  # the kill landed mid-run
    assert not (folder / "checkpoint").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no scratch or old folder left
    tables = _tables(folder)
    assert tables.keys() == reference.keys()
    for name, frame in tables.items():
        assert frame.equals(reference[name]), name


def test_resume_refuses_complete_and_running_folders(references, tmp_path):
    path, _ = references["ecosystem"]
    folder = tmp_path / "run"
    _finish(_cli(str(path), "--out", str(folder), "--set", "steps=2"))
    done = subprocess.run(
        [sys.executable, "-m", "ecosystem.cli", "run", "--resume", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "already complete" in done.stderr
    meta = _meta(folder)
    meta.update(status="interrupted", pid=os.getpid(), host=os.uname().nodename)
    (folder / "run.json").write_text(json.dumps(meta))
    running = subprocess.run(
        [sys.executable, "-m", "ecosystem.cli", "run", "--resume", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert running.returncode == 2 and f"still running (process {os.getpid()})" in running.stderr
