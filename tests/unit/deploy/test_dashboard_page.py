"""deploy/local/dashboard_page.py: Grafana's macros expanded as the ClickHouse data source does,
and every panel of the real channels dashboard drawn (or its error shown) from query results."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from deploy.local.dashboard_page import Result, channel_all_value, expand_macros, render

DASHBOARD = Path(__file__).parents[3] / "deploy/production/grafana/dashboards/channels.json"
START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
END = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_macros_expand_as_grafana_interpolates_them() -> None:
    sql = ("SELECT 1 FROM v WHERE $__timeFilter(hour) AND ('__all' IN (${channel:singlequote}) "
           "OR channel IN (${channel:singlequote}))")
    # "All": the custom all value goes in as it is (Grafana does not format it)
    assert expand_macros(sql, START, END, "'__all'") == (
        "SELECT 1 FROM v WHERE hour >= toDateTime('2026-11-24 06:00:00', 'UTC') "
        "AND hour <= toDateTime('2026-11-24 12:00:00', 'UTC') "
        "AND ('__all' IN ('__all') OR channel IN ('__all'))"
    )
    # a selection: each value single-quoted, a quote escaped with a backslash
    assert "channel IN ('chat','o\\'brien')" in expand_macros(
        sql, START, END, "'__all'", channels=["chat", "o'brien"])


def test_the_channels_all_value_is_a_sql_literal() -> None:
    """Inserted unformatted into `'__all' IN (...)`, it must be a quoted string already."""
    assert channel_all_value(json.loads(DASHBOARD.read_text())) == "'__all'"


def fake(sql: str) -> Result:
    """Rows shaped like each kind of panel's query; a query naming `sla_breaches` view fails."""
    if "FROM sla_breaches" in sql:
        raise RuntimeError("Code: 60. Unknown table")
    if "AS time" in sql:
        hours = [START.replace(hour=h) for h in (6, 7, 8)]
        return ["time", "channel", "value"], [
            (at, channel, float(n)) for n, at in enumerate(hours) for channel in ("chat", "web")
        ]
    if "GROUP BY" in sql:
        return ["channel", "cases", "pct"], [("chat", 12, 50.0), ("web", 3, None)]
    return ["value"], [(87.5,)]


def test_every_panel_of_the_channels_dashboard_is_drawn() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    page = render(dashboard, fake, START, END)
    titles = re.findall(r"<h2>(.*?)</h2>", page)
    assert len(titles) == len(dashboard["panels"])
    assert '<div class="stat">87.5 %</div>' in page  # CSAT %, unit percent
    assert page.count("<polyline") == 2 * sum(
        p["type"] == "timeseries" for p in dashboard["panels"]
    )  # one line per channel
    assert "<td>chat</td><td>12</td><td>50.0</td>" in page
    assert "<td>web</td><td>3</td><td>-</td>" in page  # NULL rate
    assert page.count('<div class="error">Code: 60. Unknown table</div>') == 1
    # each panel sits where the dashboard puts it on Grafana's 24-column grid
    first = dashboard["panels"][0]["gridPos"]
    assert f"grid-column: {first['x'] + 1} / span {first['w']}" in page
