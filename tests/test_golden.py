"""Golden runs: each shipped scenario at a reduced size gives the committed table hashes.

A failure here means results changed. If that was the purpose of the change, regenerate the
hashes (``.venv/bin/python -m tests.golden --write``) and say in the commit why results moved.
"""

from __future__ import annotations

import json

import pytest

from tests.golden import HASHES, REDUCTIONS, run_hashes, shipped, tiny_pretrained

KNOWN = json.loads(HASHES.read_text())


def test_every_shipped_scenario_has_a_golden_run():
    assert set(shipped()) == set(REDUCTIONS) == set(KNOWN)


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    return tiny_pretrained(tmp_path_factory.mktemp("golden") / "tiny_opt")


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_golden_tables(name, pretrained):
    assert run_hashes(name, pretrained) == KNOWN[name], (
        f"{name}: tables changed; if on purpose, run `python -m tests.golden --write`"
    )
