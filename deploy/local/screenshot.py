"""`make screenshot` (after `make demo` filled ClickHouse): the channels dashboard's panels drawn
from the local ClickHouse by deploy.local.dashboard_page and captured by Debian's headless
Chromium. Writes .touchstream/screenshots/channels.html and channels.png (git-ignored).

Needs `chromium` (`apt-get install -y chromium`). Starts the local ClickHouse if it is not
running, and stops it again afterwards. Exits 1 when a panel's query failed or found no rows.

Run: python -m deploy.local.screenshot [--dashboard PATH]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError

from deploy.local import services
from deploy.local.dashboard_page import Result, render
from sinks.clickhouse import connect
from touchstream.settings import Settings, load_settings

DASHBOARD = Path(__file__).parents[1] / "production/grafana/dashboards/channels.json"
WIDTH_PX = 1600
# Chromium flags for a container without a display, GPU, D-Bus or user namespaces.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--hide-scrollbars")


def data_range(bi: Client) -> tuple[datetime, datetime]:
    """The hours that hold data, so the page shows the demo's traffic whenever it ran."""
    try:
        first, last = bi.query(
            "SELECT min(hour), max(hour) FROM channel_response_times_hourly"
        ).result_rows[0]
    except DatabaseError as exc:  # no database yet
        raise SystemExit(f"{exc}: run `make demo` first") from exc
    if first.year < 2000:  # min() of no rows is the epoch
        raise SystemExit("ClickHouse holds no cases: run `make demo` first")
    return first, last + timedelta(hours=1)


def page_height(dashboard: dict[str, Any]) -> int:
    rows = max(int(p["gridPos"]["y"] + p["gridPos"]["h"]) for p in dashboard["panels"])
    return 120 + rows * 36


def capture(html_file: Path, png: Path, height: int) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("no chromium: apt-get install -y chromium")
    subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--window-size={WIDTH_PX},{height}",
         f"--screenshot={png}", html_file.resolve().as_uri()],
        check=True, capture_output=True, timeout=120,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dashboard", type=Path, default=DASHBOARD)
    dashboard_file = parser.parse_args().dashboard
    services.ensure_local_secrets(load_settings().state_dir)
    settings: Settings = load_settings()
    # Leave the services as they were: stop them afterwards only if none was running.
    running = any(s.pid for s in services.status(settings))
    services.up(settings, frozenset({"clickhouse"}))
    failed: dict[str, str] = {}
    try:
        bi = connect(settings, "bi")
        start, end = data_range(bi)

        def query(sql: str) -> Result:
            result = bi.query(sql)
            return result.column_names, result.result_rows

        def checked(sql: str) -> Result:
            try:
                columns, rows = query(sql)
            except Exception as exc:
                failed[sql] = str(exc)[:200]
                raise
            if not rows:
                failed[sql] = "no rows"
            return columns, rows

        dashboard = json.loads(dashboard_file.read_text())
        out = settings.state_dir / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        page = out / f"{dashboard_file.stem}.html"
        page.write_text(render(dashboard, checked, start, end))
        png = out / f"{dashboard_file.stem}.png"
        capture(page, png, page_height(dashboard))
    finally:
        if not running:
            services.down(settings)
    print(f"{png} ({png.stat().st_size:,} bytes) from {page}")
    for sql, error in failed.items():
        print(f"FAILED: {error}\n  {sql}", file=sys.stderr)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
