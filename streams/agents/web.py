"""GET /metrics on the worker's web port: the Prometheus exposition of streams.counters, Faust's
own sensor among them."""

from __future__ import annotations

from typing import Any

from faust import web
from prometheus_client import generate_latest

from streams import counters
from streams.app import app
from streams.sensor import ScrapedPrometheusMonitor

MONITOR = ScrapedPrometheusMonitor(metrics=counters.FAUST)
app.monitor = MONITOR

# CONTENT_TYPE_LATEST names a charset, which aiohttp refuses inside a content type; the text
# format is ASCII anyway.
CONTENT_TYPE = "text/plain; version=0.0.4"


@app.page("/metrics")
async def metrics(self: web.View, request: web.Request) -> Any:
    MONITOR.publish()
    return self.bytes(generate_latest(), content_type=CONTENT_TYPE)
