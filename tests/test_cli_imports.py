"""The command line starts fast: ``--help`` and ``validate`` import no heavy module, and an
ecosystem run none of the lab's kinds.

Checked by what is imported (``python -X importtime`` lists every module a process loads), not by
a timing: the validate path needs pydantic, the config package and the YAML reader only; numpy,
polars, Mesa, scipy, networkx and torch are imported by the commands that compute.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, SCENARIOS
from tests.ecosystem_scenarios import TINY

HEAVY = ("numpy", "polars", "mesa", "scipy", "networkx", "torch", "pandas", "pyarrow")


def imported_modules(*args: str) -> tuple[int, set[str]]:
    """Exit code of ``python -m ecosystem.cli ARGS`` and the names of every module it imported."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ecosystem.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in out.stderr.splitlines()
        if line.startswith("import time:") and "imported package" not in line
    }
    return out.returncode, names


def heavy_among(names: set[str]) -> list[str]:
    """The heavy packages (or any of their submodules) among ``names``."""
    return sorted(n for n in names if n.split(".")[0] in HEAVY)


@pytest.mark.parametrize(
    "scenario", ["baseline.yaml", "loop_tokens.yaml", "data_moat.yaml", "transformer_tiny.yaml"]
)
def test_validate_imports_no_heavy_module(scenario):
    code, names = imported_modules("validate", str(SCENARIOS / scenario))
    assert code == 0
    assert "ecosystem.config" in names and "pydantic" in names  # the path was really taken
    assert heavy_among(names) == []


def test_validate_of_a_bad_scenario_imports_no_heavy_module(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((SCENARIOS / "baseline.yaml").read_text().replace("steps: 60", "steps: -1"))
    code, names = imported_modules("validate", str(bad))
    assert code == 2
    assert heavy_among(names) == []


def test_an_ecosystem_run_imports_no_module_of_the_lab_kinds(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    code, names = imported_modules("run", str(scenario), "--out", str(tmp_path / "run"), "-q")
    assert code == 0
    assert "ecosystem.world.model" in names  # the path was really taken
    assert sorted(n for n in names if n.startswith("ecosystem.lab")) == []


def test_help_imports_no_heavy_module():
    code, names = imported_modules("--help")
    assert code == 0
    assert heavy_among(names) == [] and "pydantic" not in names
