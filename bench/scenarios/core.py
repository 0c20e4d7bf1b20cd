"""Scenario "core": the worker's per-event work without a broker, in one process on one core.

Generated traffic (touchpoints and feedback, with the generator's share of bad records) is
encoded once, then fed through the same functions the agents call, in the same order:

- codec: Avro decode (``schemas.codec``);
- validation: the contract's checks (``schemas.validation``);
- text: redaction, language and themes of feedback comments (``streams.text``);
- case state: the case's table entry read, the event applied, feedback joined to its case;
- windows: each contribution through the contributions topic's JSON form into its channel's
  windows, a batch at a time as the windows agent takes them, the running and final results
  due, and the channel alert rules;
- window results: the figures of each result due and their Avro encoding;
- outputs: encoding the rest of what is sent (case and feedback facts in Avro, contributions
  in JSON; a touchpoint fact is its input record's bytes unless its attributes hold an email
  address) and serialising every table value written with Faust's JSON, as Faust does for its
  changelog. As in the touchpoints agent's outbox, a batch of ``input_batch_max`` touchpoints
  writes and publishes each case it changed once, in its last state.

Window results are a stage of their own because how many there are per event depends on the
traffic's density in event time, not on the pipeline: the generated traffic packs 12 hours of
journeys into 86,000 events, about 120 per minute over all channels, so every minute window of
every channel gets a running and a final result, some 0.2 per event. At the 50,000 events/s
the target names, a minute window would hold millions of events for the same two results.

The feedback records are also run alone, as scenario peer's load (no touchpoints, so no case
to join): their time per record, beside the Quix Streams app's in scenario peer, says how much
of the gap to the peer is Touchstream's own work per record rather than Faust's and Kafka's.

Tables are plain dicts holding what a Faust table holds, so the figures are the worker's CPU
cost per event minus Kafka I/O; the garbage collector runs with the worker's thresholds. Each
stage is timed per event with ``perf_counter_ns``; the headline events/s comes from a second
pass with no timers.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from faust.utils import json as faust_json
from mode.utils.compat import want_bytes

from bench.report import Result
from schemas import codec
from schemas.jsonl import parse_line
from schemas.records import Channel, Feedback, Touchpoint
from schemas.validation import Rejection, validate_feedback, validate_touchpoint
from streams.case_log import CaseEntry, apply_event, entry_of
from streams.channel_alerts import observe
from streams.facts import CaseFact, FeedbackFact, WindowResult, touchpoint_fact
from streams.metrics import Contribution, Watermarking, enrich, summarize, touchpoint_seen
from streams.rules import CASE_RULES
from streams.text import analyse_comment
from streams.window_log import (
    ChannelWindows,
    WireEvent,
    add_batch,
    read_wire,
    wire_message,
    wire_records,
)
from touchstream.gc_thresholds import THRESHOLDS
from touchstream.generator import generate
from touchstream.settings import get_settings

STAGES = ("codec", "validation", "text", "case state", "windows", "window results", "outputs")
# The agent's defaults, except that every source makes watermarks: the traffic is in time order,
# as if each partition were read at the same pace.
EMIT_EVERY = timedelta(seconds=10)
WATERMARKING = Watermarking(allowed_lateness=timedelta(minutes=10))
Clock = Callable[[str], None]


Encoded = tuple[type[Touchpoint] | type[Feedback], bytes]  # the input topic's type, the value


def encoded_traffic(cases: int) -> list[Encoded]:
    """The generated records that pass the producer's parsing, Avro-encoded, in time order."""
    end = datetime(2026, 11, 24, 18, tzinfo=UTC)
    lines = (r if isinstance(r, str) else json.dumps(r) for r in generate(7, cases, end))
    records = (parse_line(line, end) for line in lines)
    return [(type(r), codec.encode(r)) for r in records if not isinstance(r, Rejection)]


