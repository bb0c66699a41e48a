"""Every dashboard page through Streamlit's AppTest: widgets, interactions, readable errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import scenario_form
from ecosystem.runner import RunSpec, execute
from ecosystem.truth.spelling import english_words
from tests.conftest import ROOT, SMALL_TOKENS
from tests.dashboard_app import assert_clean, charts, open_app, texts
from tests.dashboard_runs import (
    write_broken_runs,
    write_ecosystem_run,
    write_loop_run,
    write_real_ecosystem_run,
    write_scaling_run,
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """A runs folder with two loop runs (two scenarios), a real ecosystem run and a synthetic
    one."""
    root = tmp_path_factory.mktemp("runs")
    write_loop_run(root / "loop_a", seed=3)
    write_loop_run(root / "loop_b", seed=4, overrides=["loop.samples_per_generation=200"])
    write_real_ecosystem_run(root / "eco_real")
    write_ecosystem_run(root / "eco_moat", holds_data=True)
    return root


def test_runs_page_draws_a_loop_run_and_switches_metric(runs):
    at = open_app(runs, run=str(runs / "loop_a"))
    assert_clean(at)
    assert at.title[0].value == "Runs"
    assert len(at.metric) == 2  # one headline per strategy
    assert len(charts(at)) == 3  # metric, AI share of training data, perplexity densities
    assert "Excess cross-entropy (nats/token)" in json.dumps(charts(at)[0])
    at.selectbox(key="runs_loop_metric").set_value("distinct_2").run()
    assert_clean(at)
    assert "Distinct bigrams" in json.dumps(charts(at)[0])
    at.toggle(key="runs_loop_log").set_value(True).run()
    assert_clean(at)
    assert "symlog" in json.dumps(charts(at)[0])
    at.button_group(key="runs_loop_strategy").set_value("accumulate").run()
    assert_clean(at)
    assert len(at.get("download_button")) >= 6  # shown data and whole tables, CSV and Parquet


def test_runs_page_draws_a_real_ecosystem_run(runs):
    at = open_app(runs, run=str(runs / "eco_real"))
    assert_clean(at)
    assert [m.label for m in at.metric][:3] == [
        "AI share of new documents",
        "AI share of the web",
        "Active human authors",
    ]
    specs = json.dumps(charts(at))
    assert len(charts(at)) == 4  # the web, authors, models, firms
    for title in ("AI-made share of documents", "Step (months)", "Market share"):
        assert title in specs
    assert "Moat gap: not in this run" in texts(at.info)  # no data holders yet
    at.selectbox(key="runs_eco_metric").set_value("tail_mass_ratio").run()
    assert_clean(at)
    assert "Tail mass ratio" in json.dumps(charts(at)[2])


def test_runs_page_shows_the_moat_gap_when_firms_hold_data(runs):
    at = open_app(runs, run=str(runs / "eco_moat"))
    assert_clean(at)
    assert "Moat gap: not in this run" not in texts(at.info)
    drawn = [json.dumps(c) for c in charts(at)]
    assert "Moat gap" in drawn[-3]  # one line per company
    assert "Human share of training data" in drawn[-2]
    assert "Money (relative units per step)" in drawn[-1] and "flow" in drawn[-1]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("corrupt_json", "run.json: corrupt"),
        ("unknown_kind", "unknown run kind"),
        ("bad_parquet", "steps.parquet: not readable Parquet"),
        ("missing_table", "generations.parquet is missing from"),
        ("kind_mismatch", "says kind 'loop', but the folder holds the tables of an ecosystem run"),
    ],
)
def test_a_broken_run_folder_shows_a_message_not_a_traceback(tmp_path, broken, message):
    folders = write_broken_runs(tmp_path)
    at = open_app(tmp_path, run=str(folders[broken]))
    assert_clean(at)
    assert message in texts(at.error)


def test_an_empty_runs_folder_says_how_to_make_a_run(tmp_path):
    at = open_app(tmp_path / "nothing_here")
    assert_clean(at)
    assert "does not exist yet" in texts(at.info)
    assert "ecosim run" in texts(at.info)


def test_compare_page_puts_runs_on_one_chart_and_highlights_differences(runs):
    chosen = [str(runs / "loop_a"), str(runs / "loop_b")]
    at = open_app(runs, "app_pages/compare.py", compare_runs=chosen)
    assert_clean(at)
    specs = charts(at)
    assert len(specs) == 2  # lines of both runs, bars of the differences
    assert set(at.dataframe[0].value["run"]) == {"loop_a", "loop_b"}  # the chart's data
    table = texts(at.table)
    assert "badge[same]" in table and ("badge[better]" in table or "badge[worse]" in table)
    at.selectbox(key="compare_baseline").set_value("loop_b").run()
    assert_clean(at)
    assert "**loop_b**" in texts(at.table)
    at.multiselect(key="compare_series").set_value(["replace"]).run()
    assert_clean(at)
    assert "accumulate" not in texts(at.table)


def test_compare_page_adds_the_web_for_ecosystem_runs(runs):
    chosen = [str(runs / "eco_real"), str(runs / "eco_moat")]
    at = open_app(runs, "app_pages/compare.py", compare_runs=chosen)
    assert_clean(at)
    assert at.selectbox(key="compare_step_metric").value == "ai_share_new"
    assert "The data moat, run by run" in texts(at.markdown)
    at.multiselect(key="compare_runs").set_value(chosen[:1]).run()
    assert "Pick two or more runs" in texts(at.info)


def test_samples_page_shows_model_text_next_to_human_text(runs):
    at = open_app(runs, "app_pages/samples.py", samples_run=str(runs / "loop_a"))
    assert_clean(at)
    last = texts(at.markdown)
    assert "Human, topic" in last and "Model of generation 4" in last
    common = set(english_words(30))  # token ranks read as English words, the frequent first
    assert sum(word in common for word in last.split()) > 20
    at.select_slider(key="samples_generation").set_value(0).run()
    assert_clean(at)
    assert "Model of generation 0" in texts(at.markdown)
    at.button_group(key="samples_view").set_value("Across generations").run()
    assert_clean(at)
    assert all(f"Generation {g}" in texts(at.markdown) for g in range(5))


def test_samples_page_reads_ecosystem_trainers(runs):
    at = open_app(runs, "app_pages/samples.py", samples_run=str(runs / "eco_moat"))
    assert_clean(at)
    at.selectbox(key="samples_series").set_value("beta").run()
    assert "beta gen" in texts(at.markdown)


def test_new_run_reports_bad_yaml_with_line_numbers_like_the_cli(tmp_path):
    at = open_app(tmp_path, "app_pages/new_run.py")
    assert_clean(at)
    at.button_group(key="new_source").set_value("Paste YAML").run()
    at.text_area(key="new_yaml").input(SMALL_TOKENS.replace("replicas: 3", "replicas: 0")).run()
    assert_clean(at)
    line = SMALL_TOKENS.splitlines().index("  replicas: 3") + 1
    assert f"pasted YAML:{line}: loop.replicas: got 0" in texts(at.code)
    assert "new_run_button" not in [b.key for b in at.button]  # nothing to run


def test_new_run_reports_bad_widget_values_as_overrides(tmp_path):
    at = open_app(tmp_path, "app_pages/new_run.py")
    shipped = at.selectbox(key="new_scenario")
    loop_tokens = next(o for o in shipped.options if o.endswith("loop_tokens.yaml"))
    shipped.set_value(loop_tokens).run()
    assert_clean(at)
    assert at.number_input(key="new_knob_loop_generations").value == 20  # the file's value
    gaussian = next(o for o in shipped.options if o.endswith("loop_gaussian.yaml"))
    at.selectbox(key="new_scenario").set_value(gaussian).run()
    assert at.number_input(key="new_knob_loop_generations").value == 2000  # follows the file
    assert not at.warning
    at.selectbox(key="new_scenario").set_value(loop_tokens).run()
    at.multiselect(key="new_knob_loop_strategies").set_value([]).run()
    assert "--set loop.strategies=[]: loop.strategies:" in texts(at.code)


def test_new_run_runs_with_a_progress_bar_and_opens_the_result(tmp_path, monkeypatch):
    reported = []
    real_execute = scenario_form.execute

    def spy(spec, scenario, progress):
        return real_execute(spec, scenario, lambda n: reported.append(n) or progress(n))

    monkeypatch.setattr(scenario_form, "execute", spy)
    at = open_app(tmp_path, "app_pages/new_run.py")
    at.button_group(key="new_source").set_value("Paste YAML").run()
    at.text_area(key="new_yaml").input(SMALL_TOKENS).run()
    at.number_input(key="new_knob_loop_replicas").set_value(2).run()
    assert "loop.replicas=2" in texts(at.success)
    at.text_input(key="new_out").input("fresh").run()
    at.button(key="new_run_button").click().run()
    assert_clean(at)
    assert at.title[0].value == "Runs"  # the result is open
    assert at.session_state["run"] == str(tmp_path / "fresh")
    meta = json.loads((tmp_path / "fresh" / "run.json").read_text())
    assert meta["overrides"] == ["loop.replicas=2"]
    assert "Finished small_tokens" in texts(at.success)
    assert sum(reported) == 2 * (4 + 1)  # the bar moved once per strategy and generation
    assert len(charts(at)) == 3


@pytest.fixture(scope="module")
def lab_runs(tmp_path_factory) -> Path:
    """Scaling runs, a one-replica vector loop run and a token loop run (scaling_b newest)."""
    root = tmp_path_factory.mktemp("lab_runs")
    write_scaling_run(root / "scaling_a", seed=5)
    write_loop_run(root / "tokens")
    execute(
        RunSpec(
            ROOT / "scenarios" / "loop_gaussian.yaml",
            root / "gauss_one",
            ["loop.replicas=1", "loop.generations=20"],
        )
    )
    write_scaling_run(root / "scaling_b", seed=6)
    return root


def layers(spec: dict) -> list[dict]:
    """Every layer of a chart spec, nested layers included."""
    found = []
    for layer in spec.get("layer", []):
        found.append(layer)
        found.extend(layers(layer))
    return found


def test_a_scaling_run_opens_with_its_error_curve_and_closed_form(lab_runs):
    at = open_app(lab_runs, run=str(lab_runs / "scaling_a"))
    assert_clean(at)
    assert not at.error
    assert "unreadable" not in str(at.selectbox(key="run").options)
    assert [m.label for m in at.metric] == [
        f"{share} human: test error at T = 1,000" for share in ("0%", "10%", "100%")
    ]
    assert all(m.delta.startswith("closed form ") for m in at.metric)
    (spec,) = charts(at)
    text = json.dumps(spec)
    assert "Training set size" in text and "Unseen truth mass" in text
    assert '"type": "log"' in text  # error against size on log axes
    data = at.dataframe[0].value
    assert set(data["line"]) == {"ecosim", "closed form"}
    assert set(data["human data"]) == {"0% human", "10% human", "100% human"}


def test_the_newest_readable_run_opens_by_default(tmp_path):
    write_scaling_run(tmp_path / "good")
    write_broken_runs(tmp_path)  # newer, and every one of them unreadable
    at = open_app(tmp_path)
    assert_clean(at)
    assert at.selectbox(key="run").value == str(tmp_path / "good")
    assert not at.error


def test_compare_pairs_runs_of_the_same_kind_and_scenario_by_default(lab_runs):
    at = open_app(lab_runs, "app_pages/compare.py")
    assert_clean(at)
    assert at.multiselect(key="compare_runs").value == [
        str(lab_runs / "scaling_b"),
        str(lab_runs / "scaling_a"),
    ]
    (spec,) = charts(at)
    dash = [
        lay["encoding"]["strokeDash"]
        for lay in layers(spec)
        if "strokeDash" in lay.get("encoding", {})
    ]
    assert dash and all(d["legend"]["symbolType"] == "stroke" for d in dash)  # dashes explained
    assert "scaling_a" in texts(at.table) and "scaling_b" in texts(at.table)


def test_compare_draws_the_readable_runs_and_names_the_unreadable_one(tmp_path):
    good = [write_scaling_run(tmp_path / name) for name in ("one", "two")]
    broken = write_broken_runs(tmp_path)["corrupt_json"]
    chosen = [str(good[0]), str(broken), str(good[1])]
    at = open_app(tmp_path, "app_pages/compare.py", compare_runs=chosen)
    assert_clean(at)
    assert "Left out: cannot read this run" in texts(at.error)
    assert "run.json: corrupt" in texts(at.error)
    assert len(charts(at)) == 1  # the two readable scaling runs, on one chart


def test_compare_leaves_out_a_run_of_another_kind_with_a_note(lab_runs):
    chosen = [str(lab_runs / "scaling_a"), str(lab_runs / "tokens"), str(lab_runs / "scaling_b")]
    at = open_app(lab_runs, "app_pages/compare.py", compare_runs=chosen)
    assert_clean(at)
    assert "is a loop run and the others are scaling runs" in texts(at.info)
    assert len(charts(at)) == 1


def test_a_vector_run_defaults_to_its_own_metrics_and_one_replica_draws_no_band(lab_runs):
    at = open_app(lab_runs, run=str(lab_runs / "gauss_one"))
    assert_clean(at)
    assert at.selectbox(key="runs_loop_metric").value == "sigma_ratio"
    assert all("σ ratio" in m.label for m in at.metric)
    specs = charts(at)
    text = json.dumps(specs[0])
    assert "nats/token" not in text
    assert not any(lay.get("mark", {}).get("type") == "area" for lay in layers(specs[0]))
    assert "1 replica" in texts(at.caption)
    at.selectbox(key="runs_loop_metric").set_value("cross_entropy").run()
    assert "nats/sample" in json.dumps(charts(at)[0])


def test_metrics_start_near_their_values_and_shares_from_zero(runs):
    at = open_app(runs, run=str(runs / "loop_a"))
    metric, share, density = charts(at)
    y_scales = [
        lay["encoding"]["y"].get("scale")
        for lay in layers(metric)
        if "y" in lay.get("encoding", {})
    ]
    assert {"zero": False} in y_scales  # excess cross-entropy: not from a zero baseline
    assert '"zero": false' not in json.dumps(share)  # a share is read against 0
    assert ".2~g" in json.dumps(density)  # density ticks: distinct labels, not 0.00 0.00


def test_the_launch_marker_is_a_legend_entry_not_a_label_on_the_lines(runs):
    at = open_app(runs, run=str(runs / "eco_moat"))
    assert_clean(at)
    web = charts(at)[0]
    assert not any(lay.get("mark", {}).get("type") == "text" for lay in layers(web))
    assert "AI tools launch (step 3)" in json.dumps(web)
