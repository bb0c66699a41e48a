"""The training-data pipeline: one list of strategies, each strategy's composition, the world's
original_fraction, and fast paths equal in distribution to the explicit path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import numpy as np
import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal
from scipy.stats import ks_2samp

from ecosystem.config import validate_text
from ecosystem.config.ecosystem import EcosystemScenario, TrainerParams
from ecosystem.config.learners import DecodingParams
from ecosystem.config.schema import LoopParams, LoopScenario
from ecosystem.core.data import Vectors
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.lab.loop import run_loop
from ecosystem.pipeline import STRATEGIES, STRATEGY_NAMES, Strategy, apply_strategy
from ecosystem.pipeline.lab import LabPipeline, LabStreams
from ecosystem.pipeline.mix import WorldMix, fresh_documents
from ecosystem.pipeline.pools import RowPool, StatsPool
from ecosystem.pipeline.trainer import CrawlPipeline, StorePool
from ecosystem.runner import simulate
from ecosystem.world.content import Origin
from ecosystem.world.model import EcosystemModel
from tests.ecosystem_scenarios import TINY

ROOT = Path(__file__).resolve().parents[1]
R = 2  # replicas of the composition tests


# ------------------------------------------------------------------ one list of strategies
def _allowed(model: type, field: str) -> list[str]:
    schema = model.model_json_schema()["properties"][field]
    schema = schema.get("items", schema)
    return schema["enum"]


def test_the_registry_is_the_only_list_of_strategies():
    assert get_args(Strategy) == STRATEGY_NAMES == tuple(STRATEGIES)
    assert _allowed(LoopParams, "strategies") == list(STRATEGY_NAMES)
    assert _allowed(TrainerParams, "strategy") == list(STRATEGY_NAMES)
    duplicate = re.compile(r"Literal\[[^\]]*[\"']accumulate", re.S)
    for folder in ("ecosystem", "agents", "dashboard"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not duplicate.search(path.read_text(encoding="utf-8")), path


def test_every_rule_names_an_existing_share_field():
    for rule in STRATEGIES.values():
        assert (rule.share_field is None) == (rule.human == "none")
        if rule.share_field:
            assert rule.share_field in LoopParams.model_fields
            assert rule.share_field in TrainerParams.model_fields
    assert {r.name for r in STRATEGIES.values() if not r.on_statistics} == {
        "accumulate_subsample",
        "original_fraction",
    }


# ------------------------------------------------------------------ lab composition
# Values mark where a sample came from: the initial human data in [0, 100), fresh human data in
# [200, 300), generation g's synthetic samples exactly 1000 + g.
class _Fitted:
    def __init__(self, generation: int):
        self.generation, self.n_replicas = generation, R

    def sample(self, n, rng, decoding):
        return Vectors(np.full((R, int(n[0]), 1), 1000.0 + self.generation))


class _Learner:
    def fit(self, data, rng, previous=None):
        self.last = data
        return _Fitted(0 if previous is None else previous.generation + 1)


class _Truth:
    def sample(self, n, rng):
        return Vectors(200.0 + np.stack([g.permutation(100)[: int(n[0])] for g in rng])[..., None])


def _streams() -> LabStreams:
    purposes = (Stream.LOOP, Stream.FRESH, Stream.SUBSAMPLE, Stream.LEARNER)
    return LabStreams(*(ReplicaRNG.for_replicas(1, s, range(R)) for s in purposes))


def _composition(strategy: str, generations: int = 2):
    loop = LoopParams(
        samples_per_generation=10,
        fresh_fraction=0.3,
        original_fraction=0.3,
        subsample_budget=8,
        sampling="explicit",
    )
    initial = Vectors(np.arange(2 * 10, dtype=float).reshape(R, 10, 1))
    learner = _Learner()
    pipeline = LabPipeline(
        STRATEGIES[strategy], RowPool(initial), learner, _Truth(), loop, DecodingParams(),
        _streams(),
    )  # fmt: skip
    generation = pipeline.generation0
    for g in range(1, generations + 1):
        generation = pipeline.next(generation, g)
    return generation.train, learner.last.x[..., 0], initial.x[..., 0]


def test_replace_trains_on_the_latest_samples_only():
    train, x, _ = _composition("replace")
    assert train.size.tolist() == [10, 10] and train.ai_share.tolist() == [1.0, 1.0]
    assert (x == 1001).all()


def test_accumulate_trains_on_everything_seen():
    train, x, initial = _composition("accumulate")
    assert train.size.tolist() == [30, 30]
    np.testing.assert_allclose(train.ai_share, 2 / 3)
    for r in range(R):
        assert sorted(x[r]) == sorted([*initial[r], *[1000.0] * 10, *[1001.0] * 10])


def test_accumulate_subsample_trains_on_a_budget_of_the_pool():
    train, x, initial = _composition("accumulate_subsample", generations=3)
    assert train.size.tolist() == [8, 8]
    for r in range(R):
        pool = {*initial[r], 1000.0, 1001.0, 1002.0}
        assert set(x[r]) <= pool
        np.testing.assert_allclose(train.ai_share[r], np.mean(x[r] >= 1000))


def test_fresh_fraction_mixes_fresh_human_samples():
    train, x, _ = _composition("fresh_fraction")
    assert train.size.tolist() == [10, 10]
    np.testing.assert_allclose(train.ai_share, 0.7)
    for r in range(R):
        assert np.count_nonzero(x[r] == 1001) == 7
        fresh = x[r][x[r] < 1000]
        assert len(fresh) == 3 and ((fresh >= 200) & (fresh < 300)).all()


def test_original_fraction_redraws_generation_zero_data():
    train, x, initial = _composition("original_fraction")
    assert train.size.tolist() == [10, 10]
    np.testing.assert_allclose(train.ai_share, 0.7)
    for r in range(R):
        original = x[r][x[r] < 1000]
        assert len(original) == len(set(original)) == 3  # without replacement
        assert set(original) <= set(initial[r])


# ------------------------------------------------------------------ world composition
def test_store_pool_keeps_each_document_once():
    rule, pool = STRATEGIES["accumulate"], StorePool()
    first = apply_strategy(rule, pool, [np.array([5, 2, 9])], 4, None)
    second = apply_strategy(rule, pool, [np.array([9, 11, 2])], 4, None)
    assert first.ids.tolist() == [2, 5, 9] and second.ids.tolist() == [2, 5, 9, 11]
    assert second.new.tolist() == [11]
    sub = apply_strategy(
        STRATEGIES["accumulate_subsample"], pool, [np.array([3])], 4, np.random.default_rng(0)
    )
    assert len(sub.ids) == 4 and set(sub.ids) <= {2, 3, 5, 9, 11}
    replace = apply_strategy(STRATEGIES["replace"], StorePool(), [np.array([7, 1])], 4, None)
    assert replace.ids.tolist() == [7, 1]


def _tiny_with(**trainer) -> EcosystemScenario:
    data = yaml.safe_load(TINY)
    data["trainers"][0].update(trainer)
    return validate_text(yaml.safe_dump(data), "tiny.yaml")


def test_world_original_fraction_redraws_generation_zero_documents():
    scenario = _tiny_with(strategy="original_fraction", original_fraction=0.3)
    model = EcosystemModel(scenario)
    trainer = model.trainers[0]
    pipeline = trainer.pipeline
    original = pipeline.original.copy()
    assert len(original) == 300 and (model.store.column("origin")[original] == Origin.HUMAN).all()
    assert pipeline.split(0) == (300, 0) and pipeline.split(1) == (210, 90)
    seen = []
    real = pipeline.next_generation

    def spy(crawled, store, rng, previous, mix, original):
        trained = real(crawled, store, rng, previous, mix, original)
        seen.append((crawled, original, trained))
        return trained

    pipeline.next_generation = spy
    for _ in range(scenario.steps):
        model.step()
    assert len(seen) == 3  # steps 3, 6, 9
    for crawled, redrawn, trained in seen:
        (part,) = redrawn
        assert len(part) == 90 and len(np.unique(part)) == 90
        assert np.isin(part, original).all()
        assert trained.selection.ids.tolist() == [*crawled, *part]
        assert trained.train_docs == len(crawled) + 90
        assert trained.train_ai_share <= len(crawled) / trained.train_docs
    assert np.array_equal(pipeline.original, original)


def test_world_original_fraction_is_deterministic_and_leaves_other_strategies_alone():
    scenario = _tiny_with(strategy="original_fraction", original_fraction=0.5)
    a, b = simulate(scenario), simulate(scenario)
    for name in a:
        assert_frame_equal(a[name], b[name])
    rows = a["generations"].filter(pl.col("trainer") == "acme", pl.col("generation") > 0)
    assert (rows["train_docs"] <= 300).all() and (rows["strategy"] == "original_fraction").all()
    # a share of 0 is replace: the same tables, draw for draw
    zero = simulate(_tiny_with(strategy="original_fraction", original_fraction=0.0))
    replace = simulate(_tiny_with(strategy="replace"))
    for name in zero:
        assert_frame_equal(
            zero[name].drop("strategy", strict=False), replace[name].drop("strategy", strict=False)
        )


# ------------------------------------------------------------------ fast paths
GAUSSIAN = """
kind: loop
seed: 11
truth: {modality: vectors, dim: 1, mean: 0.5, std: 1.5}
learner: {kind: gaussian, estimator: unbiased}
loop:
  replicas: 600
  generations: 6
  samples_per_generation: 20
  strategies: [replace, accumulate, fresh_fraction]
  fresh_fraction: 0.25
