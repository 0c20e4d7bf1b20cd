"""Scenario "worker": one ``touchstream worker`` end to end on the real local broker, against a
bare consumer that only decodes the same records.

Setup: a throwaway Tansu broker (``bench.pipeline.local_stack``, no ClickHouse: the worker does
not need it). Generated journeys (``touchstream.generator``, its ~2% of deliberately bad records
included) are pre-loaded on the input topics before anything reads them: valid records Avro
encoded and keyed as ``touchstream produce`` does, the bad ones as the raw JSON line (bytes no
codec reads, which the worker dead-letters), so every one of the N records costs the worker a
decode. Pre-loading uses batched producers; it is not timed.

Worker side, once per Kafka profile (``local``: short group timeouts and one-record producer
batches, the Tansu workaround that only matters for table recovery; ``production``: plain
Faust settings, right for a cold worker on a fresh app id): one worker process started cold on a
fresh app id with output topics of its own, ``TOUCHSTREAM_WINDOW_EMIT_INTERVAL_S=0.25`` (running
results four times a second instead of every 10 s, see ``EMIT_INTERVAL_S``; otherwise defaults,
including the 10 min allowed lateness). Timed from the process start (and from Faust's
"Worker ready" log line) until every pre-loaded event is reflected in its windows:

    "reflected": over the latest result of every tumbling-hour window on the worker's windows
    topic (final or running), the sum of touchpoints + csat_responses + nps_responses +
    ces_responses + late_events equals the number of valid records pre-loaded. The windows
    agent counts each arriving touchpoint or survey answer exactly once per window spec: in its
    window's figures, or in ``late_events`` of the current window when its own window had
    already closed; so the sum reaches the total only once every valid event went through
    decode, validation, case state, contributions and the windows agent, and its result was
    sent. The moment is the Kafka timestamp of the result that completed the sum (the worker's
    clock when it sent it). Results come out when due, so this includes up to one emit
    interval after the last batch.

The ratio worker/bare uses the worker's rate from "Worker ready" (the bare consumer joins no
group; the worker's start is a figure of its own, and on Tansu a group join with Faust's
default timeouts alone takes 15-30 s); the ratio from the process start is in the notes.

Also noted: when the worker's own counters on /metrics (``touchstream_events_total`` +
dead letters + duplicates, scraped every 0.5 s) reached N, i.e. the input agents were done.

Bare side: one aiokafka consumer in this process, manually assigned every partition of both
input topics from the beginning (no group to join), that decodes each record with
``schemas.codec.decode_as`` into Touchpoint or Feedback; timed from its construction to the
N-th record.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka import KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KafkaTopicPartition

from bench.pipeline import Stack, cpu_seconds, local_stack
from bench.report import Result
from schemas import codec
from schemas.jsonl import parse_line
from schemas.records import Feedback, Touchpoint
from schemas.validation import Rejection
from streams.facts import WindowResult
from tests.conftest import free_port
from tests.integration.topics import own_topics
from tests.integration.workers import READY_LINE, Worker
from touchstream.generator import generate
from touchstream.kafka_options import consumer_options, producer_options
from touchstream.producer import destination
from touchstream.scrape import counter_totals
from touchstream.settings import Settings
from touchstream.topics import ensure_topics

PROFILES = ("local", "production")
# The bench sees a window's figures only in its results, so the emit interval bounds how late it
# sees the worker's state: at 1 s, waiting for the last running results was a fifth of the
# peer's run (feedback-only load, two runs each: 5,710 / 5,739 events/s from ready at 1 s,
# 7,739 / 6,714 / 8,264 / 7,577 at 0.25 s, 7,807 / 8,292 at 0.1 s, with the same CPU per event).
# Quix's app notes the moment its state holds every record, with no such wait.
EMIT_INTERVAL_S = 0.25
SCRAPE_EVERY_S = 0.5
TIMEOUT_S = 300.0
REFLECTED = ("touchpoints", "csat_responses", "nps_responses", "ces_responses", "late_events")
INPUT_COUNTERS = (
    "touchstream_events",
    "touchstream_dead_letters",
    "touchstream_duplicates",
)


@dataclass(frozen=True, slots=True)
class Load:
    """The pre-loaded records (topic, key, value) and what a worker should make of them."""

    records: list[tuple[str, bytes, bytes]]
    touchpoints: int  # valid ones
    feedback: list[Feedback]  # valid ones, for a reference computation
    bad: int  # raw JSON lines on the input topics

    @property
    def valid(self) -> int:
        return self.touchpoints + len(self.feedback)


def build_load(settings: Settings, cases: int, seed: int = 7, feedback_only: bool = False) -> Load:
    """Generated journeys ending now, as ``touchstream produce`` would send them, except that
    the bad records go to their type's topic as they are instead of to the dead letters."""
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    records: list[tuple[str, bytes, bytes]] = []
    touchpoints, bad = 0, 0
    feedback: list[Feedback] = []
    for raw in generate(seed, cases, end):
        line = raw if isinstance(raw, str) else json.dumps(raw)
        record = parse_line(line, end)
        if isinstance(record, Rejection):
            is_feedback = '"type": "feedback"' in line
            if feedback_only and not is_feedback:
                continue
            topic = settings.topic_feedback if is_feedback else settings.topic_touchpoints
            key = raw.get("case_id") or raw.get("customer_id") if isinstance(raw, dict) else None
            records.append((topic, str(key or "bad").encode(), line.encode()))
            bad += 1
            continue
        if feedback_only and not isinstance(record, Feedback):
            continue
        topic, key = destination(record, settings)
        records.append((topic, key, codec.encode(record)))
        if isinstance(record, Touchpoint):
            touchpoints += 1
        else:
            feedback.append(record)
    return Load(records, touchpoints, feedback, bad)


