"""The operations dashboard against a real Prometheus (Debian's `prometheus`) that scrapes a real
worker, sink and collector every second while generated traffic, its duplicates, bytes no codec
reads and a collector post with a bad item flow: every PromQL query of every panel evaluates,
and each returns a finite number, except those that only move on failures this run does not
cause (ClickHouse errors, rows the sink cannot map, webhook posts).

Skipped where the `prometheus` binary is missing: `apt-get install -y prometheus`."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from tests.conftest import free_port
from tests.integration.collector.server import collector
from tests.integration.observability.test_metrics import running, send_traffic
from tests.integration.streams.test_worker_windows import isolated
from touchstream.settings import Settings

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="no prometheus binary"),
]
__all__ = ["isolated", "running"]

DASHBOARD = Path(__file__).parents[3] / "deploy/production/grafana/dashboards/operations.json"
KEY = "ops-key-0123456789abcdef"
# Series that move only on a failure, or with a webhook set: none here.
ONLY_ON_FAILURE = (
    "touchstream_sink_insert_errors_total",
    "touchstream_sink_dead_rows_total",
    "touchstream_alert_webhook_posts_total",
)


def prometheus_query(base: str, expr: str) -> dict[str, Any]:
    url = f"{base}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            result: dict[str, Any] = json.load(answer)
    except urllib.error.HTTPError as error:  # a bad query answers 400 with the reason
        result = json.load(error)
    return result


def ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/-/ready", timeout=5) as answer:
            return answer.status == 200
    except OSError:  # not listening yet, or 503 while it starts
        return False


def finite(result: dict[str, Any]) -> bool:
    return any(math.isfinite(float(s["value"][1])) for s in result["data"]["result"])


@pytest.fixture()
def prometheus(
    running: tuple[Settings, dict[str, int]], tmp_path: Path
) -> Iterator[str]:
    """Prometheus scraping the worker, the sink and a collector, which then get traffic."""
    settings, ports = running
    settings = settings.model_copy(update={"collector_api_keys": SecretStr(f"ops={KEY}")})
    with collector(settings) as collector_url:
        targets = {**{k: f"127.0.0.1:{v}" for k, v in ports.items()},
                   "collector": collector_url.removeprefix("http://")}
        config = {"global": {"scrape_interval": "1s"}, "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [target]}]}
            for job, target in targets.items()
        ]}
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        base = f"http://127.0.0.1:{free_port()}"
        process = subprocess.Popen(
            ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address={base.removeprefix('http://')}"],
            stdout=(tmp_path / "prometheus.log").open("wb"), stderr=subprocess.STDOUT,
        )
        try:
            assert wait_for(lambda: ready(base), 30), (tmp_path / "prometheus.log").read_text()
            assert wait_for(lambda: finite(prometheus_query(base, "count(up == 1) == 3")), 30)
            send_traffic(settings)
            post = urllib.request.Request(
                f"{collector_url}/v1/touchpoints", method="POST",
                headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
                data=json.dumps([{"event_id": "x"}]).encode(),  # one bad item: a 422
            )
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(post, timeout=10)
            yield base
        finally:
            process.terminate()
            process.wait(30)


def wait_for(check: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not (done := check()) and time.monotonic() < deadline:
        time.sleep(1)
    return bool(done)


def test_every_operations_panel_query_evaluates_to_data(prometheus: str) -> None:
    doc = json.loads(DASHBOARD.read_text())
    exprs = {(p["title"], t["refId"]): t["expr"] for p in doc["panels"] for t in p["targets"]}
    wanted = {k: e for k, e in exprs.items() if not any(m in e for m in ONLY_ON_FAILURE)}

    def missing() -> dict[tuple[str, str], str]:
        return {k: e for k, e in wanted.items() if not finite(prometheus_query(prometheus, e))}

    wait_for(lambda: not missing(), 90)
    assert missing() == {}
    for (title, ref), expr in exprs.items():
        assert prometheus_query(prometheus, expr)["status"] == "success", (title, ref, expr)
