"""Scenario "peer": Quix Streams and Touchstream on the same pre-loaded feedback topic.

Setup: a throwaway Tansu broker (``bench.pipeline.local_stack``, no ClickHouse). The feedback
records of generated journeys (the bad ones among them as raw JSON lines, as in the "worker"
scenario) are pre-loaded on the feedback topic before anything reads it.

Quix side (``bench/quix_app.py``, a process of its own, quixstreams 3.x from the ``bench``
extra, state in a temporary directory, changelog topics on): decodes each record with
``schemas.codec``, groups by channel (a repartition topic), tumbling 1-hour windows in event time
(``submitted_at``, 10 min grace), CSAT responses/satisfied/sum and NPS promoters/detractors/
responses, closed windows out with ``final()``. Reflected: the app has processed as many
records from its repartition topic as there are decodable ones, i.e. each went into its window
state (or was counted late); the app notes that moment and stops itself.

Touchstream side: one ``touchstream worker`` (profile ``production``: a cold worker on a fresh
app id needs no Tansu workaround) reading the same topic as its feedback input, with an empty
touchpoints topic; reflected as in the "worker" scenario (its tumbling-hour results add up to
every valid record). It does much more per record than the Quix app: validation, comment
redaction, language and themes, case join, feedback facts, detractor alerts, dedup state,
contributions through an internal topic, every window spec and figure, running results every
``EMIT_INTERVAL_S`` (0.25 s); the comparison is records consumed until all are reflected.

Both are timed from their process start and from their "ready" (Faust's "Worker ready"; Quix's
first partition assignment); the ratio uses the rates from ready, since on Tansu a group join
with default timeouts takes 15-30 s whatever the client. Quix's closed windows are checked
against a pure-Python computation over the same records: per channel and hour, its figures plus
the records it dropped as late must equal the reference exactly.

Tansu and Quix: Tansu describes a topic's configs only when they were given at its creation
(none of the broker's defaults), and Quix's ``group_by`` derives its repartition topic's config
from the input topic's ``retention.ms`` (KeyError without it); so the feedback topic here is
created with ``retention.ms=-1``. Nothing else was needed: librdkafka's defaults work.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from bench.pipeline import Stack, local_stack
from bench.report import Result
from bench.scenarios.worker import (
    EMIT_INTERVAL_S,
    SCRAPE_EVERY_S,
    TIMEOUT_S,
    Load,
    build_load,
    preload,
    rate,
    run_worker,
)
from schemas.records import Feedback
from touchstream.settings import Settings
from touchstream.topics import ensure_topics

PROFILE = "production"
HOUR_MS = 3_600_000
# The figures the Quix app computes (bench/quix_app.py imports them) and the reference checks.
FIGURES = (
    "csat_responses",
    "csat_satisfied",
    "csat_sum",
    "nps_promoters",
    "nps_detractors",
    "nps_responses",
)


@dataclass(slots=True)
class QuixRun:
    """Seconds from the process start; None when it never got there."""

    ready_s: float | None = None
    reflected_s: float | None = None
    closed: list[dict[str, Any]] = field(default_factory=list)
    late: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def feedback_topic(settings: Settings) -> str:
    """A feedback topic created with its retention set: Tansu describes a topic's configs only
    when they were given at its creation, none of the broker's defaults, and Quix's group_by
    derives its repartition topic's config from the input topic's retention.ms (a KeyError
    otherwise)."""
    name = f"bench-peer-{uuid.uuid4().hex[:6]}.feedback"
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap.split(","))
    try:
        admin.create_topics(
            [
                NewTopic(
                    name,
                    settings.topic_partitions,
                    settings.topic_replication,
                    topic_configs={"retention.ms": "-1", "retention.bytes": "-1"},
                )
            ]
        )
    finally:
        admin.close()
    return name


def run_quix(stack: Stack, topic: str, load: Load) -> QuixRun:
    """The Quix app on ``topic`` until it stops itself; killed in any case."""
    run_id = f"quix-{uuid.uuid4().hex[:6]}"
    out = stack.dir / f"{run_id}.json"
    log = stack.dir / f"{run_id}.log"
    command = [
        sys.executable,
        "-m",
        "bench.quix_app",
        "--bootstrap",
        stack.settings.kafka_bootstrap,
        "--topic",
        topic,
        "--expected",
        str(len(load.feedback)),
        "--out",
        str(out),
        "--state-dir",
        str(stack.dir / run_id),
        "--group",
        run_id,
    ]
    outcome = QuixRun()
    started = time.time()
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            process.wait(TIMEOUT_S)
        except subprocess.TimeoutExpired:
            outcome.notes.append(f"Quix did not finish in {TIMEOUT_S:.0f} s; see {log}")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(20)
    if not out.exists():
        tail = log.read_text(errors="replace")[-1500:]
        outcome.notes.append(f"Quix wrote no results (exit {process.returncode}): {tail}")
        return outcome
    data = json.loads(out.read_text())
    outcome.ready_s = None if data["ready"] is None else data["ready"] - started
    outcome.reflected_s = None if data["done"] is None else data["done"] - started
    outcome.closed, outcome.late = data["closed"], data["late"]
    return outcome


def reference(feedback: list[Feedback]) -> dict[tuple[str, int], dict[str, int]]:
    """(channel, hour start in epoch ms) -> the CSAT and NPS figures, straight from records."""
    hours: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for fb in feedback:
        at_ms = round(fb.submitted_at.timestamp() * 1000)
        figures = hours[(fb.channel.value, at_ms - at_ms % HOUR_MS)]
        if fb.survey.value == "csat":
            figures["csat_responses"] += 1
            figures["csat_satisfied"] += 1 if fb.score >= 4 else 0
            figures["csat_sum"] += fb.score
        elif fb.survey.value == "nps":
            figures["nps_responses"] += 1
            figures["nps_promoters"] += 1 if fb.score >= 9 else 0
            figures["nps_detractors"] += 1 if fb.score <= 6 else 0
    return hours


def check_quix(quix: QuixRun, feedback: list[Feedback]) -> str:
    """Quix's closed windows (plus what it dropped as late from them) against the reference."""
    want = reference(feedback)
    late = {(w["channel"], w["start"]): w["value"] for w in quix.late}
    dropped = sum(v["csat_responses"] + v["nps_responses"] for v in late.values())
    wrong = []
    for window in quix.closed:
        key = (window["channel"], window["start"])
        dropped_here = late.get(key, dict.fromkeys(FIGURES, 0))
        got = {name: window["value"][name] + dropped_here[name] for name in FIGURES}
        if got != want.get(key):
            wrong.append(f"{key}: {got} != {want.get(key)}")
    if not quix.closed:
        return "Quix closed no window, nothing to check."
    verdict = "all equal" if not wrong else f"{len(wrong)} differ, e.g. {wrong[0]}"
    return (
        f"Quix check: {len(quix.closed)} closed windows (of {len(want)} channel-hours) against a "
        f"pure-Python computation over the same records, with the {dropped:,} CSAT/NPS "
        f"answers Quix dropped as late added back: {verdict}."
    )


