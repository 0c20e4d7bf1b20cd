"""`touchstream generate`: deterministic, realistic multi-channel journeys as JSON records.

Customers browse, open cases on a channel, queue, go through (and escape) the IVR, abandon
calls, switch channels, get answers (some late enough to breach their channel's first-response
standard), get resolved, sometimes reopen, and answer CSAT/NPS/CES surveys with comments in
English, Swahili, Hebrew, Tagalog and Persian, a few carrying emails or phone numbers. A share
of the records is bad input on purpose. The same seed gives the same records.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress

from schemas.records import Channel
from streams.metrics.sla import FIRST_RESPONSE_STANDARDS

Record = dict[str, Any] | str  # a str is a line that is not JSON at all (bad input)

CASE_CHANNELS = {
    Channel.PHONE: 22,
    Channel.CHAT: 20,
    Channel.EMAIL: 18,
    Channel.WEB: 10,
    Channel.APP: 10,
    Channel.SMS: 8,
    Channel.SOCIAL: 7,
    Channel.IN_PERSON: 5,
}
COMMENTS = {
    "en": [
        "Waited far too long on hold",
        "The agent was friendly and fixed it fast",
        "I was charged twice and still no refund",
        "The app crashes at login",
        "Great service, resolved on the first call",
        "Product arrived broken",
        "The courier left my parcel at the wrong address",
    ],
    "sw": [
        "Nilisubiri muda mrefu sana",
        "Mhudumu alikuwa mkarimu, tatizo limetatuliwa",
        "Bili yangu ina makosa, nataka kurejeshewa pesa",
        "Tovuti haifanyi kazi vizuri",
        "Mzigo wangu umechelewa kufika, dereva hakupiga simu",
    ],
    "he": [
        "חיכיתי שעה בתור",
        "הנציג היה אדיב והבעיה נפתרה",
        "חויבתי פעמיים ואין החזר",
        "האפליקציה קורסת בהתחברות",
        "השליח השאיר את החבילה בכתובת הלא נכונה",
    ],
    "tl": [
        "Matagal akong naghintay sa pila",
        "Mabait ang ahente at naayos agad",
        "Dalawang beses akong sinisingil ng bayad",
        "Sira ang produkto pagdating",
        "Hindi pa dumarating ang parcel ko, isang linggo na",
    ],
    "fa": [
        "خیلی منتظر ماندم",
        "کارمند مودب بود و مشکل حل شد",
        "دو بار پول پرداخت کردم",
        "کیفیت محصول خراب بود",
        "پیک بسته را دیر تحویل داد",
    ],
}
PERSONAL = [
    " Email me at {name}@example.com",
    " Call me on +1 555 {n:03d} {m:04d}",
    " nipigie 0712 {n:03d} {m:03d}",
]
BAD_KINDS = (
    "invalid_json",
    "missing_field",
    "out_of_range_score",
    "unknown_channel",
    "future_timestamp",
    "empty_id",
)


@dataclass
class Journey:
    """The records of one case, built in time order."""

    rng: random.Random
    case_id: str
    customer_id: str
    records: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0

    def touch(
        self,
        at: datetime,
        channel: Channel,
        actor: str,
        event_type: str,
        stage: str = "support",
        **attributes: str,
    ) -> None:
        self.events += 1
        self.records.append(
            {
                "type": "touchpoint",
                "event_id": f"{self.case_id}-e{self.events}",
                "occurred_at": at.isoformat(),
                "customer_id": self.customer_id,
                "case_id": self.case_id if event_type not in ("page_view", "purchase") else "",
                "channel": channel.value,
                "actor": actor,
                "event_type": event_type,
                "journey_stage": stage,
                "source": f"{channel.value}-system",
                "agent_id": f"agent-{self.rng.randint(1, 40)}" if actor == "agent" else None,
                "attributes": attributes,
            }
        )

    def survey(self, at: datetime, channel: Channel, survey: str, score: int) -> None:
        self.events += 1
        record: dict[str, Any] = {
            "type": "feedback",
            "feedback_id": f"{self.case_id}-f{self.events}",
            "submitted_at": at.isoformat(),
            "customer_id": self.customer_id,
            "case_id": self.case_id,
            "channel": channel.value,
            "survey": survey,
            "score": score,
        }
        if self.rng.random() < 0.6:
            language = self.rng.choice(sorted(COMMENTS))
            comment = self.rng.choice(COMMENTS[language])
            if self.rng.random() < 0.15:
                comment += self.rng.choice(PERSONAL).format(
                    name=self.customer_id,
                    n=self.rng.randint(100, 999),
                    m=self.rng.randint(1000, 9999),
                )
            record["comment"] = comment
            if self.rng.random() < 0.7:
                record["language"] = language
        self.records.append(record)


def _journey(rng: random.Random, index: int, opened: datetime) -> Journey:
    j = Journey(rng, f"case-{index:06d}", f"cust-{rng.randint(1, 10 * (index + 10)):06d}")
    channel = rng.choices(list(CASE_CHANNELS), weights=list(CASE_CHANNELS.values()))[0]
    if rng.random() < 0.3:
        j.touch(
            opened - timedelta(minutes=rng.randint(2, 30)),
            Channel.WEB,
            "customer",
            "page_view",
            "consideration",
            page="/help",
        )
    at = opened
    answered_channel = channel
    if channel is Channel.PHONE and rng.random() < 0.6:
        j.touch(at, Channel.IVR, "customer", "contact_opened", ivr_node="main")
        at += timedelta(seconds=rng.randint(20, 120))
        if rng.random() < 0.4:
            j.touch(at, Channel.IVR, "customer", "ivr_escape", ivr_node="agent")
        j.touch(at, Channel.PHONE, "system", "queue_entered", queue="voice")
        answered_channel = Channel.IVR
    else:
        j.touch(at, channel, "customer", "contact_opened")
        if channel in (Channel.CHAT, Channel.PHONE):
            j.touch(at, channel, "system", "queue_entered", queue=channel.value)
    if channel in (Channel.CHAT, Channel.APP, Channel.WEB) and rng.random() < 0.5:
        j.touch(at + timedelta(seconds=5), channel, "bot", "bot_response")
    if channel is Channel.PHONE and rng.random() < 0.15:
        at += timedelta(seconds=rng.randint(30, 600))
        j.touch(at, Channel.PHONE, "customer", "call_abandoned")
        at += timedelta(minutes=rng.randint(5, 90))
        j.touch(at, Channel.PHONE, "customer", "customer_message")
    switched = rng.random() < 0.25
    if switched:
        other = rng.choice([c for c in CASE_CHANNELS if c is not channel])
        at += timedelta(minutes=rng.randint(1, 120))
        j.touch(at, other, "customer", "customer_message")
    if rng.random() < 0.05:
        return j  # never answered: breaches, stays open
    standard = FIRST_RESPONSE_STANDARDS[answered_channel].total_seconds()
    late = rng.random() < 0.15
    frt = standard * (rng.uniform(1.05, 2.0) if late else rng.uniform(0.02, 0.9))
    responded = opened + timedelta(seconds=frt)
    j.touch(max(responded, at), channel, "agent", "agent_response")
    if rng.random() < 0.2:
        j.touch(max(responded, at) + timedelta(minutes=2), channel, "agent", "transfer")
    if rng.random() < 0.15:
        return j
    resolved = max(responded, at) + timedelta(minutes=rng.randint(1, 240))
    j.touch(resolved, channel, "agent", "case_resolved")
    if rng.random() < 0.08:
        j.touch(
            resolved + timedelta(hours=rng.randint(1, 10)), channel, "customer", "case_reopened"
        )
    penalty = (1 if switched else 0) + (1 if late else 0)
    answered = resolved + timedelta(minutes=rng.randint(2, 60))
    for survey, low, high in (("csat", 1, 5), ("nps", 0, 10), ("ces", 1, 7)):
        if rng.random() < 0.7:
            score = round(rng.triangular(low, high, high - penalty * (high - low) / 2))
            j.survey(answered, channel, survey, score)
            answered += timedelta(seconds=30)
    return j


def _spoil(rng: random.Random, record: dict[str, Any], end: datetime) -> Record:
    kind = rng.choice(BAD_KINDS)
    bad = dict(record)
    time_field = "occurred_at" if bad["type"] == "touchpoint" else "submitted_at"
    id_field = "event_id" if bad["type"] == "touchpoint" else "feedback_id"
    if kind == "invalid_json":
        return json.dumps(bad)[:-7]
    if kind == "missing_field":
        del bad["customer_id"]
    elif kind == "out_of_range_score" and bad["type"] == "feedback":
        bad["score"] = 11 if bad["survey"] == "nps" else 0
    elif kind == "unknown_channel":
        bad["channel"] = "fax"
    elif kind == "future_timestamp":
        # A century on: in the future for the wall clock that validates it, too, however long
        # ago the traffic's end is (the tests' fixed day), and the same for the same seed.
        bad[time_field] = (end + timedelta(days=36_525)).isoformat()
    else:
        bad[id_field] = ""
    return bad


def generate(
    seed: int,
    cases: int,
    end: datetime | None = None,
    bad_share: float = 0.02,
    span: timedelta = timedelta(hours=12),
) -> Iterator[Record]:
    """The records of ``cases`` journeys opened over ``span`` before ``end`` (default: now,
    rounded down to the minute), in time order; late parts of a journey may run past ``end``
    and are dropped, as they have not happened yet."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC).replace(second=0, microsecond=0)
    start = end - span
    records: list[dict[str, Any]] = []
    for index in range(cases):
        opened = start + timedelta(seconds=rng.uniform(0, span.total_seconds() * 0.8))
        records += _journey(rng, index, opened).records
    records = [r for r in records if _time_of(r) <= end]
    records.sort(key=_time_of)
    for record in records:
        yield _spoil(rng, record, end) if rng.random() < bad_share else record


