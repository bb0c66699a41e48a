"""The dashboard listens on this machine only however it is started, and a scenario (pasted or
picked) reads corpus files only inside the folders the user named: no links out of them, no
non-UTF-8 surprises."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard import launch, scenario_form
from ecosystem.cli import app
from ecosystem.config.text import TextTruthParams
from ecosystem.core.errors import RunSetupError, ScenarioError
from ecosystem.corpora import CorpusError, text_files
from ecosystem.truth.corpus import read_corpus
from tests.conftest import ROOT

runner = CliRunner()


def test_project_streamlit_config_binds_localhost():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net shows them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # 0A: LISTEN
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net")
def test_plain_streamlit_run_from_the_repository_listens_on_localhost_only(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard/app.py",
        "--server.port",
        str(port),
    ]
    env = {**os.environ, launch.ROOT_ENV: str(tmp_path)}
    server = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 90
        while not _listening(port) and time.monotonic() < deadline:
            assert server.poll() is None, "the server exited"
            time.sleep(0.5)
        addresses = _listening(port)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1 only, no 0.0.0.0 or ::


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("to be or not to be\nthat is the question\n" * 20)
    return folder


PASTED = """\
kind: loop
truth:
  modality: text
  source: folder
  path: {path}
learner: {{kind: transformer}}
"""


def test_pasted_corpus_path_outside_the_named_folders_is_refused(tmp_path, monkeypatch):
    allowed, elsewhere = _corpus(tmp_path / "ok"), _corpus(tmp_path / "secret")
    monkeypatch.setenv(launch.CORPUS_ENV, str(allowed.parent))
    scenario = scenario_form.validate(PASTED.format(path=allowed), "pasted", None, [])
    assert scenario.truth.path == str(allowed)
    for bad in (elsewhere, allowed / ".." / ".." / "secret" / "corpus", Path("/")):
        with pytest.raises(ScenarioError) as info:
            scenario_form.validate(PASTED.format(path=bad), "pasted", None, [])
        assert str(info.value).startswith("pasted:5: truth.path: the dashboard reads corpus")
    with pytest.raises(ScenarioError, match="--set truth.path"):
        scenario_form.validate(
            PASTED.format(path=allowed), "pasted", None, [f"truth.path={elsewhere}"]
        )
    monkeypatch.delenv(launch.CORPUS_ENV)
    with pytest.raises(ScenarioError, match="now: none"):
        scenario_form.validate(PASTED.format(path=allowed), "pasted", None, [])


def test_dashboard_command_passes_the_named_corpus_folders(tmp_path, monkeypatch):
    seen = {}
    monkeypatch.setattr(launch, "serve", lambda runs, host, port, corpora: seen.update(c=corpora))
    folder = _corpus(tmp_path)
    res = runner.invoke(app, ["dashboard", "--runs", str(tmp_path), "--corpus", str(folder)])
    assert res.exit_code == 0, res.output
    assert seen["c"] == [folder]
    env = launch.streamlit_env(tmp_path, [folder])
    assert env[launch.CORPUS_ENV] == str(folder.resolve())


def test_links_out_of_a_corpus_folder_are_not_followed(tmp_path):
    folder = _corpus(tmp_path)
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("password\n")
    (folder / "linked_dir").symlink_to(outside, target_is_directory=True)
    assert [p.name for p in text_files(folder)] == ["a.txt"]  # a linked folder is not entered
    (folder / "leak.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(CorpusError, match="outside the corpus folder"):
        text_files(folder)
    with pytest.raises(ValueError, match="outside the corpus folder"):
        TextTruthParams(source="folder", path=str(folder))
    (folder / "leak.txt").unlink()
    (folder / "inner.txt").symlink_to(folder / "a.txt")  # a link inside the folder is fine
    assert [p.name for p in text_files(folder)] == ["a.txt", "inner.txt"]


def test_non_utf8_corpus_file_is_a_clear_error(tmp_path):
    folder = _corpus(tmp_path)
    (folder / "b.txt").write_bytes(b"line one\nline two caf\xe9\n")
    params = TextTruthParams(source="folder", path=str(folder))
    with pytest.raises(RunSetupError) as info:
        read_corpus(params)
    assert str(info.value) == (
        f"truth.path: {folder / 'b.txt'}:2: not UTF-8 text (byte 0xe9); save the corpus "
        "files as UTF-8"
    )
    scenario = tmp_path / "s.yaml"
    scenario.write_text(PASTED.format(path=folder))
    out = tmp_path / "run"
    res = runner.invoke(app, ["run", str(scenario), "--out", str(out), "-q"])
    assert res.exit_code == 2, res.output
    assert "cannot run here: truth.path:" in res.output and "b.txt:2: not UTF-8" in res.output
    assert not out.exists()
