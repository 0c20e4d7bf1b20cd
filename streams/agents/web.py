"""GET /metrics on the worker's web port: the Prometheus exposition of streams.counters."""

from __future__ import annotations

from typing import Any

from faust import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams.app import app


@app.page("/metrics")
async def metrics(self: web.View, request: web.Request) -> Any:
    return self.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST)
