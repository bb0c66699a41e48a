"""Renamed fields: the old name is still read, with a FILE:LINE deprecation notice on stderr."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ecosystem.cli import app
from ecosystem.config import load_scenario
from ecosystem.config.loader import RENAMED
from ecosystem.core.errors import ScenarioError
from tests.conftest import SCENARIOS, SMALL_TOKENS
from tests.golden import shipped

NOTICE = "metrics.sample_texts is deprecated; use metrics.text_samples"
OLD = SMALL_TOKENS + "  sample_texts: 4\n"
LINE = OLD.count("\n")  # the old name is on the last line


@pytest.fixture
def old_file(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(OLD)
    return path


def test_old_name_is_read_with_a_notice_naming_file_and_line(old_file):
    notices = []
    scenario = load_scenario(old_file, [], notices)
    assert scenario.metrics.text_samples == 4
    assert [str(n) for n in notices] == [f"{old_file}:{LINE}: {NOTICE}"]


def test_new_name_gives_the_same_scenario_and_no_notice(old_file, tmp_path):
    new = tmp_path / "new.yaml"
    new.write_text(OLD.replace("sample_texts", "text_samples"))
    notices = []
    assert load_scenario(new, [], notices) == load_scenario(old_file)
    assert notices == []


def test_old_name_in_an_override_is_read_and_named(tmp_path, small_tokens_yaml):
    notices = []
    scenario = load_scenario(small_tokens_yaml, ["metrics.sample_texts=7"], notices)
    assert scenario.metrics.text_samples == 7
    assert [str(n) for n in notices] == [f"--set metrics.sample_texts=7: {NOTICE}"]


def test_an_override_of_the_new_name_wins_over_the_files_old_name(old_file):
    assert load_scenario(old_file, ["metrics.text_samples=1"]).metrics.text_samples == 1


def test_both_names_in_one_file_is_an_error(tmp_path):
    path = tmp_path / "both.yaml"
    path.write_text(OLD + "  text_samples: 2\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.startswith(f"{path}:{LINE}: metrics.sample_texts: is the old name")


def test_a_bad_value_under_the_old_name_points_at_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SMALL_TOKENS + "  sample_texts: -1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.startswith(f"{path}:{LINE}: metrics.text_samples: got -1")


def test_validate_and_run_print_the_notice_on_stderr(old_file, tmp_path):
    runner = CliRunner()
    checked = runner.invoke(app, ["validate", str(old_file)])
    assert checked.exit_code == 0
    assert checked.stderr.strip() == f"{old_file}:{LINE}: {NOTICE}"
    assert "valid" in checked.stdout
    out = tmp_path / "run"
    overrides = ["--set", "loop.generations=1", "--set", "loop.replicas=1"]
    ran = runner.invoke(app, ["run", str(old_file), "--out", str(out), "--quiet", *overrides])
    assert ran.exit_code == 0, ran.output
    assert f"{old_file}:{LINE}: {NOTICE}" in ran.stderr


def test_no_shipped_scenario_uses_an_old_name():
    notices = []
    for name in shipped():  # every scenario file (sweep specs are not scenarios)
        load_scenario(SCENARIOS / name, [], notices)
    assert notices == []
    old_names = {".".join(old) for old in RENAMED}
    assert old_names == {"metrics.sample_texts"}


def test_new_run_page_shows_the_notice_and_still_accepts_the_scenario(tmp_path):
    from tests.test_dashboard_pages import assert_clean, open_app, texts

    at = open_app(tmp_path, "app_pages/new_run.py")
    at.button_group(key="new_source").set_value("Paste YAML").run()
    at.text_area(key="new_yaml").input(OLD).run()
    assert_clean(at)
    assert f"pasted YAML:{LINE}: {NOTICE}" in texts(at.code)
    assert at.warning and "new_run_button" in [b.key for b in at.button]