def preload(settings: Settings, load: Load) -> float:
    """Sends every record with batching producers; seconds taken."""
    started = time.perf_counter()
    batched = settings.model_copy(update={"kafka_profile": "production"})
    producer = KafkaProducer(**producer_options(batched))
    try:
        for topic, key, value in load.records:
            producer.send(topic, key=key, value=value)
        producer.flush()
    finally:
        producer.close()
    return time.perf_counter() - started


class WindowsWatch:
    """Follows a windows topic from its start, keeping the reflected sum (see the module
    docstring) over the latest result of every tumbling-hour window."""

    def __init__(self, settings: Settings, topic: str) -> None:
        self.consumer = KafkaConsumer(**consumer_options(settings), enable_auto_commit=False)
        self.consumer.assign(
            [KafkaTopicPartition(topic, p) for p in range(settings.topic_partitions)]
        )
        self.consumer.seek_to_beginning()
        self.latest: dict[tuple[str, datetime], tuple[float, float]] = {}  # (reflected, late)
        self.total = 0.0
        self.late = 0.0
        self.results = 0

    def poll(self, timeout_ms: int) -> float | None:
        """Reads what came; the Kafka timestamp (epoch s) of the last result read."""
        last: float | None = None
        for messages in self.consumer.poll(timeout_ms=timeout_ms).values():
            for message in messages:
                result = codec.decode_as(message.value, WindowResult)
                self.results += 1
                if result.window_kind != "tumbling_1h":
                    continue
                key = (result.channel.value, result.window_start)
                count = sum(result.figures.get(name) or 0 for name in REFLECTED)
                late = result.figures.get("late_events") or 0
                before, late_before = self.latest.get(key, (0.0, 0.0))
                self.total += count - before
                self.late += late - late_before
                self.latest[key] = (count, late)
                last = message.timestamp / 1000
        return last

    def close(self) -> None:
        self.consumer.close()


@dataclass(slots=True)
class WorkerRun:
    """Seconds from the worker's process start; None when it never got there."""

    profile: str
    ready_s: float | None = None
    input_done_s: float | None = None
    reflected_s: float | None = None
    # (monotonic time, the worker's CPU seconds) when ready and reflected were seen: its CPU in
    # between says whether it waited on the broker or worked.
    cpu_at_ready: tuple[float, float] | None = None
    cpu_at_reflected: tuple[float, float] | None = None
    reflected_total: float = 0.0
    late_events: float = 0.0
    window_results: int = 0
    notes: list[str] = field(default_factory=list)


def worker_env(settings: Settings, stack_dir: Path, profile: str, run_id: str) -> dict[str, str]:
    """A fresh app id, data dir and web port, output topics of the run's own (created here);
    the input topics are the stack's."""
    outputs = {
        k: v for k, v in own_topics(run_id).items() if not k.endswith(("_TOUCHPOINTS", "_FEEDBACK"))
    }
    ensure_topics(settings.model_copy(update={k[12:].lower(): v for k, v in outputs.items()}))
    return outputs | {
        "TOUCHSTREAM_KAFKA_PROFILE": profile,
        "TOUCHSTREAM_APP_ID": run_id,
        "TOUCHSTREAM_WORKER_DATA_DIR": str(stack_dir / run_id),
        "TOUCHSTREAM_WORKER_WEB_PORT": str(free_port()),
        "TOUCHSTREAM_WINDOW_EMIT_INTERVAL_S": str(EMIT_INTERVAL_S),
    }


