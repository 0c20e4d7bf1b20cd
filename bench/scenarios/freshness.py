"""Scenario "freshness": how long after it was produced a touchpoint is queryable in ClickHouse.

For each offered rate, a fresh local stack (Tansu broker, chdb ClickHouse, migrated, topics
made, a new app id) with one ``touchstream worker`` and one ``touchstream sink``, both started
cold and warmed up with a few seconds of the same traffic before measuring. Then generated
touchpoints (realistic journeys, ids unique to the run, pre-encoded) are produced at the rate for
the duration, each one's produce time (wall clock just before ``send``) recorded by event id.

Every row of the ``touchpoints`` fact table carries ``ingested_at``, the server's time of its
insert, from which on the row is queryable: freshness = ingested_at - produce time. A thread
collects them, polling every POLL_S for the rows inserted since its last answer; it also notes
when each event id first appeared to it ("visible", which adds up to one poll interval). The
poll is kept light so as not to take CPU from the pipeline it measures. Afterwards the
worker's ``cx.facts.touchpoints`` records are read back: their Kafka timestamps (set when the
worker sent them) split the latency into worker and sink parts.

Runs with TOUCHSTREAM_KAFKA_PROFILE=production on the cold app id (the "local" profile forces
one-record producer batches, too slow for these rates, and is not needed without changelogs to
recover). The sink's batch settings are the project's defaults unless set in the environment.
"""

from __future__ import annotations

import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from bench.pipeline import Encoded, Stack, cpu_seconds, local_stack, traffic
from bench.report import Result
from schemas import codec
from sinks.clickhouse import connect
from touchstream.kafka_options import consumer_options, producer_options
from touchstream.settings import Settings, load_settings

PROFILE = "production"
POLL_S = 1.0
WARMUP_MAX = 2_000  # events; enough to have every process past its first batches
INF = float("inf")
SLOW_PRODUCER = " (below the offered rate: one kafka-python producer thread could not keep up)"
TOUCHPOINTS_PER_CASE = 3.0  # about what the generator makes; only sizes the traffic built


