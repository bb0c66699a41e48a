"""Ecosystem scenarios at reduced sizes for tests: the baseline scaled down, and a tiny world."""

from __future__ import annotations

import copy

import yaml

from ecosystem.config import validate_text
from ecosystem.config.ecosystem import EcosystemScenario
from tests.conftest import SCENARIOS

TINY = """\
kind: ecosystem
name: tiny
seed: 5
steps: 12
launch_step: 2
truth: {modality: tokens, vocab_size: 60, topics: 3, doc_length_min: 6, doc_length_max: 14}
web: {platforms: 2, pagerank_every: 2}
authors:
  count: 300
  entrants_per_step: 3
  productivity_mean: 1.0
  initial_docs: 2
  bass_p: 0.1
  bass_q: 0.5
  quit_base: 0.01
  quit_sensitivity: 0.2
  launch_quit_platform: 0.1
farms: {count: 2, docs_per_step: 60, sites_each: 3, new_sites_per_step: 0.5}
companies:
  - {name: Acme, price: 1.0, watermark: true}
  - {name: Bolt, price: 2.0}
trainers:
  - {name: acme, company: Acme, crawl_budget: 300, retrain_every: 3, strategy: accumulate}
  - {name: bolt, company: Bolt, crawl_budget: 300, retrain_every: 4,
     strategy: accumulate_subsample, subsample_budget: 250, crawl_mode: random_surfer,
     surfers: 200, surf_length: 8}
  - {name: open, open_weights: true, crawl_budget: 300, retrain_every: 3,
     strategy: fresh_fraction, fresh_fraction: 0.3, recency_half_life: 3,
     respect_opt_out: false, decoding: {top_p: 0.8}}
  - {name: control, human_only: true, crawl_budget: 300, retrain_every: 3, init: continue}
opt_out: {initial_share: 0.2, growth_per_step: 0.03, max_share: 0.5}
metrics: {test_docs: 200, sample_size: 100, text_samples: 2}
"""


def tiny(**top_level) -> EcosystemScenario:
    """A world of 300 authors and four trainers covering every strategy; runs in ~1 s."""
    data = yaml.safe_load(TINY)
    data.update(top_level)
    return validate_text(yaml.safe_dump(data), "tiny.yaml")


def scaled_baseline(scale: float, seed: int | None = None, **top_level) -> EcosystemScenario:
    """scenarios/baseline.yaml with authors, entrants, farm output and crawl budgets scaled."""
    data = copy.deepcopy(yaml.safe_load((SCENARIOS / "baseline.yaml").read_text()))
    authors, farms = data["authors"], data["farms"]
    authors["count"] = round(authors["count"] * scale)
    authors["entrants_per_step"] = authors["entrants_per_step"] * scale
    farms["docs_per_step"] = farms["docs_per_step"] * scale
    for trainer in data["trainers"]:
        trainer["crawl_budget"] = round(trainer["crawl_budget"] * scale)
    data["metrics"] = {"test_docs": 1000, "sample_size": 300, "text_samples": 1}
    if seed is not None:
        data["seed"] = seed
    data.update(top_level)
    return validate_text(yaml.safe_dump(data), "baseline (scaled)")


TINY_HOLDINGS = {
    "web": {"platforms": 3, "pagerank_every": 2},
    "companies": [
        {
            "name": "Acme",
            "price": 1.0,
            "watermark": True,
            "holdings": {
                "platforms": [0],
                "platform_docs": 150,
                "snapshot_cutoff": 3,
                "snapshot_docs": 100,
                "licence_docs": 100,
                "endowment": 200.0,
                "revenue_share": 0.5,
            },
        },
        {
            "name": "Bolt",
            "price": 2.0,
            "holdings": {"licence_docs": 150, "endowment": 400.0, "revenue_share": 0.5},
        },
    ],
    "licences": [
        {"platform": 1, "price": 0.5, "exclusive": True, "duration": 4},
        {"platform": 2, "price": 0.2, "duration": 3},
        {"platform": 2, "price": 0.0, "duration": 2, "buyer": "Acme", "start": 1},
    ],
    "market": {"consumers": 200.0},
}
"""The tiny world with holdings: Acme owns platform 0 and keeps a snapshot, Bolt and Acme buy
licences (platform 1 exclusively, platform 2 not; a deal struck with Acme at step 1)."""


def tiny_holdings(**top_level) -> EcosystemScenario:
    """The tiny world with every kind of holding and both kinds of licence."""
    return tiny(**{**copy.deepcopy(TINY_HOLDINGS), **top_level})


def tiny_holdings_text() -> str:
    """The YAML text of :func:`tiny_holdings`."""
    data = yaml.safe_load(TINY)
    data.update(copy.deepcopy(TINY_HOLDINGS))
    return yaml.safe_dump(data, sort_keys=False)
