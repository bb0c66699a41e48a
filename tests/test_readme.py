"""The README's promises: two Quickstart commands, CI runs the second, the main job runs."""

from __future__ import annotations

import re
import shlex

import pytest
from typer.testing import CliRunner

from ecosystem.cli import app
from ecosystem.config import load_scenario
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")

# smaller sizes for the smoke run of the main job, by scenario kind
SMOKE = {
    "loop": ["loop.generations=2", "loop.replicas=2"],
    "ecosystem": ["steps=7", "authors.count=600"],
}


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_second():
    commands = quickstart_commands()
    assert len(commands) == 2
    assert "pytest" in commands[1] and "ecosim run" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_main_job_runs(tmp_path):
    words = shlex.split(quickstart_commands()[0].split("&&")[-1])
    args = words[words.index("run") :]
    scenario_path = ROOT / args[1]
    assert scenario_path.exists()
    kind = load_scenario(scenario_path).kind
    out = tmp_path / "main"
    args[args.index("--out") + 1] = str(out)
    args[1] = str(scenario_path)
    for override in SMOKE.get(kind, []):
        args += ["--set", override]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "run folder" in result.output
    assert (out / "run.json").exists()


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in (ROOT / "scenarios").rglob("*.yaml")
        if "sweeps" not in p.relative_to(ROOT / "scenarios").parts
    ),
    ids=str,
)
def test_every_shipped_scenario_validates(path):
    assert load_scenario(path).name
