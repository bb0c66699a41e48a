"""A transformer trainer in the ecosystem: the same trainer interface as the n-gram."""

from __future__ import annotations

import numpy as np
import polars as pl
import yaml

from ecosystem.config import validate_text
from ecosystem.world.run import run_ecosystem
from tests.ecosystem_scenarios import TINY

TINY_TRANSFORMER = {
    "kind": "transformer",
    "n_layer": 1,
    "n_head": 2,
    "n_embd": 32,
    "block_size": 16,
    "epochs": 1,
    "batch_size": 32,
    "threads": 1,
}


def test_transformer_trainer_crawls_trains_and_publishes():
    data = yaml.safe_load(TINY)
    data["steps"] = 7
    data["trainers"][0]["learner"] = TINY_TRANSFORMER
    scenario = validate_text(yaml.safe_dump(data), "tiny.yaml")
    assert scenario.trainers[0].learner.kind == "transformer"
    tables = run_ecosystem(scenario, None)
    gens = tables["generations"].filter(pl.col("trainer") == "acme").sort("generation")
    assert gens["generation"].to_list() == [0, 1, 2]
    assert np.isfinite(gens["excess_cross_entropy"].to_numpy()).all()
    assert gens["train_ai_share"][0] == 0.0 and gens["train_ai_share"][-1] > 0.0
    firms = tables["firms"].filter(pl.col("company") == "Acme")
    assert (firms["quality"].is_finite()).all()
    samples = tables["samples"].filter(pl.col("trainer") == "acme")
    assert samples.height > 0 and samples["model_text"].str.len_chars().min() > 0
