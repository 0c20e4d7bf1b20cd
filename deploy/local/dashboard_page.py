"""A static HTML page of a provisioned Grafana dashboard's ClickHouse panels, for `make screenshot`.

Grafana itself cannot be installed on this project's machines (it is on none of the registries
they reach: PyPI, Debian, npm), so this stands in for it: it lays the panels out on the
dashboard's own 24-column grid, runs each panel's SQL exactly as the dashboard JSON holds it
(Grafana's macros expanded as the ClickHouse data source expands them) and draws stats, time
series and tables plainly. It shows what the queries return, not Grafana's look."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

# (column names, rows) of one query.
Result = tuple[Sequence[str], Sequence[Sequence[Any]]]
Query = Callable[[str], Result]

ROW_PX = 30  # height of one Grafana grid unit
TABLE_ROWS = 12
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
UNITS = {"percent": " %", "s": " s"}


def channel_all_value(dashboard: dict[str, Any]) -> str:
    """The custom "All" value of the dashboard's channel variable."""
    (variable,) = [v for v in dashboard["templating"]["list"] if v["name"] == "channel"]
    return str(variable["allValue"])


def expand_macros(
    sql: str, start: datetime, end: datetime, all_value: str,
    channels: Sequence[str] | None = None,
) -> str:
    """$__timeFilter(col) over [start, end] and ${channel:singlequote} as Grafana interpolates
    it: the selected ``channels`` quoted (a quote escaped by a backslash) and joined by commas,
    or with "All" (None) the variable's custom all value inserted as it is, since Grafana does
    not format custom all values."""

    def time_filter(match: re.Match[str]) -> str:
        column = match[1]
        return (f"{column} >= toDateTime('{start:%Y-%m-%d %H:%M:%S}', 'UTC') "
                f"AND {column} <= toDateTime('{end:%Y-%m-%d %H:%M:%S}', 'UTC')")

    sql = re.sub(r"\$__timeFilter\((\w+)\)", time_filter, sql)
    value = all_value if channels is None else ",".join(
        "'" + c.replace("'", "\\'") + "'" for c in channels)
    return sql.replace("${channel:singlequote}", value)


def render(dashboard: dict[str, Any], query: Query, start: datetime, end: datetime) -> str:
    """The whole page; a panel whose query fails shows the error instead of data."""
    everything = channel_all_value(dashboard)
    cells = "\n".join(_panel(p, query, expand_macros(p["targets"][0]["rawSql"], start, end,
                                                    everything)) for p in dashboard["panels"])
    title = html.escape(dashboard["title"])
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title><style>
body {{ font: 13px sans-serif; background: #f4f5f5; margin: 12px; color: #222; }}
h1 {{ font-size: 18px; margin: 0 0 4px; }}
.note {{ color: #555; margin-bottom: 10px; }}
.grid {{ display: grid; grid-template-columns: repeat(24, 1fr); grid-auto-rows: {ROW_PX}px;
         gap: 6px; }}
.panel {{ background: #fff; border: 1px solid #d8d9da; padding: 6px 8px; overflow: hidden; }}
.panel h2 {{ font-size: 13px; margin: 0 0 4px; }}
.stat {{ font-size: 30px; font-weight: bold; color: #1f60c4; }}
.error {{ color: #c4161c; white-space: pre-wrap; }}
table {{ border-collapse: collapse; width: 100%; font-size: 11px; }}
th, td {{ border-bottom: 1px solid #eee; padding: 1px 4px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.legend span {{ margin-right: 10px; font-size: 11px; }}
</style></head><body>
<h1>{title}</h1>
<div class="note">Panels of deploy/production/grafana/dashboards/*.json, each panel's own SQL run
as the read-only BI user against the local ClickHouse, {start:%Y-%m-%d %H:%M} to
{end:%Y-%m-%d %H:%M} UTC, every channel. Drawn by deploy/local/dashboard_page.py, not by
Grafana.</div>
<div class="grid">
{cells}
</div></body></html>
"""


def _panel(panel: dict[str, Any], query: Query, sql: str) -> str:
    grid = panel["gridPos"]
    style = (f"grid-column: {grid['x'] + 1} / span {grid['w']}; "
             f"grid-row: {grid['y'] + 1} / span {grid['h']}")
    unit = UNITS.get(panel.get("fieldConfig", {}).get("defaults", {}).get("unit", ""), "")
    try:
        columns, rows = query(sql)
    except Exception as exc:  # shown on the page: the point is to see which query fails
        body = f'<div class="error">{html.escape(str(exc)[:400])}</div>'
    else:
        if panel["type"] == "stat":
            body = f'<div class="stat">{_format(rows[0][0] if rows else None, unit)}</div>'
        elif panel["type"] == "timeseries":
            body = _chart(columns, rows, grid["w"] * 60, grid["h"] * ROW_PX - 48)
        else:
            body = _table(columns, rows)
    return (f'<div class="panel" style="{style}"><h2>{html.escape(panel["title"])}</h2>'
            f"{body}</div>")


def _format(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return f"{value:%m-%d %H:%M}"
    if isinstance(value, float):
        return f"{value:,.1f}{unit}"
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return html.escape(str(value))


def _table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_format(v)}</td>" for v in row) + "</tr>"
        for row in rows[:TABLE_ROWS]
    )
    more = f"<div>… {len(rows) - TABLE_ROWS} more rows</div>" if len(rows) > TABLE_ROWS else ""
    return f"<table><tr>{head}</tr>{body}</table>{more}"


def _chart(columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int, height: int) -> str:
    """Grafana's long format: a ``time`` column, string columns naming the series (e.g. channel)
    and one line per numeric column and series."""
    at = list(columns).index("time")
    others = [i for i in range(len(columns)) if i != at]
    labels = [i for i in others if all(isinstance(r[i], str | None) for r in rows)]
    values = [i for i in others if i not in labels]
    series: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        for i in values:
            if row[i] is not None:
                name = " ".join([*(str(row[j]) for j in labels),
                                 *([columns[i]] * (len(values) > 1))])
                series.setdefault(name, []).append((row[at].timestamp(), float(row[i])))
    points = [p for line in series.values() for p in line]
    if not points:
        return "<div>no data</div>"
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(0.0, *(p[1] for p in points)), max(p[1] for p in points)

    def xy(p: tuple[float, float]) -> str:
        x = 40 + (p[0] - x0) / ((x1 - x0) or 1) * (width - 50)
        y = height - 20 - (p[1] - y0) / ((y1 - y0) or 1) * (height - 30)
        return f"{x:.1f},{y:.1f}"

    lines = "".join(
        f'<polyline fill="none" stroke-width="1.5" stroke="{COLOURS[n % len(COLOURS)]}" '
        f'points="{" ".join(xy(p) for p in line)}"/>'
        for n, line in enumerate(series.values())
    )
    axes = (f'<text x="0" y="12" font-size="10">{y1:,.0f}</text>'
            f'<text x="0" y="{height - 20}" font-size="10">{y0:,.0f}</text>'
            f'<text x="40" y="{height - 4}" font-size="10">{_format(rows[0][at])}</text>'
            f'<text x="{width - 80}" y="{height - 4}" font-size="10">'
            f"{_format(rows[-1][at])}</text>")
    legend = "".join(f'<span style="color:{COLOURS[n % len(COLOURS)]}">■ {html.escape(name)}'
                     "</span>" for n, name in enumerate(series))
    return (f'<svg width="100%" height="{height}" viewBox="0 0 {width} {height}" '
            f'preserveAspectRatio="none">{axes}{lines}</svg><div class="legend">{legend}</div>')