def run(quick: bool) -> Result:
    cases = 3_500 if quick else 23_000
    result = Result("peer", "Quix Streams vs Touchstream on the same feedback topic")
    if importlib.util.find_spec("quixstreams") is None:
        for name, unit in (("quix events/s", "events/s"), ("touchstream events/s", "events/s")):
            result.add(name, None, unit)
        result.add("ratio touchstream/quix", None, "x", ">= 1.0")
        result.notes.append("quixstreams is not installed: pip install -e '.[bench]'")
        return result
    with local_stack(clickhouse=False) as stack:
        topic = feedback_topic(stack.settings)
        settings = stack.settings.model_copy(update={"topic_feedback": topic})
        load = build_load(settings, cases, feedback_only=True)
        n = len(load.records)
        preload(settings, load)
        quix = run_quix(stack, topic, load)
        empty = f"bench-peer-{uuid.uuid4().hex[:6]}.touchpoints"
        ensure_topics(settings.model_copy(update={"topic_touchpoints": empty}))
        inputs = {"TOUCHSTREAM_TOPIC_FEEDBACK": topic, "TOUCHSTREAM_TOPIC_TOUCHPOINTS": empty}
        ts = run_worker(stack, PROFILE, load, inputs)
    quix_rate = rate(n, quix.ready_s, quix.reflected_s)
    ts_rate = rate(n, ts.ready_s, ts.reflected_s)
    result.params = {"cases": cases, "events": n, "touchstream_profile": PROFILE}
    result.add("quix events/s", quix_rate, "events/s")
    result.add("touchstream events/s", ts_rate, "events/s")
    result.add(
        "ratio touchstream/quix",
        None if quix_rate is None or ts_rate is None else ts_rate / quix_rate,
        "x",
        ">= 1.0",
    )
    result.add("quix time-to-ready", quix.ready_s, "s")
    result.add("touchstream time-to-ready", ts.ready_s, "s")
    quix_start = rate(n, 0.0, quix.reflected_s)
    ts_start = rate(n, 0.0, ts.reflected_s)
    result.notes += [
        *quix.notes,
        *ts.notes,
        f"{n:,} feedback records pre-loaded: {len(load.feedback):,} valid, {load.bad:,} bad "
        "(raw JSON, refused by the codec on both sides).",
        "events/s = records / (reflected - ready). From the process start: Quix "
        f"{_n(quix_start)}, Touchstream {_n(ts_start)} events/s (all reflected after "
        f"{_s(quix.reflected_s)} and {_s(ts.reflected_s)}).",
        f"Touchstream's input agents were done with every record {_s(ts.input_done_s)} after "
        f"its start ({_n(rate(n, ts.ready_s, ts.input_done_s))} events/s from ready; /metrics "
        f"scraped every {SCRAPE_EVERY_S} s). What follows until reflected is the windows "
        f"agent and its results, due at most every {EMIT_INTERVAL_S:g} s per window: a tail "
        "that a run of a few seconds feels and a longer one does not.",
        f"Touchstream runs its whole pipeline (profile {PROFILE}): validation, comment text "
        "analysis, facts, alerts, dedup state, contributions topic, every window spec, results "
        f"sent to Kafka every {EMIT_INTERVAL_S:g} s; the Quix app only decodes, regroups and "
        "reduces CSAT/NPS, its windows reflected in its state store (closed ones emitted "
        "in-process).",
        f"Late: Touchstream counted {ts.late_events:,.0f} events late (10 min lateness, per "
        "channel); consuming a backlog partition by partition runs event time ahead.",
        check_quix(quix, load.feedback),
    ]
    return result


def _s(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.1f} s"


def _n(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"