"""


def _finals(scenario: LoopScenario, column: str) -> dict[str, np.ndarray]:
    frame = run_loop(scenario)["generations"]
    last = frame.filter(pl.col("generation") == scenario.loop.generations)
    return {
        s: last.filter(pl.col("strategy") == s)[column].to_numpy() for s in scenario.loop.strategies
    }


def _agree(fast: np.ndarray, slow: np.ndarray) -> None:
    """Same law: a two-sample KS test does not reject at 1%, means within 3 standard errors and
    standard deviations within 15% (600 replicas each, fixed seeds)."""
    assert ks_2samp(fast, slow).pvalue > 0.01
    se = np.sqrt(fast.var() / len(fast) + slow.var() / len(slow))
    assert abs(fast.mean() - slow.mean()) < 3 * se
    assert fast.std() == pytest.approx(slow.std(), rel=0.15)


@pytest.mark.parametrize("mode", ["closed_form", "statistics"])
def test_gaussian_fast_paths_agree_in_distribution_with_explicit_samples(mode, monkeypatch):
    explicit = _finals(validate_text(GAUSSIAN, "g.yaml", ["loop.sampling=explicit"]), "sigma_ratio")
    if mode == "statistics":  # the generic statistics pool, without the batched recursion
        from ecosystem.learners.gaussian import GaussianLearner

        monkeypatch.delattr(GaussianLearner, "closed_form_loop")
    fast = _finals(validate_text(GAUSSIAN, "g.yaml", ["loop.sampling=statistics"]), "sigma_ratio")
    for strategy in ("replace", "accumulate", "fresh_fraction"):
        _agree(fast[strategy], explicit[strategy])


def test_linear_statistics_path_agrees_in_distribution_with_explicit_samples():
    text = """
