"""docs/POLICIES.md: the registry of lever scenarios, paired effects and their verdicts."""

from __future__ import annotations

import numpy as np

from ecosystem.sweeps import policies
from ecosystem.sweeps.policies import MAIN_OUTCOMES, REFERENCE, effects, registry


def test_registry_puts_the_reference_first_and_finds_every_lever(tmp_path):
    for name in ("watermark", REFERENCE, "detector"):
        (tmp_path / f"{name}.yaml").write_text("# question\nkind: ecosystem\n")
    assert list(registry(tmp_path)) == [REFERENCE, "detector", "watermark"]
    assert "opt_out" in registry()


def test_effects_are_paired_differences_with_verdicts():
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 1, 10)  # shared by both arms: common random numbers
    excess, share, authors, moat, best = MAIN_OUTCOMES
    values = {
        REFERENCE: {
            excess: list(1 + noise),
            share: list(noise),
            authors: list(noise),
            moat: [float("nan")] * 10,
            best: list(noise),
        },
        "opt_out": {
            excess: list(0.9 + noise),
            share: list(noise + rng.normal(0, 1e-3, 10)),
            authors: list(noise + 5),
            moat: [float("nan")] * 10,
            best: list(noise),
        },
    }
    found = {e.outcome: e for e in effects(values)}
    assert abs(found[excess].effect[0] + 0.1) < 1e-12
    assert found[excess].verdict == "better"  # lower excess cross-entropy, interval below 0
    assert found[share].verdict == "no clear change"
    assert found[authors].verdict == "higher"  # no direction in the catalog
    assert not np.isfinite(found[moat].effect[0])
    text = policies.markdown(list(found.values()), 10, "POLICIES.png")
    assert "## `opt_out`" in text and "n/a (not in this world)" in text
