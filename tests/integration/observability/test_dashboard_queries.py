"""Every panel of the provisioned Grafana dashboard, run as the read-only BI user against the
real ClickHouse after generated traffic went through a worker and the sink: each query runs and
returns rows. Grafana's macros are expanded as the ClickHouse data source expands them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from deploy.local.dashboard_page import channel_all_value, expand_macros
from tests.integration.sinks.support import query
from tests.integration.sinks.test_replay import isolated, loaded
from tests.integration.streams.test_worker_windows import END

pytestmark = pytest.mark.integration
__all__ = ["isolated", "loaded"]

DASHBOARD = Path(__file__).parents[3] / "deploy/production/grafana/dashboards/channels.json"


def expand(sql: str) -> str:
    """Over the two days of generated traffic, "All" channels selected."""
    everything = channel_all_value(json.loads(DASHBOARD.read_text()))
    return expand_macros(sql, END - timedelta(days=2), END + timedelta(days=1), everything)


def test_every_panel_query_returns_rows(loaded: Any) -> None:
    _, _, bi, _ = loaded
    doc = json.loads(DASHBOARD.read_text())
    failed = {}
    for panel in doc["panels"]:
        for target in panel["targets"]:
            try:
                rows = query(bi, expand(target["rawSql"]))
            except DatabaseError as exc:
                failed[panel["title"]] = str(exc).split("DB::Exception:")[-1][:200]
            else:
                if not rows:
                    failed[panel["title"]] = "no rows"
    assert failed == {}
    for variable in doc["templating"]["list"]:
        if variable.get("type") == "query":
            query(bi, expand(variable["query"]))  # runs (its rows depend on today's date)