class Pipeline:
    """The agents' per-event work over in-memory tables; ``clock(stage)`` is called at the end
    of each stage so a caller can time them (a no-op for the untimed pass)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.cases: dict[str, Any] = {}
        self.seen: dict[str, Any] = {}
        self.windows: dict[str, Any] = {}
        self.live: dict[Channel, ChannelWindows] = {}  # the agent's decoded windows
        self.outgoing: dict[Channel, list[WireEvent]] = {}  # the input agents' outbox
        self.pending_count = 0  # contributions in it
        self.batch_max = get_settings().window_batch_max
        self.changed_cases: dict[str, CaseEntry] = {}  # by the touchpoints batch under way
        self.batch_touchpoints = 0
        self.input_batch_max = get_settings().input_batch_max
        self.rejected = 0
        self.offset = 0  # of the event in its input topic, for the contributions' positions
        self.bytes_out = 0
        self.window_results = 0

    def process(self, encoded: Encoded, now: datetime) -> None:
        self.offset += 1
        record_type, value = encoded
        if record_type is Touchpoint:
            if self.batch_touchpoints == self.input_batch_max:
                self.finish_touchpoints()
                self.clock("outputs")
            self.batch_touchpoints += 1
        try:
            record = codec.decode_as(value, record_type)
        except codec.DecodeError:
            self.rejected += 1
            return
        self.clock("codec")
        if isinstance(record, Touchpoint):
            rejection = validate_touchpoint(record, now)
            self.clock("validation")
            if rejection is None:
                self._touchpoint(record, value, now)
        else:
            rejection = validate_feedback(record, now)
            self.clock("validation")
            if rejection is None:
                self._feedback(record, now)
        if rejection is not None:
            self.rejected += 1

    def _touchpoint(self, tp: Touchpoint, encoded: bytes, now: datetime) -> None:
        if not tp.case_id:
            self.clock("case state")
            self._contribute([touchpoint_seen(tp)], now)
            self._out(touchpoint_fact(tp, encoded))
            self._write(self.seen, tp.event_id, [tp.occurred_at.timestamp(), 0])
            return
        stored = self.cases.get(tp.case_id)
        entry = CaseEntry.new(tp.case_id) if stored is None else entry_of(stored)
        applied = apply_event(entry, tp, CASE_RULES)
        self.clock("case state")
        if applied is None:
            return
        entry, contributions = applied
        self._contribute([touchpoint_seen(tp), *contributions], now)
        self._out(touchpoint_fact(tp, encoded))
        self.cases[tp.case_id] = self.changed_cases[tp.case_id] = entry
        self.clock("outputs")

    def finish_touchpoints(self) -> None:
        """The end of a touchpoints batch: each case it changed published and written once."""
        for case_id, entry in self.changed_cases.items():
            self._out(codec.encode(CaseFact.of(summarize(entry.state))))
            self._write(self.cases, case_id, entry)
        self.changed_cases.clear()
        self.batch_touchpoints = 0

    def _feedback(self, fb: Feedback, now: datetime) -> None:
        themes: tuple[str, ...] = ()
        if fb.comment:
            analysis = analyse_comment(fb.comment, fb.language)
            fb = replace(fb, comment=analysis.redacted_text, language=analysis.language)
            themes = analysis.themes
        self.clock("text")
        stored = self.cases.get(fb.case_id) if fb.case_id else None
        entry = None if stored is None else entry_of(stored)
        enriched, contributions, kept = enrich(fb, None if entry is None else entry.state)
        self.clock("case state")
        self._contribute(contributions, now)
        self._out(codec.encode(FeedbackFact.of(enriched, themes)))
        self._write(self.seen, fb.feedback_id, [fb.submitted_at.timestamp(), 0])
        if kept is not None and entry is not None:
            entry = CaseEntry(kept, entry.event_ids)
            self._write(self.cases, kept.case_id, entry)
            if kept.case_id in self.changed_cases:  # the worker's batches do not interleave
                self.changed_cases[kept.case_id] = entry
        self.clock("outputs")

    def _contribute(self, contributions: list[Contribution], now: datetime) -> None:
        """As the input agents' outbox: gathered per channel, sent once per batch."""
        for channel, value in wire_records(contributions, "t:0", self.offset):
            self.outgoing.setdefault(channel, []).append(value)
        self.pending_count += len(contributions)
        self.clock("outputs")
        if self.pending_count >= self.batch_max:
            self.flush(now)

    def flush(self, now: datetime) -> None:
        """The contributions records of a batch, through their JSON form, and the windows
        agent's work on them."""
        wire = [orjson.dumps(wire_message(ch, events)) for ch, events in self.outgoing.items()]
        self.outgoing.clear()
        self.pending_count = 0
        self.clock("outputs")
        pending = [sourced for body in wire for sourced in read_wire(orjson.loads(body))]
        changed = add_batch(pending, self._load, wall=0.0)
        for channel, windows in changed.items():
            final = windows.store.closed()
            running = windows.store.due_updates(now)
            for snapshot in final:
                observe(windows.alerts, snapshot, CASE_RULES.standards)
            self.clock("windows")
            for snapshot, is_final in [(s, True) for s in final] + [(s, False) for s in running]:
                self._out(codec.encode(WindowResult.of(snapshot, is_final, 0)))
                self.window_results += 1
            self.clock("window results")
            self._write(self.windows, channel.value, windows.to_dict())
            self.live[channel] = windows
            self.clock("outputs")

    def _load(self, channel: Channel) -> ChannelWindows:
        return self.live.get(channel) or ChannelWindows.new(EMIT_EVERY, WATERMARKING)

    def _write(self, table: dict[str, Any], key: str, value: Any) -> None:
        table[key] = value
        self._out(want_bytes(faust_json.dumps(value)))

    def _out(self, data: bytes) -> None:
        self.bytes_out += len(data)


