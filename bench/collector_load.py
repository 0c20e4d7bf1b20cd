"""Load test of the HTTP collector on loopback: a `touchstream collector` process in front of a
fresh local Tansu broker, and concurrent clients posting website events, single and batched.
Reports requests/s, events/s and latency percentiles. Bounded: a fixed number of requests per
scenario, and each scenario stops after --max-seconds whatever it has done.

Run: .venv/bin/python -m bench.collector_load [--requests 5000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench.local_broker import local_broker
from tests.conftest import free_port


def page_views(n: int) -> list[dict[str, Any]]:
    at = datetime.now(UTC).isoformat()
    return [
        {
            "event_id": uuid.uuid4().hex,
            "occurred_at": at,
            "customer_id": f"c{i % 500}",
            "channel": "web",
            "actor": "customer",
            "event_type": "page_view",
            "journey_stage": "consideration",
            "attributes": {"page": "/pricing"},
        }
        for i in range(n)
    ]


async def scenario(
    url: str, key: str, batch: int, requests: int, concurrency: int, max_seconds: float
) -> None:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    bodies = [page_views(batch) if batch > 1 else page_views(1)[0] for _ in range(requests)]
    queue = iter(bodies)
    started = time.perf_counter()
    stop_at = started + max_seconds

    async def client(session: aiohttp.ClientSession) -> None:
        for body in queue:
            if time.perf_counter() > stop_at:
                return
            sent = time.perf_counter()
            async with session.post(f"{url}/v1/touchpoints", json=body) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
            latencies.append(time.perf_counter() - sent)

    headers = {"Authorization": f"Bearer {key}"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    done = len(latencies)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    print(
        f"{batch:>3} event(s)/request, {concurrency} clients: {done} requests in {elapsed:.1f} s"
        f" = {done / elapsed:,.0f} requests/s, {done * batch / elapsed:,.0f} events/s;"
        f" p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms; statuses {statuses}"
    )


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async def ready() -> bool:
        try:
            async with aiohttp.ClientSession() as session, session.get(f"{url}/readyz") as r:
                return r.status == 200
        except aiohttp.ClientError:
            return False

    deadline = time.monotonic() + 60
    while not asyncio.run(ready()):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"collector did not get ready:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=50, help="events per batched request")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args()
    with local_broker() as (_, tmp):
        key = secrets.token_urlsafe(24)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "collector.log"
        env = {**os.environ, "TOUCHSTREAM_COLLECTOR_API_KEYS": f"bench={key}"}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "touchstream.cli", "collector", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_ready(url, process, log)
            for batch, requests in ((1, args.requests), (args.batch, args.requests // 10)):
                asyncio.run(scenario(url, key, batch, requests, args.concurrency, args.max_seconds))
        finally:
            process.terminate()
            process.wait(30)


if __name__ == "__main__":
    main()
