"""GET /metrics on the worker's web port: the Prometheus exposition of streams.counters."""

from __future__ import annotations

from typing import Any

from faust import web
from prometheus_client import generate_latest

from streams.app import app

# CONTENT_TYPE_LATEST names a charset, which aiohttp refuses inside a content type; the text
# format is ASCII anyway.
CONTENT_TYPE = "text/plain; version=0.0.4"


@app.page("/metrics")
async def metrics(self: web.View, request: web.Request) -> Any:
    return self.bytes(generate_latest(), content_type=CONTENT_TYPE)
