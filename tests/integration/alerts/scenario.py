"""Traffic with known planted alert conditions, and its clean control twin.

Event time starts at ``t0`` (two days back, so validation takes it) and runs:
- touchpoints for 4 hours: a web page view every 3 s (so a deadline passes at most 3 s before
  the next event shows it), chat, email and SMS cases answered within their standards, and
- feedback for 27 hours: 24 social CSAT answers an hour at 87.5 % satisfied, app answers.

Planted (``planted=True``), under the compressed standards of ``STANDARDS``:
- SLA breaches: 3 chat cases never answered, 1 chat case answered after its deadline, 1 email
  case never answered, 15 SMS cases answered after 60 s, an email case resolved without an
  answer before its deadline (only an agent_response meets a deadline), and a chat case
  answered in time whose answer's record comes after the deadline (raised at the deadline, as
  nothing said otherwise then; its case facts then say it was answered in time);
- response_time_degraded on SMS: those 15 slow answers fill 30 minutes from 2 h;
- satisfaction_drop on social: hour 25 is 50 % satisfied, then it recovers;
- detractors: three app answers (NPS 2, CSAT 2, NPS 6 with an email address in the comment);
- a last in-person case opened as the final event: it breaches once the traffic has stopped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

STANDARDS = {"chat": 60, "email": 120, "sms": 30, "in_person": 5}
OPS_SPAN = timedelta(hours=4)
HEARTBEAT = timedelta(seconds=3)


def start_time(now: datetime) -> datetime:
    return (now - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)


@dataclass
class Scenario:
    t0: datetime
    touchpoints: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    breaches: dict[str, datetime] = field(default_factory=dict)  # case id -> deadline
    detractors: list[str] = field(default_factory=list)  # feedback ids
    arrivals: dict[str, str] = field(default_factory=dict)  # event id -> when its record comes
    answered_late: dict[str, datetime] = field(default_factory=dict)  # case id -> answer time

    def lines(self) -> list[str]:
        """Touchpoints and feedback each in event-time order (one partition each: see test),
        but a touchpoint with an arrival time comes where that time puts it."""

        def arrival(r: dict[str, Any]) -> tuple[str, str]:
            return self.arrivals.get(r["event_id"], r["occurred_at"]), r["event_id"]

        touchpoints = sorted(self.touchpoints, key=arrival)
        feedback = sorted(self.feedback, key=lambda r: r["submitted_at"])
        return [json.dumps(r) for r in touchpoints + feedback]

    def touch(self, case: str, channel: str, at: timedelta, event: str, actor: str) -> None:
        n = len(self.touchpoints)
        self.touchpoints.append(
            {
                "type": "touchpoint",
                "event_id": f"{case or 'view'}-{n}",
                "occurred_at": (self.t0 + at).isoformat(),
                "customer_id": f"cust-{case or 'web'}",
                "case_id": case,
                "channel": channel,
                "actor": actor,
                "event_type": event,
                "journey_stage": "support" if case else "consideration",
                "source": "test",
            }
        )

    def case(
        self, case: str, channel: str, opened: timedelta, answered_after_s: float | None
    ) -> None:
        self.touch(case, channel, opened, "contact_opened", "customer")
        if answered_after_s is not None:
            at = opened + timedelta(seconds=answered_after_s)
            self.touch(case, channel, at, "agent_response", "agent")
        if answered_after_s is None or answered_after_s > STANDARDS[channel]:
            self.breaches[case] = self.t0 + opened + timedelta(seconds=STANDARDS[channel])

    def answered_in_time_known_late(self, case: str, channel: str, opened: timedelta) -> None:
        """A case answered halfway to its deadline, its answer's record coming a standard
        after the deadline."""
        standard = timedelta(seconds=STANDARDS[channel])
        self.touch(case, channel, opened, "contact_opened", "customer")
        self.touch(case, channel, opened + standard / 2, "agent_response", "agent")
        answer = self.touchpoints[-1]
        self.arrivals[answer["event_id"]] = (self.t0 + opened + 2 * standard).isoformat()
        self.breaches[case] = self.t0 + opened + standard
        self.answered_late[case] = self.t0 + opened + standard / 2

    def answer(
        self, fid: str, channel: str, at: timedelta, survey: str, score: int, **extra: str
    ) -> None:
        self.feedback.append(
            {
                "type": "feedback",
                "feedback_id": fid,
                "submitted_at": (self.t0 + at).isoformat(),
                "customer_id": f"cust-{fid}",
                "channel": channel,
                "survey": survey,
                "score": score,
                **extra,
            }
        )


def build(t0: datetime, planted: bool) -> Scenario:
    s = Scenario(t0)
    beat = timedelta(0)
    while beat <= OPS_SPAN:
        s.touch("", "web", beat, "page_view", "customer")
        beat += HEARTBEAT
    # Chat answers all through the span, so that no hour's p90 rests on the one late answer.
    for n in range(58):
        s.case(f"chat-{n}", "chat", timedelta(minutes=5 + n * 4), 20)
    for n in range(3):
        s.case(f"chat-silent-{n}", "chat", timedelta(minutes=7 + n * 11), None if planted else 20)
    s.case("chat-late", "chat", timedelta(minutes=61), 100 if planted else 20)
    if planted:
        s.answered_in_time_known_late("chat-answer-known-late", "chat", timedelta(minutes=83))
    else:
        s.case("chat-answer-known-late", "chat", timedelta(minutes=83), 30)
    for n in range(4):
        s.case(f"email-{n}", "email", timedelta(minutes=10 + n * 20), 30)
    s.case("email-silent", "email", timedelta(minutes=50), None if planted else 30)
    closed = timedelta(minutes=70)
    s.touch("email-closed", "email", closed, "contact_opened", "customer")
    if planted:
        s.breaches["email-closed"] = s.t0 + closed + timedelta(seconds=STANDARDS["email"])
    else:
        s.touch("email-closed", "email", closed + timedelta(seconds=30), "agent_response", "agent")
    s.touch("email-closed", "email", closed + timedelta(minutes=1), "case_resolved", "agent")
    for n in range(120):
        slow = planted and 60 <= n < 75
        s.case(f"sms-{n}", "sms", timedelta(seconds=60 + 120 * n), 60 if slow else 10)
    s.touch("sms-last", "sms", OPS_SPAN + timedelta(minutes=1), "customer_message", "customer")
    for n in range(24 * 27):
        hour, slot = divmod(n, 24)
        bad_hour = planted and hour == 25
        satisfied = slot % 2 == 0 if bad_hour else slot % 8 != 0
        s.answer(
            f"social-{n}", "social", timedelta(seconds=150 * n + 75), "csat", 4 if satisfied else 3
        )
    for n in range(3):
        s.answer(f"app-ok-{n}", "app", timedelta(hours=1, minutes=n), "csat", 5)
    if planted:
        detractors = [("nps", 2, ""), ("csat", 2, ""), ("nps", 6, "call me, ana@example.com")]
        for n, (survey, score, comment) in enumerate(detractors):
            s.answer(
                f"app-bad-{n}", "app", timedelta(hours=2, minutes=n), survey, score, comment=comment
            )
            s.detractors.append(f"app-bad-{n}")
        s.case("in-person-last", "in_person", OPS_SPAN + timedelta(minutes=2), None)
    return s
