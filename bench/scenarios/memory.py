"""Scenario "memory": the worker's resident memory as traffic accumulates, and its state per case.

One ``touchstream worker`` on a fresh local broker (no sink, no ClickHouse: only the worker is
measured), TOUCHSTREAM_KAFKA_PROFILE=production on a cold app id. Its RSS is VmRSS of
/proc/<pid>/status:

1. at start, once Faust logs "Worker ready";
2. after N events (touchpoints and feedback) processed, fed as fast as the worker takes them
   (the producer stays at most LEAD events ahead, so the broker does not hold a huge backlog),
   stopping early when the time cap passes: the figure names the N reached;
3. over a soak at a fixed rate, sampled every few seconds: first, last, max, and the slope
   (least squares) over the soak's second half in MB/min, which should be flat.

Processed events are the worker's ``touchstream_events_total`` on its /metrics. The traffic is
generated journeys in chunks of CHUNK_CASES cases, each chunk 12 h of event time after the one
before and ending at "now" for the last chunk planned, so event time moves on as in
production (``seen`` ids expire after TOUCHSTREAM_DEDUP_TTL_S of it); ids are unique per chunk.

"State per case" is pure Python: the core scenario's per-event work over generated journeys
gives the ``cases`` table's entries (``CaseEntry``); their size in Faust's JSON (what the
changelog holds) and as Python objects (tracemalloc around building copies, what the in-memory
table holds) per entry, for open and resolved cases.

Set BENCH_MEMORY_EVENTS, BENCH_MEMORY_CAP_S, BENCH_MEMORY_SOAK_S, BENCH_MEMORY_SOAK_RATE to
change N, the time cap, the soak's length and rate.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from faust.utils import json as faust_json
from kafka import KafkaProducer
from mode.utils.compat import want_bytes

from bench.pipeline import Encoded, cpu_seconds, local_stack, rss_bytes, traffic
from bench.report import Result
from bench.scenarios.core import Pipeline, encoded_traffic
from streams.case_log import CaseEntry
from touchstream.kafka_options import producer_options
from touchstream.scrape import counter_totals
from touchstream.settings import Settings

PROFILE = "production"
CHUNK_CASES = 5_000
CHUNK_SPAN = timedelta(hours=12)
LEAD = 20_000  # most events produced and not yet processed
MB = 1024 * 1024
MIN_AVAILABLE = 3 * 1024 * MB  # stop feeding when the machine has less memory left


# State expiry, compressed like the traffic's event time (12 h of it per chunk, a chunk every
# minute or two): with production's keeps (7 and 30 days) no case would expire within a
# 10-minute soak, and RSS could only grow. These keep as many hours as production keeps days.
EXPIRY = {
    "TOUCHSTREAM_CASE_RESOLVED_KEEP_S": str(7 * 3600),
    "TOUCHSTREAM_CASE_IDLE_KEEP_S": str(30 * 3600),
    "TOUCHSTREAM_DEDUP_TTL_S": str(3600),
    "TOUCHSTREAM_STATE_SWEEP_S": "5",
}


def _hours(setting: str) -> str:
    return f"{int(EXPIRY[setting]) / 3600:g}"


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass
class Feed:
    """Generated traffic, a chunk at a time, and what was sent of it."""

    settings: Settings
    chunks: int
    sent: int = 0
    cases: set[str] = field(default_factory=set)
    _pending: Iterator[Encoded] = field(default_factory=lambda: iter(()))
    _chunk: int = 0
    _end: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def take(self, n: int) -> list[Encoded]:
        out: list[Encoded] = []
        while len(out) < n:
            record = next(self._pending, None)
            if record is None:
                self._pending = iter(self._next_chunk())
                continue
            out.append(record)
        return out

    @property
    def chunks_used(self) -> int:
        return self._chunk

    def _next_chunk(self) -> list[Encoded]:
        end = self._end - (self.chunks - 1 - self._chunk) * CHUNK_SPAN
        records = traffic(
            self.settings,
            seed=self._chunk,
            cases=CHUNK_CASES,
            end=end,
            prefix=f"m{self._chunk}-",
            span=CHUNK_SPAN,
        )
        self._chunk += 1
        return records

    def send(self, producer: KafkaProducer, records: list[Encoded]) -> None:
        for record in records:
            producer.send(record.topic, key=record.key, value=record.value)
            if record.case_id:
                self.cases.add(record.case_id)
        self.sent += len(records)


def available_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def worker_counters(settings: Settings) -> dict[str, float]:
    """The worker's counters on its /metrics, summed over their labels; none if it is down."""
    try:
        return counter_totals(f"http://127.0.0.1:{settings.worker_web_port}/metrics")
    except OSError:
        return {}


def processed(settings: Settings) -> int:
    """Input records the worker has processed, from its /metrics."""
    totals = worker_counters(settings)
    return int(totals.get("touchstream_events", 0) + totals.get("touchstream_dead_letters", 0))


