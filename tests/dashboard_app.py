"""Helpers for driving the dashboard with Streamlit's AppTest."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.widgets import ROOT_KEY
from tests.conftest import ROOT

APP = ROOT / "dashboard" / "app.py"


def open_app(root: Path, page: str | None = None, query: dict | None = None, **state) -> AppTest:
    """The app on ``page`` with the runs folder ``root``, query parameters and extra session
    state, after a run."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state[ROOT_KEY] = str(root)
    for key, value in state.items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at.run()


def assert_clean(at: AppTest) -> None:
    """No exception was shown."""
    assert not at.exception, [e.value for e in at.exception]


def charts(at: AppTest) -> list[dict]:
    """The Vega-Lite specs of the charts on the page."""
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def texts(elements) -> str:
    """The values of some elements as one text."""
    return "\n".join(str(e.value) for e in elements)
