"""The whole local flow for a benchmark scenario, on throwaway services: a fresh Tansu broker and
(optionally) a fresh chdb ClickHouse, each on its own free port with its state in a temporary
directory, migrated, with the topics created, and a fresh app id; workers and sinks are real
``touchstream`` processes with their logs in that directory. Everything started is stopped on
exit and the environment variables set for it are put back.

Also the traffic the scenarios send: generated journeys with their ids prefixed, so that runs
never share a case or an event id, Avro-encoded and keyed as ``touchstream produce`` would.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from deploy.local import services
from schemas import codec
from schemas.jsonl import parse_line
from schemas.records import Touchpoint
from schemas.validation import Rejection
from sinks.migrate import migrate
from tests.conftest import free_port
from tests.integration.workers import Worker
from touchstream.generator import generate
from touchstream.producer import destination
from touchstream.settings import LOCAL_FETCH_MAX_WAIT_MS, Settings, load_settings
from touchstream.topics import ensure_topics


@dataclass(frozen=True, slots=True)
class Encoded:
    """One record as it goes on its topic; ``event_id`` for touchpoints, "" for feedback."""

    topic: str
    key: bytes
    value: bytes
    event_id: str
    case_id: str


@dataclass
class Stack:
    settings: Settings
    dir: Path
    processes: list[Worker] = field(default_factory=list)

    def start(self, command: str, env: dict[str, str] | None = None) -> Worker:
        """``touchstream <command>`` (worker, sink) with its log in ``<dir>/<command>.log``."""
        process = Worker(
            ["-m", "touchstream.cli", command], self.dir / f"{command}.log", env or {}
        )
        self.processes.append(process)
        return process

    def log(self, command: str) -> str:
        return (self.dir / f"{command}.log").read_text(errors="replace")


@contextmanager
def local_stack(
    profile: str = "production",
    clickhouse: bool = True,
    broker: bool = True,
    env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """A broker (and ClickHouse) of its own, a fresh app id, topics and database ready.

    ``profile`` is TOUCHSTREAM_KAFKA_PROFILE for every process. "production" is fine on Tansu
    for a cold app id (empty changelogs, so Tansu's inexact end offsets never matter) and does
    not force one-record producer batches; group joins take longer with its timeouts. Every
    process gets the local profile's fetch wait whatever the profile: the broker is Tansu, which
    holds each fetch for the whole wait (see ``streams.kafka_transport``)."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="touchstream-bench-") as tmp:
        broker_port, clickhouse_port = free_port(), free_port()
        os.environ.update(
            {
                "TOUCHSTREAM_STATE_DIR": tmp,
                "TOUCHSTREAM_KAFKA_PROFILE": profile,
                "TOUCHSTREAM_KAFKA_FETCH_MAX_WAIT_MS": str(LOCAL_FETCH_MAX_WAIT_MS),
                "TOUCHSTREAM_LOCAL_BROKER_PORT": str(broker_port),
                "TOUCHSTREAM_KAFKA_BOOTSTRAP": f"127.0.0.1:{broker_port}",
                "TOUCHSTREAM_LOCAL_CLICKHOUSE_PORT": str(clickhouse_port),
                "TOUCHSTREAM_CLICKHOUSE_PORT": str(clickhouse_port),
                "TOUCHSTREAM_APP_ID": f"bench-{uuid.uuid4().hex[:8]}",
                "TOUCHSTREAM_WORKER_DATA_DIR": f"{tmp}/worker",
                "TOUCHSTREAM_WORKER_WEB_PORT": str(free_port()),
                "TOUCHSTREAM_SINK_METRICS_PORT": str(free_port()),
                **(env or {}),
            }
        )
        stack: Stack | None = None
        settings: Settings | None = None
        try:
            services.ensure_local_secrets(Path(tmp))
            settings = load_settings()
            names = {"broker"} if broker else set()
            names |= {"clickhouse"} if clickhouse else set()
            services.up(settings, frozenset(names))
            if clickhouse:
                migrate(settings)
            if broker:
                ensure_topics(settings)
            stack = Stack(settings, Path(tmp))
            yield stack
        finally:
            for process in stack.processes if stack else []:
                process.stop()
            if settings is not None:
                services.down(settings)
            os.environ.clear()
            os.environ.update(saved)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident set size of a process now (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _prefixed(record: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The record with every id that keys state (case, customer, event) made unique to a run."""
    out = dict(record)
    for name in ("event_id", "feedback_id", "customer_id"):
        if out.get(name):
            out[name] = f"{prefix}{out[name]}"
    if out.get("case_id"):
        out["case_id"] = f"{prefix}{out['case_id']}"
    return out


def traffic(
    settings: Settings,
    seed: int,
    cases: int,
    end: datetime,
    prefix: str,
    span: timedelta = timedelta(hours=12),
    touchpoints_only: bool = False,
) -> list[Encoded]:
    """Generated journeys (no bad records) Avro-encoded for their topics, in event-time order."""
    out = []
    for raw in generate(seed, cases, end, bad_share=0.0, span=span):
        assert isinstance(raw, dict)
        record = parse_line(json.dumps(_prefixed(raw, prefix)), end)
        if isinstance(record, Rejection):
            continue
        is_touchpoint = isinstance(record, Touchpoint)
        if touchpoints_only and not is_touchpoint:
            continue
        topic, key = destination(record, settings)
        event_id = record.event_id if isinstance(record, Touchpoint) else ""
        out.append(Encoded(topic, key, codec.encode(record), event_id, record.case_id or ""))
    return out
