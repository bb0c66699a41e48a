"""Policy levers (``policies`` block, crawl opt-outs over time): each on a small world.

Every lever switched off leaves the baseline's tables as they were (per-column hashes taken
before the levers existed, ``tests/baseline_column_hashes.json``); each lever changes the world
through its mechanism, and bad settings are reported at their field.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from ecosystem.config import load_scenario, validate_text
from ecosystem.core.errors import ScenarioError
from ecosystem.pipeline.detector import DocumentDraws
from ecosystem.world.content import Origin
from ecosystem.world.model import EcosystemModel
from ecosystem.world.run import run_ecosystem
from ecosystem.world.streams import Draw
from ecosystem.world.web import SiteKind
from tests.column_hashes import FILE, column_hashes
from tests.ecosystem_scenarios import TINY, tiny


def world(policies: dict | None = None, steps: int = 12, **top) -> object:
    """A tiny world without companies: an open-weights replace trainer the farms and authors
    write with, a trainer that deploys nothing (the filters' subject) and a human-only control."""
    data = yaml.safe_load(TINY)
    data.update(steps=steps, companies=[])
    common = {"retrain_every": 3, "recency_half_life": 3, "respect_opt_out": False}
    data["trainers"] = [
        {"name": "open", "open_weights": True, "crawl_budget": 300, **common},
        {"name": "filtered", "crawl_budget": 300, **common},
        {"name": "control", "human_only": True, "crawl_budget": 300, **common},
    ]
    data["farms"]["docs_per_step"] = 200
    if policies is not None:
        data["policies"] = policies
    data.update(top)
    return validate_text(yaml.safe_dump(data), "policies.yaml")


def run_model(scenario) -> tuple[EcosystemModel, list]:
    """The model after its run, and every generation each trainer returned."""
    model = EcosystemModel(scenario)
    trained = list(model.trained)
    for _ in range(scenario.steps):
        model.step()
        trained.extend(model.trained)
    return model, trained


# ---------------------------------------------------------------------- every lever off
def test_every_lever_off_keeps_every_baseline_column():
    recorded = json.loads(FILE.read_text())
    for name, tables in recorded.items():
        now = column_hashes(name)
        changed = [
            f"{table}.{column}"
            for table, columns in tables.items()
            for column, digest in columns.items()
            if now[table].get(column) != digest
        ]
        assert not changed, f"{name}: columns changed with every lever off: {changed}"


def test_empty_policies_block_changes_nothing():
    plain, empty = run_ecosystem(tiny()), run_ecosystem(tiny(policies={}))
    for name, frame in plain.items():
        assert frame.equals(empty[name]), name
    steps = plain["steps"]
    assert steps["levy_revenue"].sum() == 0 and steps["labelled_docs_new"].sum() == 0
    generations = plain["generations"]
    assert generations["flagged_share"].sum() == 0 and generations["human_docs_lost"].sum() == 0


# ---------------------------------------------------------------------- detector
def test_document_draws_are_fixed_per_document():
    ids = np.arange(40_000)
    whole = DocumentDraws(3, Draw.DETECTOR)(ids)
    pieces = DocumentDraws(3, Draw.DETECTOR)
    late = pieces(np.array([39_999, 5]))
    assert np.array_equal(late, whole[[39_999, 5]])
    assert np.array_equal(pieces(ids), whole)
    assert 0.49 < whole.mean() < 0.51


def test_perfect_detector_removes_exactly_the_ai_documents_and_matches_the_control():
    # crawl budgets above the web's size: each crawl is the whole web (the control's: its
    # human part), so a perfect detector leaves the trainer exactly the control's data
    perfect = {"false_positive_rate": 0.0, "false_negative_rate": 0.0, "trainers": ["filtered"]}
    scenario = world({"detector": perfect})
    data = scenario.model_dump()
    for trainer in data["trainers"][1:]:
        trainer["crawl_budget"] = 10_000_000
    model, trained = run_model(type(scenario).model_validate(data))
    origin = model.store.column("origin")
    filtered = [t for t in trained if t.trainer == 1]
    assert any(np.any(origin[t.crawled] == Origin.AI) for t in filtered)
    for t in filtered:
        assert np.array_equal(t.kept, t.crawled[origin[t.crawled] == Origin.HUMAN])
    by = {(t.trainer, t.generation): t for t in trained}
    for t in filtered:
        control = by[(2, t.generation)]
        assert np.array_equal(t.kept, control.crawled)
        assert t.metrics["excess_cross_entropy"] == pytest.approx(
            control.metrics["excess_cross_entropy"], rel=1e-12
        )


def _rates(frame) -> tuple[float, float, int, int]:
    """Measured FP and FN rates of the filtered trainer and their sample sizes."""
    rows = frame.filter(trainer="filtered")
    n_ai = (rows["crawled_docs"] * rows["crawled_ai_share"]).round().sum()
    n_human = rows["crawled_docs"].sum() - n_ai
    return (
        rows["human_docs_lost"].sum() / n_human,
        rows["ai_docs_passed"].sum() / n_ai,
        n_human,
        n_ai,
    )


@pytest.mark.parametrize("fp, fn", [(0.042, 0.006), (0.15, 0.3)])
def test_measured_error_rates_match_the_configured_ones(fp, fn):
    rule = {"false_positive_rate": fp, "false_negative_rate": fn, "trainers": ["filtered"]}
    generations = run_ecosystem(world({"detector": rule}, steps=18))["generations"]
    fp_hat, fn_hat, n_human, n_ai = _rates(generations)
    assert abs(fp_hat - fp) < 4 * np.sqrt(fp * (1 - fp) / n_human) + 1e-9
    assert abs(fn_hat - fn) < 4 * np.sqrt(fn * (1 - fn) / n_ai) + 1e-9


def test_better_models_and_paraphrase_evade_the_detector():
    base = {"false_positive_rate": 0.0, "false_negative_rate": 0.0, "trainers": ["filtered"]}
    hard = dict(base, quality_elasticity=1.0, reference_excess=5.0)
    farms = dict(yaml.safe_load(TINY)["farms"], docs_per_step=200, paraphrase=1.0)
    passed = {}
    for name, rule, top in (
        ("perfect", base, {}),
        ("good models", hard, {}),
        ("paraphrase", base, {"farms": farms}),
    ):
        generations = run_ecosystem(world({"detector": rule}, **top))["generations"]
        passed[name] = _rates(generations)[1]
    assert passed["perfect"] == 0.0
    assert passed["good models"] > 0.5  # e ~ 0.7 of 5 nats: detectability ~ 0.14
    assert passed["paraphrase"] > 0.3  # farm documents keep 10% of their detectability


def test_score_detector_threshold_sweeps_a_roc():
    points = []
    for threshold in (0.5, 1.5, 2.5):
        rule = {
            "mode": "scores",
            "separation": 2.0,
            "threshold": threshold,
            "trainers": ["filtered"],
        }
        fp_hat, fn_hat, _, _ = _rates(run_ecosystem(world({"detector": rule}))["generations"])
        points.append((fp_hat, fn_hat))
    fps, fns = zip(*points, strict=True)
    assert fps[0] > fps[1] > fps[2] and fns[0] < fns[1] < fns[2]


# ---------------------------------------------------------------------- watermark
def test_higher_watermark_compliance_lowers_the_ai_share_of_training_data():
    shares = []
    for compliance in (0.0, 0.5, 1.0):
        mandate = {"compliance": compliance, "detection_rate": 1.0}
        tables = run_ecosystem(tiny(policies={"watermark": mandate}))
        rows = tables["generations"].filter(pl.col("generation") > 0)  # pooled: one tiny world
        ai_docs = (rows["train_ai_share"] * rows["train_docs"]).sum()
        shares.append(ai_docs / rows["train_docs"].sum())
        if compliance == 1.0:
            assert tables["steps"]["watermarked_docs_new"].sum() > 0
    assert shares[0] > shares[1] > shares[2]


def test_paraphrase_removes_watermarks_and_open_weights_are_out_of_reach():
    mandate = {"compliance": 1.0, "detection_rate": 1.0}
    model, _ = run_model(world({"watermark": mandate}))
    assert not model.store.column("watermark").any()  # the only model is open weights
    covered = dict(mandate, cover_open_weights=True)
    farms = dict(yaml.safe_load(TINY)["farms"], docs_per_step=200, paraphrase=0.5)
    model, _ = run_model(world({"watermark": covered}, farms=farms))
    ai = model.store.column("origin") == Origin.AI
    paraphrased = model.policies.marks.column("paraphrased")
    marked = model.store.column("watermark")
    assert np.array_equal(marked, ai & ~paraphrased)
    farm = ai & (model.store.column("author") < 0)
    assert 0.4 < paraphrased[farm].mean() < 0.6 and not paraphrased[~farm].any()


# ---------------------------------------------------------------------- provenance
def test_full_disclosure_labels_every_assisted_post_and_crawlers_drop_them():
    labels = {"platform_rule": 1.0, "disclosure": 1.0, "trainers": ["filtered"]}
    model, trained = run_model(world({"provenance": labels}))
    store, labelled = model.store, model.policies.marks.column("labelled")
    platform = model.web.kind[store.column("site")] == SiteKind.PLATFORM
    assisted = (store.column("origin") == Origin.AI) & (store.column("author") >= 0)
    assert labelled.any() and np.array_equal(labelled, assisted & platform)
    for t in trained:
        if t.trainer == 1:
            assert np.array_equal(t.kept, t.crawled[~labelled[t.crawled]])
        else:
            assert t.kept is t.crawled
    owner_view = model.policies.label_filter().keep(np.arange(store.n_docs), store, 0)
    assert np.array_equal(owner_view, ~labelled)


# ---------------------------------------------------------------------- opt-outs over time
def test_opt_out_growth_reaches_the_configured_shares():
    rule = {
        "initial_share": 0.0,
        "growth_per_step": 0.02,
        "critical_top": 0.2,
        "critical_growth_per_step": 0.06,
        "critical_max_share": 0.5,
    }
    data = yaml.safe_load(TINY)
    data.update(opt_out=rule, steps=12)
    data["authors"]["count"] = 1000
    model = EcosystemModel(validate_text(yaml.safe_dump(data), "opt.yaml"))
    for _ in range(12):
        model.step()
    web, t = model.web, model.step_index
    critical, eligible = web.critical_sites(), web.eligible_for_opt_out()
    rest = eligible & ~critical
    blocked = np.array([web.opted_out(c, t) for c in range(web.n_crawlers)])
    n_critical = critical.sum() * web.n_crawlers
    want_critical, want_rest = min(0.5, 0.06 * t), 0.02 * t
    assert critical.sum() == int(np.ceil(0.2 * eligible.sum()))
    assert abs(blocked[:, critical].mean() - want_critical) < 4 * np.sqrt(0.25 / n_critical)
    assert abs(blocked[:, rest].mean() - want_rest) < 4 * np.sqrt(0.25 / (rest.sum() * 4))
    pagerank = web.pagerank
    assert pagerank[critical[: len(pagerank)]].min() >= pagerank[rest[: len(pagerank)]].max()


# ---------------------------------------------------------------------- retention, levy
def test_retention_mandate_bounds_the_drift_of_a_replace_trainer():
    free = run_ecosystem(world(steps=24))["generations"].filter(trainer="open")
    kept = run_ecosystem(world({"retention": {"trainers": ["open"]}}, steps=24))["generations"]
    kept = kept.filter(trainer="open")
    assert kept["strategy"].to_list() == ["accumulate"] * kept.height
    assert kept["retention_mandate"].all() and not free["retention_mandate"].any()
    drift = kept["excess_cross_entropy"]
    assert drift.max() <= drift[0] + 1e-12  # never worse than generation 0
    assert drift[-1] < free["excess_cross_entropy"][-1]


def test_authors_paid_by_the_levy_quit_less():
    levy = {"per_document": 0.5, "archive_share": 0.0, "authors_share": 1.0}
    plain = run_ecosystem(tiny())["steps"]
    paid = run_ecosystem(tiny(policies={"levy": dict(levy, payment_elasticity=50.0)}))["steps"]
    assert paid["author_payments"].sum() > 0
    assert paid["human_authors_active"][-1] > plain["human_authors_active"][-1]


def test_levy_money_flows_and_the_archive_joins_training():
    levy = {"per_document": 0.1, "archive_share": 0.6, "authors_share": 0.4, "archive_price": 0.05}
    tables = run_ecosystem(tiny(policies={"levy": levy}))
    steps, firms = tables["steps"], tables["firms"]
    revenue = steps["levy_revenue"].to_numpy()
    per_step = firms.group_by("step", maintain_order=True).agg(pl.col("levy_paid").sum())
    assert np.allclose(revenue, per_step["levy_paid"].to_numpy())
    assert np.allclose(steps["author_payments"].to_numpy(), 0.4 * revenue)
    spent = steps["archive_spending"].sum()
    assert 0.6 * revenue.sum() - 0.05 < spent <= 0.6 * revenue.sum() + 1e-9
    assert steps["archive_docs"][-1] == round(spent / 0.05)
    plain = run_ecosystem(tiny())["generations"]
    mixed = tables["generations"]
    last = mixed.filter(trainer="acme")["train_docs"][-1]
    assert last > plain.filter(trainer="acme")["train_docs"][-1]


# ---------------------------------------------------------------------- bad input
BAD = [
    (
        "detector: {false_positive_rate: 0.6, false_negative_rate: 0.5}",
        "policies.detector.false_positive_rate: false_positive_rate + false_negative_rate >= 1",
    ),
    ("detector: {false_negative_rate: 1.5}", "policies.detector.false_negative_rate:"),
    ("levy: {archive_share: 0, authors_share: 0}", "policies.levy.archive_share: the levy funds"),
    (
        "retention: {trainers: [acme, nobody]}",
        "policies.retention.trainers.1: unknown trainer 'nobody'",
    ),
    ("watermark: {compliance: -0.1}", "policies.watermark.compliance:"),
]


@pytest.mark.parametrize("block, message", BAD)
def test_contradictory_settings_are_reported_at_their_field(tmp_path: Path, block, message):
    path = tmp_path / "bad.yaml"
    path.write_text(TINY + "policies:\n  " + block + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    text = str(problem)
    line = len(TINY.splitlines()) + 2
    assert text.startswith(f"{path}:{line}: {message}"), text


# ---------------------------------------------------------------------- shipped scenarios
def test_policy_scenarios_are_the_baseline_world_plus_one_lever():
    from tests.conftest import SCENARIOS
    from tests.golden import POLICY_SCENARIOS

    baseline = yaml.safe_load((SCENARIOS / "baseline.yaml").read_text())
    assert {p.stem for p in (SCENARIOS / "policies").glob("*.yaml")} == set(POLICY_SCENARIOS)
    for lever in POLICY_SCENARIOS:
        path = SCENARIOS / "policies" / f"{lever}.yaml"
        text = path.read_text()
        assert text.startswith("# ") and "Question" in text.split("kind:")[0], lever
        data = yaml.safe_load(text)
        varied = {"name", "description", "policies", "opt_out"}
        assert {k: v for k, v in data.items() if k not in varied} == {
            k: v for k, v in baseline.items() if k not in varied
        }, lever
        assert ("opt_out" in varied and data["opt_out"] != baseline["opt_out"]) == (
            lever == "opt_out"
        )
        load_scenario(path)


def test_policy_report_scales_the_scenarios_and_reads_the_effects():
    from ecosystem.world.policy_report import FOLDER, effects, scaled

    levy = validate_text(scaled(FOLDER / "levy.yaml", 0.5), "levy.yaml")
    assert levy.authors.count == 5000 and levy.policies.levy.archive_mix == 1000
    assert levy.trainers[0].crawl_budget == 15_000
    data = yaml.safe_load(TINY)
    data["trainers"][2]["name"] = "open_web"
    found = effects(run_ecosystem(validate_text(yaml.safe_dump(data), "tiny.yaml")))
    assert found["human_lost_share"] == 0.0 and found["open_web_excess"] > 0
