"""The command line: exit codes, messages, nothing written on bad input, the data contract."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
from typer.testing import CliRunner

from ecosystem.cli import app

runner = CliRunner()


def test_validate_good_and_bad(small_tokens_yaml, tmp_path):
    ok = runner.invoke(app, ["validate", str(small_tokens_yaml)])
    assert ok.exit_code == 0 and "valid" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(small_tokens_yaml.read_text().replace("replicas: 3", "replicas: 0"))
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert f"{bad}:15: loop.replicas: got 0" in res.output
    missing = runner.invoke(app, ["validate", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "file not found" in missing.output


def test_schema_is_json_schema():
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0
    schema = json.loads(res.output)
    loop = schema["oneOf"][0]
    assert "truth" in loop["properties"] and loop["additionalProperties"] is False


def test_run_writes_the_data_contract(small_tokens_yaml, tmp_path):
    out = tmp_path / "run"
    res = runner.invoke(
        app,
        [
            "run",
            str(small_tokens_yaml),
            "--out",
            str(out),
            "--seed",
            "9",
            "--set",
            "loop.generations=2",
        ],
    )
    assert res.exit_code == 0, res.output
    assert f"run folder: {out}" in res.output
    meta = json.loads((out / "run.json").read_text())
    assert meta["status"] == "complete" and meta["seed"] == 9
    assert meta["scenario"]["loop"]["generations"] == 2
    assert {"ecosim", "numpy", "polars"} <= set(meta["versions"])
    g = pl.read_parquet(out / "generations.parquet")
    for col in (
        "replica",
        "generation",
        "train_size",
        "strategy",
        "cross_entropy",
        "perplexity",
        "excess_cross_entropy",
        "tail_mass_ratio",
        "distinct_2",
        "entropy",
    ):
        assert col in g.columns
    assert g.height == 2 * 3 * 3
    assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]


def test_bad_input_writes_nothing(small_tokens_yaml, tmp_path):
    out = tmp_path / "run"
    res = runner.invoke(
        app, ["run", str(small_tokens_yaml), "--out", str(out), "--set", "loop.generations=x"]
    )
    assert res.exit_code == 2
    assert "--set loop.generations=x: loop.generations: got 'x'" in res.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [small_tokens_yaml]


def test_existing_out_needs_overwrite_which_replaces_only_run_folders(small_tokens_yaml, tmp_path):
    out = tmp_path / "run"
    first = ["run", str(small_tokens_yaml), "--out", str(out), "--set", "loop.generations=1"]
    assert runner.invoke(app, first).exit_code == 0
    res = runner.invoke(app, ["run", str(small_tokens_yaml), "--out", str(out)])
    assert res.exit_code == 2 and "already exists" in res.output
    res = runner.invoke(app, [*first, "--overwrite", "--seed", "5"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "run.json").read_text())["seed"] == 5
    assert [p.name for p in tmp_path.iterdir()] == [small_tokens_yaml.name, "run"]
    (out / "keep.txt").write_text("x")  # now it holds someone's file: not replaced
    res = runner.invoke(app, [*first, "--overwrite"])
    assert res.exit_code == 2 and "'keep.txt', which no ecosim run writes" in res.output
    assert (out / "keep.txt").read_text() == "x"


def test_console_script_runs_quietly_without_tty(small_tokens_yaml, tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecosystem.cli",
            "run",
            str(small_tokens_yaml),
            "--out",
            str(out),
            "--set",
            "loop.generations=1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar when not a terminal
    assert "run folder" in proc.stdout


def test_a_run_that_cannot_start_here_exits_2_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)  # the optional package is missing
    scenario = tmp_path / "hf.yaml"
    scenario.write_text(
        "kind: loop\n"
        "truth: {modality: text, source: hf, hf_dataset: wikitext, hf_config: wikitext-2-raw-v1}\n"
        "learner: {kind: transformer}\n"
    )
    out = tmp_path / "run"
    res = runner.invoke(app, ["run", str(scenario), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert f"{scenario}: cannot run here: truth.source 'hf' needs" in res.output
    assert not out.exists()


def test_run_without_out_writes_runs_scenario_name_and_refuses_to_overwrite(
    small_tokens_yaml, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    args = ["run", str(small_tokens_yaml), "--set", "loop.generations=1"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    folder = tmp_path / "runs" / "small_tokens"
    assert (folder / "run.json").is_file()
    assert "run folder: runs/small_tokens" in res.output
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "runs/small_tokens: already exists" in res.output


def test_a_name_that_is_no_folder_name_needs_out(small_tokens_yaml, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["run", str(small_tokens_yaml), "--set", "name=../escape"])
    assert res.exit_code == 2 and "is not a folder name" in res.output and "--out" in res.output
    assert not (tmp_path / "runs").exists() and not (tmp_path.parent / "escape").exists()


def test_ctrl_c_prints_one_line_exits_130_and_writes_nothing(
    small_tokens_yaml, tmp_path, monkeypatch
):
    import ecosystem.runner as runner_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner_module, "execute", interrupted)
    out = tmp_path / "run"
    res = runner.invoke(app, ["run", str(small_tokens_yaml), "--out", str(out)])
    assert res.exit_code == 130
    assert res.output.strip() == "interrupted: nothing written"
    assert not out.exists()