def run_worker(
    stack: Stack, profile: str, load: Load, env: dict[str, str] | None = None
) -> WorkerRun:
    """One cold worker on ``load`` (already on the stack's input topics), until its windows
    reflect every valid record; killed afterwards in any case."""
    run_id = f"bench-{profile[:4]}-{uuid.uuid4().hex[:6]}"
    env = worker_env(stack.settings, stack.dir, profile, run_id) | (env or {})
    windows_topic = env["TOUCHSTREAM_TOPIC_WINDOWS"]
    metrics_url = f"http://127.0.0.1:{env['TOUCHSTREAM_WORKER_WEB_PORT']}/metrics"
    log = stack.dir / f"{run_id}.log"
    watch = WindowsWatch(stack.settings, windows_topic)
    outcome = WorkerRun(profile)
    wall_started = time.time()
    worker = Worker(["-m", "touchstream.cli", "worker"], log, env)
    try:
        deadline = worker.started + TIMEOUT_S
        next_scrape = 0.0
        while time.monotonic() < deadline:
            sent_at = watch.poll(200)
            if outcome.reflected_s is None and sent_at is not None and (watch.total >= load.valid):
                outcome.reflected_s = sent_at - wall_started
                outcome.cpu_at_reflected = (time.monotonic(), cpu_seconds(worker.process.pid))
            now = time.monotonic()
            if outcome.ready_s is None and READY_LINE in log.read_text(errors="replace"):
                outcome.ready_s = now - worker.started
                outcome.cpu_at_ready = (now, cpu_seconds(worker.process.pid))
            if outcome.input_done_s is None and now >= next_scrape:
                next_scrape = now + SCRAPE_EVERY_S
                if _input_events(metrics_url) >= len(load.records):
                    outcome.input_done_s = now - worker.started
            if outcome.reflected_s is not None and outcome.input_done_s is not None:
                break
            if worker.process.poll() is not None:
                outcome.notes.append(f"the {profile} worker exited; see {log}")
                break
        else:
            outcome.notes.append(
                f"the {profile} worker's windows held {watch.total:,.0f} of {load.valid:,} "
                f"valid records after {TIMEOUT_S:.0f} s"
            )
    finally:
        worker.kill()
        outcome.reflected_total = watch.total
        outcome.late_events = watch.late
        outcome.window_results = watch.results
        watch.close()
    return outcome


def faust_floor(stack: Stack, n: int) -> float | None:
    """Events/s of a Faust agent that only reads the ``n`` pre-loaded records (see
    ``bench.faust_floor``), production profile; None if it did not get through them."""
    run_id = f"bench-floor-{uuid.uuid4().hex[:6]}"
    env = worker_env(stack.settings, stack.dir, "production", run_id) | {"BENCH_FLOOR_N": str(n)}
    log = stack.dir / f"{run_id}.log"
    floor = Worker(["-m", "faust", "-A", "bench.faust_floor", "worker", "-l", "warn"], log, env)
    try:
        deadline = floor.started + TIMEOUT_S
        while time.monotonic() < deadline and floor.process.poll() is None:
            time.sleep(0.5)
    finally:
        floor.kill()
    lines = [line for line in log.read_text(errors="replace").splitlines() if "FLOOR " in line]
    return float(lines[-1].split("FLOOR ")[1].split()[0]) if lines else None


def _input_events(url: str) -> float:
    """Input records the worker is done with, by its counters; 0 while /metrics is not up."""
    try:
        totals = counter_totals(url, timeout_s=2.0)
    except OSError:
        return 0.0
    return sum(totals.get(name, 0.0) for name in INPUT_COUNTERS)


def bare_consume(
    settings: Settings, topics: dict[str, type[Touchpoint] | type[Feedback]], n: int
) -> tuple[float, int]:
    """Seconds for one aiokafka consumer to read and decode ``n`` records from the start of
    ``topics``, and how many of them the codec refused."""
    return asyncio.run(_bare(settings, topics, n))


async def _bare(
    settings: Settings, topics: dict[str, type[Touchpoint] | type[Feedback]], n: int
) -> tuple[float, int]:
    started = time.perf_counter()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p) for topic in topics for p in range(settings.topic_partitions)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen, refused = 0, 0
        deadline = time.monotonic() + TIMEOUT_S
        while seen < n and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for tp, messages in batches.items():
                record_type = topics[tp.topic]
                for message in messages:
                    try:
                        codec.decode_as(message.value or b"", record_type)
                    except codec.DecodeError:
                        refused += 1
                seen += len(messages)
        elapsed = time.perf_counter() - started
    finally:
        await consumer.stop()
    if seen < n:
        raise RuntimeError(f"the bare consumer read {seen} of {n} records in {TIMEOUT_S} s")
    return elapsed, refused


