"""A Faust app whose one agent reads both input topics and does nothing with the records: what
Faust's consuming alone costs on this machine, through the worker's transport
(streams.kafka_transport) and raw schema (streams.raw_schema), the floor under a Touchstream
worker. Run by scenario worker as ``faust -A bench.faust_floor worker`` with the worker's
settings and BENCH_FLOOR_N; it prints ``FLOOR <events/s>`` (from its first record to the N-th)
and exits."""

from __future__ import annotations

import os
import time
from typing import Any

import faust

from streams.faust_config import faust_settings
from streams.raw_schema import RawSchema
from touchstream.settings import get_settings

settings = get_settings()
app = faust.App(settings.app_id, **faust_settings(settings))
inputs = app.topic(settings.topic_touchpoints, settings.topic_feedback, schema=RawSchema())
N = int(os.environ.get("BENCH_FLOOR_N", "0"))


@app.agent(inputs)
async def read_only(stream: Any) -> None:
    seen, first = 0, 0.0
    async for _ in stream.events():
        if seen == 0:
            first = time.perf_counter()
        seen += 1
        if seen == N:
            print(f"FLOOR {N / (time.perf_counter() - first):.1f}", flush=True)
            os._exit(0)
