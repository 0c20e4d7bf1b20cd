from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.jsonl import parse_line
from schemas.records import Feedback, Touchpoint
from schemas.validation import Rejection
from streams.metrics.sla import FIRST_RESPONSE_STANDARDS
from touchstream.generator import generate

END = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def records(seed: int = 1, cases: int = 500, bad_share: float = 0.02) -> list[dict[str, Any] | str]:
    return list(generate(seed, cases, END, bad_share))


def test_same_seed_same_records_other_seed_others() -> None:
    assert records(1) == records(1)
    assert records(1) != records(2)


def test_journeys_obey_the_spec() -> None:
    """On clean traffic: spoiling a contact_opened on purpose would break its journey."""
    clean = records(bad_share=0.0)
    parsed = [parse_line(r if isinstance(r, str) else json.dumps(r), END) for r in clean]
    assert all(isinstance(r, Touchpoint | Feedback) for r in parsed)
    touchpoints = [r for r in parsed if isinstance(r, Touchpoint)]
    feedback = [r for r in parsed if isinstance(r, Feedback)]
    by_case: dict[str, list[Touchpoint]] = defaultdict(list)
    for tp in touchpoints:
        if tp.case_id:
            by_case[tp.case_id].append(tp)
    breached_channels = set()
    for events in by_case.values():
        kinds = [e.event_type.value for e in events]
        if "agent_response" in kinds:
            assert "contact_opened" in kinds[: kinds.index("agent_response")]
            opened = events[kinds.index("contact_opened")]
            answer = events[kinds.index("agent_response")]
            if answer.occurred_at - opened.occurred_at > FIRST_RESPONSE_STANDARDS[opened.channel]:
                breached_channels.add(opened.channel)
        if "case_resolved" in kinds:
            assert kinds.index("contact_opened") < kinds.index("case_resolved")
        if "case_reopened" in kinds:
            assert kinds.index("case_resolved") < kinds.index("case_reopened")
    assert len(breached_channels) >= 4
    assert (
        sum(
            len({e.channel for e in ev if e.actor.value == "customer"}) > 1
            for ev in by_case.values()
        )
        > 20
    )
    assert {"ivr_escape", "call_abandoned", "bot_response", "page_view", "case_reopened"} <= {
        tp.event_type.value for tp in touchpoints
    }
    assert {fb.survey.value for fb in feedback} == {"csat", "nps", "ces"}
    comments = [fb.comment for fb in feedback if fb.comment]
    assert sum("@example.com" in c or "+1 555" in c or "0712" in c for c in comments) > 3
    assert {fb.language for fb in feedback} >= {"en", "sw", "he", "tl", "fa"}


def test_bad_share_and_reasons() -> None:
    parsed = [parse_line(r if isinstance(r, str) else json.dumps(r), END) for r in records()]
    reasons = Counter(str(r.reason) for r in parsed if isinstance(r, Rejection))
    assert 0.01 < sum(reasons.values()) / len(parsed) < 0.03
    assert {
        "invalid_json",
        "missing_field",
        "unknown_channel",
        "future_timestamp",
        "empty_id",
    } <= set(reasons)


def test_bad_records_stay_bad_as_the_days_pass() -> None:
    """Traffic made for a fixed day (as the tests' is) is validated against the wall clock: its
    rejections must not change weeks later, or the valid records would no longer be the
    reference's (a "future" timestamp two days on turned valid three days later)."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records()]
    on_the_day = [isinstance(parse_line(line, END), Rejection) for line in lines]
    later = END + timedelta(days=60)
    assert on_the_day == [isinstance(parse_line(line, later), Rejection) for line in lines]