kind: loop
seed: 4
truth: {modality: labeled, dim: 3, noise_std: 1.0}
learner: {kind: linear}
loop:
  replicas: 600
  generations: 5
  samples_per_generation: 30
  strategies: [replace, accumulate, fresh_fraction]
  fresh_fraction: 0.3
"""
    explicit = _finals(validate_text(text, "l.yaml", ["loop.sampling=explicit"]), "test_risk")
    fast = _finals(validate_text(text, "l.yaml", ["loop.sampling=statistics"]), "test_risk")
    for strategy in ("replace", "accumulate", "fresh_fraction"):
        _agree(fast[strategy], explicit[strategy])


def test_lab_picks_the_statistics_pool_only_where_the_rule_allows():
    scenario = validate_text(GAUSSIAN, "g.yaml")
    from ecosystem.lab.loop import LoopContext
    from ecosystem.pipeline.lab import lab_pipeline

    ctx = LoopContext(scenario)
    streams = _streams()
    for name, rule in STRATEGIES.items():
        pipeline = lab_pipeline(
            rule, ctx.learner, ctx.initial, ctx.truth, ctx.loop, DecodingParams(), streams
        )
        assert isinstance(pipeline.pool, StatsPool if rule.on_statistics else RowPool), name


def test_world_running_counts_equal_a_refit_on_the_whole_pool():
    model = EcosystemModel(_tiny_with(strategy="accumulate"))
    store, learner = model.store, model.trainers[0].learner
    params = model.trainers[0].params
    fast, slow = CrawlPipeline(params, learner), CrawlPipeline(params, learner)
    slow.uses_stats = False  # refit the n-gram on every document of the pool
    rng = np.random.default_rng(3)
    for _ in range(3):
        crawled = np.sort(rng.choice(store.n_docs, size=120, replace=False))
        # proprietary documents join each generation's training set and are never pooled
        mix = WorldMix(proprietary=fresh_documents(model.truth, 30, rng))
        a = fast.next_generation(crawled, store, np.random.default_rng(0), mix=mix)
        b = slow.next_generation(crawled, store, np.random.default_rng(0), mix=mix)
        assert a.train_docs == len(slow.pool.everything().ids) + 30
        assert (a.train_docs, a.train_tokens, a.train_ai_share) == (
            b.train_docs, b.train_tokens, b.train_ai_share,
        )  # fmt: skip
        np.testing.assert_allclose(
            a.fitted.evaluate(model.test, model.truth)["cross_entropy"],
            b.fitted.evaluate(model.test, model.truth)["cross_entropy"],
            rtol=1e-12,
        )