def _time_of(record: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(record.get("occurred_at") or record["submitted_at"])


def generate_command(
    seed: int = typer.Option(1, help="same seed, same records"),
    cases: int = typer.Option(1000, help="number of case journeys"),
    bad_share: float = typer.Option(0.02, help="share of records spoilt on purpose"),
    span_hours: float = typer.Option(12.0, help="cases open over this many hours before --end"),
    end: datetime | None = typer.Option(None, help="UTC end of the traffic; default: now"),
    to_kafka: bool = typer.Option(False, help="produce to Kafka instead of printing JSON lines"),
    rate: float = typer.Option(200.0, help="with --to-kafka: records per second"),
    duration: float | None = typer.Option(None, help="with --to-kafka: stop after this many s"),
) -> None:
    """Generated journeys as JSON lines on stdout (for `touchstream produce --file -`), or
    straight to Kafka at a target rate with a progress bar."""
    span = timedelta(hours=span_hours)
    end = end.replace(tzinfo=UTC) if end is not None and end.tzinfo is None else end
    lines = (
        r if isinstance(r, str) else json.dumps(r)
        for r in generate(seed, cases, end, bad_share, span)
    )
    if not to_kafka:
        for line in lines:
            sys.stdout.write(line + "\n")
        return
    from touchstream.producer import produce_lines
    from touchstream.settings import load_settings
    from touchstream.topics import ensure_topics

    settings = load_settings()
    ensure_topics(settings)
    summary = produce_lines(_paced(list(lines), rate, duration), settings, "generate", report=False)
    Console(stderr=True).print(
        f"produced {dict(summary.produced)}, dead-lettered {dict(summary.dead_lettered)}"
    )


def _paced(lines: list[str], rate: float, duration: float | None) -> Iterator[str]:
    """Yields the lines no faster than ``rate`` a second, for at most ``duration`` seconds."""
    started = time.monotonic()
    with Progress(console=Console(stderr=True)) as progress:
        task = progress.add_task("sending", total=len(lines))
        for sent, line in enumerate(lines):
            elapsed = time.monotonic() - started
            if duration is not None and elapsed >= duration:
                return
            ahead = sent / rate - elapsed
            if ahead > 0:
                time.sleep(ahead)
            progress.advance(task)
            yield line