def _timed(values: list[Encoded], now: datetime) -> dict[str, int]:
    spent: dict[str, int] = defaultdict(int)
    last = time.perf_counter_ns()

    def clock(stage: str) -> None:
        nonlocal last
        tick = time.perf_counter_ns()
        spent[stage] += tick - last
        last = tick

    pipeline = Pipeline(clock)
    for value in values:
        last = time.perf_counter_ns()
        pipeline.process(value, now)
    last = time.perf_counter_ns()
    pipeline.finish_touchpoints()
    pipeline.flush(now)
    return spent


def _untimed(values: list[Encoded], now: datetime) -> tuple[float, Pipeline]:
    pipeline = Pipeline(lambda stage: None)
    started = time.perf_counter()
    for value in values:
        pipeline.process(value, now)
    pipeline.finish_touchpoints()
    pipeline.flush(now)
    return time.perf_counter() - started, pipeline


@contextmanager
def _worker_gc() -> Iterator[None]:
    """The worker process's GC thresholds (``touchstream.gc_thresholds``), given back after."""
    saved = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


@contextmanager
def _one_core() -> Iterator[int]:
    """Pins this process to one core, the issue's condition, and yields the core. The cores are
    given back after: every process a later scenario starts inherits this process's affinity,
    and until 2026-12-02 a full run measured all of them (worker, broker, ClickHouse, sink) on
    the one core."""
    cores = os.sched_getaffinity(0)
    core = min(cores)
    os.sched_setaffinity(0, {core})
    try:
        yield core
    finally:
        os.sched_setaffinity(0, cores)


def run(quick: bool) -> Result:
    cases = 500 if quick else 20_000
    values = encoded_traffic(cases)
    now = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    with _one_core() as core, _worker_gc():
        # Warm what loads once per process (schemas, lexicons, the language model).
        analyse_comment("warming up the language model", None)
        _untimed(values[:2000], now)
        seconds, pipeline = _untimed(values, now)
        spent = _timed(values, now)
        # The peer scenario's load: feedback alone, its cases unknown, as Quix Streams reads it.
        answers = [value for value in values if value[0] is Feedback]
        answers_seconds, _ = _untimed(answers, now)
        answers_spent = _timed(answers, now)
    n = len(values)
    result = Result("core", "decode + validate + enrich + windows, no broker, one core")
    result.params = {"cases": cases, "events": n, "core": core}
    result.add("events/s", n / seconds, "events/s", ">= 50000")
    for stage in STAGES:
        result.add(f"{stage} per event", spent[stage] / n / 1000, "µs")
    result.add("feedback alone, per record", answers_seconds / len(answers) * 1e6, "µs")
    slowest = max(STAGES, key=lambda stage: spent[stage])
    feedback = len(answers)
    by_stage = ", ".join(
        f"{stage} {answers_spent[stage] / feedback / 1000:.1f}"
        for stage in sorted(STAGES, key=lambda stage: -answers_spent[stage])
    )
    result.notes += [
        f"{n} records from {cases} generated journeys ({n - feedback} touchpoints, {feedback} "
        f"feedback), {pipeline.rejected} rejected by validation; {len(pipeline.cases)} cases, "
        f"{len(pipeline.windows)} channels; {pipeline.bytes_out / n:,.0f} bytes out per event.",
        f"{pipeline.window_results:,} window results ({pipeline.window_results / n:.2f} per "
        f"event), {spent['window results'] / max(pipeline.window_results, 1) / 1000:.0f} µs "
        "each; events/s estimated without them (the untimed pass less the timed pass's "
        f"window results), as at a density where results per event are negligible: "
        f"{n / (seconds - spent['window results'] / 1e9):,.0f}.",
        f"Slowest stage: {slowest} ({spent[slowest] / sum(spent.values()):.0%} of the time).",
        f"Feedback alone (the peer scenario's load: no touchpoints, so no case to join), "
        f"{feedback:,} records: {answers_seconds / feedback * 1e6:.0f} µs each untimed; µs per "
        f"record by stage, timed: {by_stage}. Set beside the peer's Quix Streams time per "
        "record, which includes reading from Kafka.",
    ]
    return result