class Visibility(threading.Thread):
    """Polls the touchpoints table; ``seen[event_id]`` = wall time of the answer that first held
    the row, ``inserted[event_id]`` = its ingested_at (server time of the insert)."""

    def __init__(self, settings: Settings, every_s: float) -> None:
        super().__init__(daemon=True)
        self.client = connect(settings, "admin")
        self.every_s = every_s
        self.seen: dict[str, float] = {}
        self.inserted: dict[str, float] = {}
        self.polls = 0
        self.errors = 0
        self.done = threading.Event()

    def run(self) -> None:
        since_ms = 0
        while not self.done.is_set():
            started = time.time()
            try:
                rows = self.client.query(
                    "SELECT event_id, toUnixTimestamp64Milli(ingested_at) AS at FROM touchpoints "
                    f"WHERE toUnixTimestamp64Milli(ingested_at) >= {since_ms}"
                ).result_rows
            except Exception:  # a slow answer under load; the next poll catches up
                self.errors += 1
                rows = []
            answered = time.time()
            self.polls += 1
            for event_id, at_ms in rows:
                if event_id not in self.seen:
                    self.seen[event_id] = answered
                    self.inserted[event_id] = at_ms / 1000
                # Inserts are sequential, so nothing new lands much before the newest one.
                since_ms = max(since_ms, at_ms - 5000)
            self.done.wait(max(0.0, self.every_s - (time.time() - started)))

    def wait_for(self, ids: list[str], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(i in self.seen for i in ids[-200:]) and all(i in self.seen for i in ids):
                return True
            time.sleep(0.2)
        return False


def produce(
    settings: Settings, records: list[Encoded], rate: float
) -> tuple[dict[str, float], float]:
    """Sends the records at ``rate`` a second; the send time of each event id, and the seconds
    the whole took (longer than len/rate when the producer cannot keep up)."""
    producer = KafkaProducer(**producer_options(settings))
    sent: dict[str, float] = {}
    try:
        started = time.monotonic()
        for index, record in enumerate(records):
            ahead = started + index / rate - time.monotonic()
            if ahead > 0.001:
                time.sleep(ahead)
            sent[record.event_id] = time.time()
            producer.send(record.topic, key=record.key, value=record.value)
        elapsed = time.monotonic() - started
        producer.flush()
    finally:
        producer.close()
    return sent, elapsed


def fact_times(settings: Settings, ids: set[str], timeout_s: float = 60.0) -> dict[str, float]:
    """Kafka timestamp of each event's record on cx.facts.touchpoints: when the worker sent it."""
    consumer = KafkaConsumer(**consumer_options(settings), enable_auto_commit=False)
    topic = settings.topic_fact_touchpoints
    consumer.assign([TopicPartition(topic, p) for p in range(settings.topic_partitions)])
    consumer.seek_to_beginning()
    times: dict[str, float] = {}
    deadline = time.monotonic() + timeout_s
    empty = 0
    try:
        while len(times) < len(ids) and empty < 5 and time.monotonic() < deadline:
            batches = consumer.poll(timeout_ms=1000, max_records=50_000)
            empty = 0 if batches else empty + 1
            for messages in batches.values():
                for message in messages:
                    event_id = codec.decode(message.value)[1]["event_id"]
                    if event_id in ids:
                        times[event_id] = message.timestamp / 1000
    finally:
        consumer.close()
    return times


def percentile(values: list[float], p: float) -> float | None:
    """None when there are no values or the percentile falls on an event that never landed."""
    if not values:
        return None
    ordered = sorted(values)
    value = ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
    return None if value == INF else value


def wait_assigned(stack: Stack, timeout_s: float = 180.0) -> float:
    """Seconds until the sink logs its partition assignment."""
    started = time.monotonic()
    while "assigned [" not in stack.log("sink") or "assigned []" in stack.log("sink")[-400:]:
        if time.monotonic() - started > timeout_s:
            raise RuntimeError(f"the sink got no partitions; log:\n{stack.log('sink')[-2000:]}")
        time.sleep(0.2)
    return time.monotonic() - started


def measure(rate: int, seconds: float, warmup_s: float, result: Result) -> None:
    with local_stack(profile=PROFILE) as stack:
        settings = stack.settings
        started = time.monotonic()
        worker = stack.start("worker")
        worker.wait_ready(timeout_s=240)
        sink = stack.start("sink")
        wait_assigned(stack)
        ready_s = time.monotonic() - started
        warm_n, n = min(WARMUP_MAX, int(rate * warmup_s)), int(rate * seconds)
        end = datetime.now(UTC).replace(microsecond=0)
        cases = int((warm_n + n) / TOUCHPOINTS_PER_CASE * 1.2) + 50
        records = traffic(
            settings,
            seed=rate,
            cases=cases,
            end=end,
            prefix=f"f{rate}-",
            span=timedelta(hours=12),
            touchpoints_only=True,
        )
        if len(records) < warm_n + n:
            raise RuntimeError(f"generated {len(records)} touchpoints, {warm_n + n} wanted")
        warm, measured = records[:warm_n], records[warm_n : warm_n + n]
        poller = Visibility(settings, POLL_S)
        poller.start()
        try:
            produce(settings, warm, rate)
            warmed = poller.wait_for([r.event_id for r in warm], timeout_s=120)
            pids = {"worker": worker.process.pid, "sink": sink.process.pid}
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            sent, elapsed = produce(settings, measured, rate)
            ids = [r.event_id for r in measured]
            wait_s = max(60.0, 3 * seconds)
            landed_all = poller.wait_for(ids, timeout_s=wait_s)
            busy_s = time.time() - min(sent.values())
            cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        finally:
            poller.done.set()
            poller.join(10)
        facts = fact_times(settings, set(ids))

    # Events that never landed within the wait count as infinitely late, so that a percentile
    # they reach is reported as unknown rather than flattered.
    fresh = [poller.inserted[i] - sent[i] if i in poller.inserted else INF for i in ids]
    visible = [poller.seen[i] - sent[i] for i in ids if i in poller.seen]
    worker_part = [facts[i] - sent[i] for i in ids if i in facts]
    sink_part = [poller.inserted[i] - facts[i] for i in ids if i in facts and i in poller.inserted]
    achieved = n / elapsed
    # How fast the worker got through them: first to last fact record it sent.
    done = sorted(facts[i] for i in ids if i in facts)
    worker_rate = (len(done) - 1) / (done[-1] - done[0]) if len(done) > 1 else None
    target = "<= 2.0" if rate == 2000 else ""
    result.add(f"p50 freshness at {rate:,}/s", percentile(fresh, 50), "s")
    result.add(f"p99 freshness at {rate:,}/s", percentile(fresh, 99), "s", target)
    result.add(f"max freshness at {rate:,}/s", percentile(fresh, 100), "s")
    landed = [f for f in fresh if f != INF]
    result.add(f"achieved produce rate at {rate:,}/s offered", achieved, "events/s")
    result.add(f"worker's rate at {rate:,}/s offered", worker_rate, "events/s")
    result.add(f"worker CPU at {rate:,}/s", 100 * cpu["worker"] / busy_s, "% of a core")
    result.add(f"landed at {rate:,}/s", 100 * len(landed) / n, "%")

    def p(values: list[float], q: float) -> str:
        v = percentile(values, q)
        return "n/a" if v is None else f"{v:.2f}"

    missing = (
        f" (the rest not within {wait_s:.0f} s of the last send; a percentile falling on "
        "them is n/a)"
    )
    tenth = max(1, len(ids) // 10)
    tenths = [
        p([facts[i] - sent[i] for i in ids[k : k + tenth] if i in facts], 50)
        for k in range(0, tenth * 10, tenth)
    ]
    result.notes.append(
        f"{rate:,}/s offered for {seconds:.0f} s ({n:,} touchpoints, {cases:,} generated "
        f"journeys over 12 h of event time), after {warm_n:,} warm-up events "
        f"({'all landed' if warmed else 'NOT all landed'}); worker + sink ready "
        f"{ready_s:.0f} s after start. Produced at {achieved:,.0f}/s"
        f"{'' if achieved >= 0.97 * rate else SLOW_PRODUCER}"
        f"; {len(landed):,} of {n:,} visible"
        f"{'' if landed_all else missing}. "
        f"p50/p99 s: produce->inserted (ingested_at) {p(fresh, 50)}/{p(fresh, 99)}, "
        f"produce->seen by the {POLL_S:.0f} s poll {p(visible, 50)}/{p(visible, 99)}; of "
        f"which produce->worker's fact record {p(worker_part, 50)}/{p(worker_part, 99)} and "
        f"fact->inserted by the sink {p(sink_part, 50)}/{p(sink_part, 99)} "
        f"({len(facts):,} fact timestamps read). "
        f"Worker p50 latency by tenth of the run: {' '.join(tenths)} s (a rise that "
        f"stays means it fell behind). From the first send until all landed ({busy_s:.0f} s) "
        f"the worker used {cpu['worker']:.1f} s of CPU "
        f"({1000 * cpu['worker'] / max(1, len(facts)):.2f} ms per touchpoint it processed), the "
        f"sink {cpu['sink']:.1f} s. "
        f"{poller.polls} polls, {poller.errors} failed; mean "
        f"freshness of those landed {statistics.fmean(landed) if landed else float('nan'):.2f} s."
    )


def run(quick: bool) -> Result:
    # 500/s: a rate one worker on this machine keeps up with; 2k and 10k/s: the issue's.
    rates = (500,) if quick else (500, 2000, 10_000)
    seconds = 5.0 if quick else 30.0
    warmup_s = 2.0 if quick else 5.0
    result = Result("freshness", "produce -> queryable in ClickHouse, whole local pipeline")
    defaults = load_settings()  # the sink's batch settings: environment, else defaults
    batch_rows, batch_seconds = defaults.sink_batch_rows, defaults.sink_batch_seconds
    result.params = {
        "rates": "/".join(str(r) for r in rates),
        "seconds": seconds,
        "warmup_s": warmup_s,
        "kafka_profile": PROFILE,
        "sink_batch_rows": batch_rows,
        "sink_batch_seconds": batch_seconds,
        "poll_s": POLL_S,
    }
    for rate in rates:
        measure(rate, seconds, warmup_s, result)
    result.notes.append(
        f"Sink: a batch is flushed at {batch_rows:,} rows or when its oldest row is "
        f"{batch_seconds} s old (TOUCHSTREAM_SINK_BATCH_ROWS / _SECONDS), so at rates whose "
        "rows fill less than a batch in that time a row waits up to that long in the sink; "
        "each touchpoint makes about two rows (its fact and its case's), plus window results."
    )
    result.notes.append(
        "One machine (2 cores) runs the broker, chdb, worker, sink, producer and poller; the "
        "local ClickHouse is chdb behind a Python HTTP server, not a ClickHouse server."
    )
    return result
