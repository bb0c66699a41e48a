"""The dashboard and run folders: the New run page takes a plain name under the runs folder
only, and an interrupted run is shown as interrupted (with how to resume it), not as corrupt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import loaders, scenario_form
from dashboard.widgets import run_label
from tests.conftest import SMALL_TOKENS
from tests.dashboard_runs import write_loop_run
from tests.test_dashboard_pages import assert_clean, open_app, texts


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".",
        "..",
        "../escape",
        "a/b",
        "/tmp/abs",
        "..\\up",
        ".hidden",
        " padded",
        "a\x00b",
        "x" * 300,
    ],
)
def test_run_names_other_than_a_plain_name_are_refused(name):
    assert scenario_form.run_name_problem(name) is not None


@pytest.mark.parametrize("name", ["run", "my_loop-seed3", "v1.2", "é-run"])
def test_plain_run_names_are_taken(name):
    assert scenario_form.run_name_problem(name) is None


@pytest.mark.parametrize("name", ["../outside", "/tmp/elsewhere"])
def test_new_run_page_refuses_a_path_and_writes_nothing(tmp_path, name):
    root = tmp_path / "runs"
    root.mkdir()
    victim = tmp_path / "outside"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    at = open_app(root, "app_pages/new_run.py")
    at.button_group(key="new_source").set_value("Paste YAML").run()
    at.text_area(key="new_yaml").input(SMALL_TOKENS).run()
    at.text_input(key="new_out").input(name).run()
    at.checkbox(key="new_overwrite").check().run()
    assert_clean(at)
    assert "Run folder name" in texts(at.error)
    assert at.button(key="new_run_button").disabled
    assert (victim / "keep.txt").read_text() == "mine" and list(root.iterdir()) == []


def test_new_run_page_will_not_replace_a_folder_that_is_not_a_run(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    at = open_app(tmp_path, "app_pages/new_run.py")
    at.button_group(key="new_source").set_value("Paste YAML").run()
    at.text_area(key="new_yaml").input(SMALL_TOKENS).run()
    at.text_input(key="new_out").input("notes").run()
    at.checkbox(key="new_overwrite").check().run()
    assert "not an ecosim run folder" in texts(at.error)
    assert at.button(key="new_run_button").disabled


def _interrupt(folder: Path) -> Path:
    """A finished loop run turned back into an interrupted one (tables not yet written)."""
    meta = json.loads((folder / "run.json").read_text())
    meta.update(status="interrupted", progress={"done": 4, "total": 10})
    (folder / "run.json").write_text(json.dumps(meta))
    for table in folder.glob("*.parquet"):
        table.unlink()
    return folder


def test_an_interrupted_run_is_shown_as_interrupted_with_how_to_resume(tmp_path):
    done = write_loop_run(tmp_path / "done", seed=3)
    stopped = _interrupt(write_loop_run(tmp_path / "stopped", seed=4))
    run = loaders.open_run(stopped)  # readable, not corrupt
    assert run.unfinished and run.status == "interrupted"
    assert run_label(stopped, tmp_path).endswith("· interrupted")
    at = open_app(tmp_path, run=str(stopped))
    assert_clean(at)
    shown = texts(at.info)
    assert "interrupted after 4 of 10" in shown and f"--resume {stopped}" in shown
    assert not at.error
    at = open_app(tmp_path, "app_pages/compare.py")
    assert_clean(at)
    assert at.multiselect(key="compare_runs").value == [str(done)]  # finished runs only