def rate(n: int, start_s: float | None, end_s: float | None) -> float | None:
    """``n`` events over the seconds from ``start_s`` to ``end_s``; None when either is."""
    if start_s is None or end_s is None or end_s <= start_s:
        return None
    return n / (end_s - start_s)


def run(quick: bool) -> Result:
    cases = 700 if quick else 8_000
    result = Result("worker", "one worker end to end on the local broker vs a bare consumer")
    with local_stack(clickhouse=False) as stack:
        settings = stack.settings
        load = build_load(settings, cases)
        n = len(load.records)
        preload_s = preload(settings, load)
        runs = [run_worker(stack, profile, load) for profile in PROFILES]
        topics: dict[str, Any] = {
            settings.topic_touchpoints: Touchpoint,
            settings.topic_feedback: Feedback,
        }
        bare_s, refused = bare_consume(settings, topics, n)
        floor = faust_floor(stack, n)
    bare = n / bare_s
    result.params = {"cases": cases, "events": n, "profiles": ",".join(PROFILES)}
    for outcome in runs:
        p = outcome.profile
        from_start = rate(n, 0.0, outcome.reflected_s)
        from_ready = rate(n, outcome.ready_s, outcome.reflected_s)
        result.add(f"worker events/s ({p})", from_start, "events/s")
        result.add(f"worker events/s from ready ({p})", from_ready, "events/s")
        result.add(f"time-to-ready ({p})", outcome.ready_s, "s")
        busy = _busy(outcome)
        result.add(f"worker CPU from ready to reflected ({p})", busy, "% of a core")
        result.add(
            f"worker CPU per event ({p})",
            None if busy is None or from_ready is None else 10 * busy / from_ready,
            "ms",
        )
        result.add(
            f"ratio worker/bare ({p})",
            None if from_ready is None else from_ready / bare,
            "x",
            ">= 0.5",
        )
        result.notes += outcome.notes
        result.notes.append(
            f"{p} profile: ready {_s(outcome.ready_s)}, input agents done by /metrics "
            f"{_s(outcome.input_done_s)} ({_n(rate(n, outcome.ready_s, outcome.input_done_s))} "
            f"events/s from ready), windows reflected every record {_s(outcome.reflected_s)} "
            f"after the process start; ratio from the process start "
            f"{_ratio(from_start, bare)}; {outcome.late_events:,.0f} events counted late; "
            f"{outcome.window_results:,} window results read."
        )
    result.add("bare events/s", bare, "events/s")
    result.add("Faust read-only agent events/s", floor, "events/s")
    result.add("ratio Faust read-only/bare", None if floor is None else floor / bare, "x")
    result.notes += [
        f"{n:,} records pre-loaded in {preload_s:.1f} s: {load.touchpoints:,} valid "
        f"touchpoints, {len(load.feedback):,} valid feedback, {load.bad:,} bad (raw JSON; the "
        f"bare consumer's codec refused {refused:,}).",
        "Profiles: 'local' = TOUCHSTREAM_KAFKA_PROFILE=local (6 s session / 2 s heartbeat, "
        "one-record producer batches for every send: contributions, facts, changelogs); "
        "'production' = plain Faust settings (batched sends, default group timeouts, with "
        "which Tansu settles a group join slowly).",
        "Ratios: worker events/s from 'Worker ready' over bare events/s (the bare consumer has "
        "no group to join; a worker's start is its own figure, time-to-ready).",
        "Faust read-only agent: a Faust app on the production profile whose one agent reads "
        "every pre-loaded record and does nothing else (bench/faust_floor.py), from its first "
        "record to the last, on the worker's transport (streams/kafka_transport.py): the "
        "ceiling of a Touchstream worker here, whatever its agents do.",
        f"Reflected = the latest tumbling-hour results on the run's windows topic add up "
        f"(touchpoints + survey responses + late events) to the {load.valid:,} valid records; "
        f"running results every {EMIT_INTERVAL_S:g} s.",
    ]
    return result


def _s(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.1f} s"


def _n(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _ratio(events_per_s: float | None, bare: float) -> str:
    return "n/a" if not events_per_s else f"{events_per_s / bare:.3g}"


def _busy(outcome: WorkerRun) -> float | None:
    """The worker's CPU from ready to reflected, in % of a core."""
    if outcome.cpu_at_ready is None or outcome.cpu_at_reflected is None:
        return None
    (t0, cpu0), (t1, cpu1) = outcome.cpu_at_ready, outcome.cpu_at_reflected
    return 100 * (cpu1 - cpu0) / (t1 - t0)
