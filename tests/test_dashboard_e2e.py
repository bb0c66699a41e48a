"""End to end: ``ecosim dashboard`` served locally, driven by headless Debian Chromium."""

from __future__ import annotations

import shutil

import pytest

from tests.dashboard_browser import CHROMIUM, launch_browser, served, wait_rendered
from tests.dashboard_runs import write_ecosystem_run, write_loop_run

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs Debian's chromium (.ci/apt-packages)"
)


def test_dashboard_in_a_browser(tmp_path):
    runs = tmp_path / "runs"
    write_loop_run(runs / "loop")
    write_ecosystem_run(runs / "web")  # the newest: opened first
    with served(runs, tmp_path / "server.log") as url, sync_api.sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.set_default_timeout(30_000)
            page.goto(url)
            wait_rendered(page, charts=4)
            assert page.locator(".vega-embed").count() == 4  # web, authors, models, firms
            assert page.get_by_text("Moat gap: not in this run").is_visible()

            page.get_by_test_id("stSelectbox").first.click()  # open the other run
            page.get_by_role("option", name="loop · small_tokens (loop)").click()
            page.get_by_text("replace: Excess cross-entropy, generation 4").wait_for()
            wait_rendered(page, charts=3)
            assert page.locator(".vega-embed").count() == 3
            assert page.get_by_role("heading", name="small_tokens").is_visible()
            page.screenshot(path=str(tmp_path / "dashboard.png"))
            assert (tmp_path / "dashboard.png").stat().st_size > 10_000
        finally:
            browser.close()
