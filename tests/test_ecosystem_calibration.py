"""scenarios/calibrated_web.yaml against the measured web, within stated tolerances.

Measured: Graphite's Common Crawl study of new English articles (AI share ≈0 before ChatGPT,
36-39% twelve months after it, ≈48% after twenty-four, a plateau near 50%) and del Rio-Chanona
et al. on Stack Overflow (posting down ≈16% at once and ≈25% within six months).

Simulated: ``ai_share_new`` averaged over the three steps centred on each month (Graphite's
monthly figures are noisy too) and ``human_platform_docs_new`` relative to its mean over the
twelve steps before launch (the launch step itself for "at once").
"""

from __future__ import annotations

import numpy as np
import pytest

from ecosystem.config import load_scenario
from ecosystem.world.run import run_ecosystem
from tests.conftest import SCENARIOS

# (what, months after launch, measured, tolerance in shares)
TARGETS = [
    ("ai_share_new", 12, 0.375, 0.035),  # Graphite: 36-39%
    ("ai_share_new", 24, 0.48, 0.035),  # Graphite: ≈48%
    ("ai_share_new", 35, 0.50, 0.04),  # Graphite: plateau near 50%
    ("qa_posting_drop", 0, 0.16, 0.04),  # Stack Overflow: -16% at once
    ("qa_posting_drop", 6, 0.25, 0.04),  # Stack Overflow: -25% within 6 months
]


def simulated(steps, launch: int) -> dict[tuple[str, int], float]:
    """The simulated counterpart of every target."""
    share = steps["ai_share_new"].to_numpy()
    posts = steps["human_platform_docs_new"].to_numpy().astype(float)
    before = posts[:launch].mean()
    out = {}
    for what, months, _, _ in TARGETS:
        at = launch + months
        if what == "ai_share_new":
            out[what, months] = share[at - 1 : at + 2].mean()
        elif months == 0:
            out[what, months] = 1 - posts[at] / before
        else:
            out[what, months] = 1 - posts[at - 1 : at + 2].mean() / before
    return out


@pytest.fixture(scope="module")
def calibrated():
    scenario = load_scenario(SCENARIOS / "calibrated_web.yaml")
    return scenario, run_ecosystem(scenario)["steps"]


def test_no_ai_text_before_launch(calibrated):
    scenario, steps = calibrated
    assert steps["ai_share_new"].to_numpy()[: scenario.launch_step].max() == 0.0


@pytest.mark.parametrize(("what", "months", "measured", "tolerance"), TARGETS)
def test_trajectory_matches_the_measured_web(calibrated, what, months, measured, tolerance):
    scenario, steps = calibrated
    value = simulated(steps, scenario.launch_step)[what, months]
    assert abs(value - measured) <= tolerance, f"{what} at +{months}: {value:.3f} vs {measured}"


def test_share_plateaus(calibrated):
    scenario, steps = calibrated
    share = steps["ai_share_new"].to_numpy()
    late = share[scenario.launch_step + 24 :]
    assert np.ptp(late) < 0.06
