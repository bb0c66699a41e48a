"""The baseline's qualitative claims, checked on its own outputs at a quarter of its size.

scenarios/baseline.yaml must show: the AI share of new documents rising from 0 to a plateau;
the open-web trainer's excess cross-entropy rising over generations while the human-only control
stays flat; and the number of active human authors falling.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ecosystem.world.run import run_ecosystem
from tests.ecosystem_scenarios import scaled_baseline


@pytest.fixture(scope="module")
def baseline():
    return run_ecosystem(scaled_baseline(0.25))


def _excess(generations: pl.DataFrame, trainer: str) -> np.ndarray:
    rows = generations.filter(pl.col("trainer") == trainer).sort("generation")
    return rows["excess_cross_entropy"].to_numpy()


def test_ai_share_of_new_documents_rises_from_zero_to_a_plateau(baseline):
    share = baseline["steps"]["ai_share_new"].to_numpy()
    assert share[:6].max() == 0.0, "no AI text before the launch at step 6"
    last, before = share[-6:].mean(), share[-12:-6].mean()
    assert last > 0.4, "a large share of new documents is AI-made by the end"
    assert abs(last - before) < 0.05, "the share has levelled off"
    assert share[12:18].mean() < last - 0.2, "it got there by rising"


def test_open_web_trainer_degrades_while_the_control_stays_flat(baseline):
    generations = baseline["generations"]
    open_web, control = _excess(generations, "open_web"), _excess(generations, "control")
    assert len(open_web) == len(control) == 10
    open_rise = open_web[-2:].mean() - open_web[:2].mean()
    control_change = control[-2:].mean() - control[:2].mean()
    assert open_rise > 0.03
    assert abs(control_change) < 0.02
    assert np.all(np.diff(open_web[3:]) > -0.02), "the rise is steady, not a blip"
    assert generations.filter(pl.col("trainer") == "open_web")["train_ai_share"][-1] > 0.3


def test_human_authors_active_falls(baseline):
    active = baseline["steps"]["human_authors_active"].to_numpy()
    assert active[-1] < 0.85 * active[0]
    assert active[-12:].mean() < active[12:24].mean()