def slope_mb_per_min(samples: list[tuple[float, int]]) -> float | None:
    """Least-squares slope of RSS (MB) over time (minutes)."""
    if len(samples) < 3:
        return None
    xs = [t / 60 for t, _ in samples]
    ys = [rss / MB for _, rss in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else None


def state_per_case(cases: int) -> dict[str, Any]:
    """JSON and Python-object bytes of the cases table's entries for generated traffic."""
    pipeline = Pipeline(lambda stage: None)
    now = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    for encoded in encoded_traffic(cases):
        pipeline.process(encoded, now)
    pipeline.flush(now)
    entries = list(pipeline.cases.values())
    texts = [want_bytes(faust_json.dumps(entry)) for entry in entries]  # as the changelog has them
    is_open = [not entry.state.resolved for entry in entries]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    copies = [CaseEntry.from_dict(orjson.loads(text)) for text in texts]
    python_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del copies
    json_sizes = [len(text) for text in texts]
    open_sizes = [s for s, o in zip(json_sizes, is_open, strict=True) if o]
    closed_sizes = [s for s, o in zip(json_sizes, is_open, strict=True) if not o]
    return {
        "entries": len(entries),
        "open": len(open_sizes),
        "json": sum(json_sizes) / len(json_sizes),
        "json_open": sum(open_sizes) / max(1, len(open_sizes)),
        "json_closed": sum(closed_sizes) / max(1, len(closed_sizes)),
        "python": python_bytes / len(entries),
        "seen": len(pipeline.seen),
        "events": max(len(entry.event_ids) for entry in entries),
    }


def run(quick: bool) -> Result:
    target_events = 20_000 if quick else int(_env("BENCH_MEMORY_EVENTS", 1_000_000))
    cap_s = 120.0 if quick else _env("BENCH_MEMORY_CAP_S", 1_800)
    soak_s = 20.0 if quick else _env("BENCH_MEMORY_SOAK_S", 600)
    soak_rate = _env("BENCH_MEMORY_SOAK_RATE", 200)
    every_s = 1.0 if quick else 5.0
    result = Result("memory", "worker RSS: start, after N events, soak; state per case")
    notes: list[str] = []
    with local_stack(profile=PROFILE, clickhouse=False) as stack:
        settings = stack.settings
        worker = stack.start("worker", EXPIRY)
        worker.wait_ready(timeout_s=240)
        pid = worker.process.pid

        def rss() -> int:
            """The worker's RSS, or why it has none: a worker that died, with its log's end."""
            code = worker.process.poll()
            if code is not None:
                tail = "\n".join(stack.log("worker").splitlines()[-40:])
                raise RuntimeError(f"the worker exited with code {code}; its log ends:\n{tail}")
            return rss_bytes(pid)

        time.sleep(2)
        start_rss = rss()
        per_chunk = len(traffic(settings, 0, CHUNK_CASES, datetime.now(UTC), "x", CHUNK_SPAN))
        planned = target_events + int(soak_rate * soak_s) + LEAD
        feed = Feed(settings, chunks=planned // per_chunk + 2)
        producer = KafkaProducer(**producer_options(settings))
        fill: list[tuple[float, int]] = []
        soak: list[tuple[float, int]] = []
        try:
            # 1. As fast as the worker takes them, up to N or the cap.
            started = time.monotonic()
            cpu0 = cpu_seconds(pid)
            done, short_of_memory = 0, False
            while done < target_events and time.monotonic() - started < cap_s:
                if available_bytes() < MIN_AVAILABLE:
                    short_of_memory = True
                    break
                if feed.sent - done < LEAD and feed.sent < target_events:
                    feed.send(producer, feed.take(min(2_000, target_events - feed.sent)))
                    producer.flush()
                else:
                    time.sleep(0.5)
                done = processed(settings)
                if not fill or time.monotonic() - started - fill[-1][0] >= 2:
                    fill.append((time.monotonic() - started, rss()))
            fill_s = time.monotonic() - started
            fill_cpu = cpu_seconds(pid) - cpu0
            after_rss, after_events = rss(), done
            after_counters = worker_counters(settings)
            cases_after = len(feed.cases)
            # 2. The soak: a fixed rate, RSS sampled every few seconds.
            started = time.monotonic()
            sent_at_soak, processed_at_soak = feed.sent, processed(settings)
            next_sample = started
            while (elapsed := time.monotonic() - started) < soak_s:
                due = int(elapsed * soak_rate) - (feed.sent - sent_at_soak)
                if due > 0:
                    feed.send(producer, feed.take(due))
                if time.monotonic() >= next_sample:
                    soak.append((time.monotonic() - started, rss()))
                    next_sample += every_s
                time.sleep(0.05)
            producer.flush()
            soak.append((time.monotonic() - started, rss()))
            soak_processed = processed(settings) - processed_at_soak
            soak_sent = feed.sent - sent_at_soak
        finally:
            producer.close()
        broker_rss = None
        broker_pid_file = settings.state_dir / "broker.pid"
        if broker_pid_file.exists():
            broker_rss = rss_bytes(int(broker_pid_file.read_text()))

    n_label = f"{after_events:,}"
    if after_events < target_events:
        why = "memory ran short" if short_of_memory else f"the {cap_s:.0f} s cap passed"
        notes.append(
            f"Only {after_events:,} of the {target_events:,} events wanted were processed "
            f"before {why}: the worker took {after_events / fill_s:,.0f} events/s "
            f"({1000 * fill_cpu / max(1, after_events):.2f} ms CPU per event), so "
            f"{target_events:,} would take {target_events / max(1, after_events) * fill_s / 60:.0f}"
            " min; the figure says how many it was."
        )
    second_half = [(t, rss) for t, rss in soak if t >= soak_s / 2]
    result.add("RSS at start (Worker ready)", start_rss / MB, "MB")
    result.add(f"RSS after {n_label} events", after_rss / MB, "MB")
    result.add("soak RSS first", soak[0][1] / MB, "MB")
    result.add("soak RSS last", soak[-1][1] / MB, "MB")
    result.add("soak RSS max", max(rss for _, rss in soak) / MB, "MB")
    result.add("soak slope, second half", slope_mb_per_min(second_half), "MB/min", "<= 1.0")
    state = state_per_case(1_000 if quick else 5_000)
    result.add("cases entry, JSON", state["json"], "bytes")
    result.add("cases entry, Python objects", state["python"], "bytes")
    result.add("cases entry of an open case, JSON", state["json_open"], "bytes")
    result.add("open cases / cases (generated)", 100 * state["open"] / state["entries"], "%")
    growth = (after_rss - start_rss) / MB
    days_covered = feed.chunks_used * CHUNK_SPAN.total_seconds() / 86_400
    result.params = {
        "events_wanted": target_events,
        "events_processed": after_events,
        "cap_s": cap_s,
        "soak_s": soak_s,
        "soak_rate": soak_rate,
        "sample_every_s": every_s,
        "kafka_profile": PROFILE,
        "chunk_cases": CHUNK_CASES,
        **{key.removeprefix("TOUCHSTREAM_").lower(): value for key, value in EXPIRY.items()},
    }
    notes += [
        f"Fill: {after_events:,} events in {fill_s:.0f} s ({after_events / fill_s:,.0f}/s), "
        f"{cases_after:,} distinct cases; RSS {start_rss / MB:.0f} -> {after_rss / MB:.0f} MB "
        f"(+{growth:.0f} MB, {growth * MB / max(1, cases_after):,.0f} bytes per case sent). "
        "RSS (MB) over the fill, by second: "
        + " ".join(f"{t:.0f}s:{rss / MB:.0f}" for t, rss in fill[:: max(1, len(fill) // 12)])
        + ".",
        f"Soak: {soak_s:.0f} s at {soak_rate:.0f} events/s offered, {soak_sent:,} sent, "
        f"{soak_processed:,} processed; RSS samples (MB): "
        + " ".join(f"{rss / MB:.0f}" for _, rss in soak[:: max(1, len(soak) // 20)])
        + f"; {len(feed.cases):,} distinct cases by the end.",
        f"State per case (pure Python, {state['entries']:,} generated cases, {state['open']:,} "
        f"open at the end): JSON {state['json']:.0f} bytes per entry ({state['json_open']:.0f} "
        f"open, {state['json_closed']:.0f} resolved), {state['python']:.0f} bytes as the Python "
        f"objects a memory table holds; most event ids in one entry: {state['events']}. "
        f"{len(feed.cases):,} cases would hold about "
        f"{len(feed.cases) * state['python'] / MB:.0f} MB of such objects.",
        f"Expiry, compressed for this run (production keeps days where this keeps hours): a "
        f"resolved case leaves the `cases` table {_hours('TOUCHSTREAM_CASE_RESOLVED_KEEP_S')} h "
        f"of event time after its last event, an unresolved one after "
        f"{_hours('TOUCHSTREAM_CASE_IDLE_KEEP_S')} h, swept every "
        f"{EXPIRY['TOUCHSTREAM_STATE_SWEEP_S']} s; `seen` ids after "
        f"{_hours('TOUCHSTREAM_DEDUP_TTL_S')} h. The traffic covered about "
        f"{days_covered:g} days of event time, so the held cases level off once it passes the "
        "idle keep; the slope over the soak's second half says whether RSS did.",
        f"Event time runs about {CHUNK_SPAN.total_seconds() / 3600:g} h per chunk of "
        f"{per_chunk:,} events, a thousand times faster than the wall clock, so the 10 minutes "
        "of allowed lateness are 0.6 s of the worker's reading: a partition read that much "
        "behind another can make late events. After the fill: "
        f"{after_counters.get('touchstream_late_events', 0):,.0f} late events, "
        f"{after_counters.get('touchstream_late_updates', 0):,.0f} late updates, "
        f"{after_counters.get('touchstream_alignment_pauses', 0):,.0f} partition pauses.",
        "The local broker (Tansu, memory storage) holds every record in RAM too: "
        + (f"its RSS was {broker_rss / MB:,.0f} MB at the end." if broker_rss else "n/a."),
    ]
    result.notes += notes
    return result
