"""Touchpoint facts from a real worker: the input record as it came, but for the email addresses
its attributes held."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from schemas import codec
from schemas.records import Touchpoint
from tests.integration.streams.test_worker_windows import isolated, worker
from tests.integration.topics import read_topic
from tests.integration.workers import Worker
from touchstream.producer import produce_lines
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
__all__ = ["isolated", "worker"]  # the fixtures, imported so this module can use them

AT = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def _page_view(event_id: str, attributes: dict[str, str]) -> str:
    return json.dumps(
        {
            "type": "touchpoint",
            "event_id": event_id,
            "occurred_at": AT.isoformat(),
            "customer_id": "ana@example.com",
            "case_id": "",
            "channel": "web",
            "actor": "customer",
            "event_type": "page_view",
            "journey_stage": "awareness",
            "source": "site",
            "attributes": attributes,
        }
    )


def _facts(settings: Settings, n: int, timeout_s: float = 60.0) -> list[bytes]:
    deadline = time.monotonic() + timeout_s
    facts: list[bytes] = []
    while time.monotonic() < deadline:
        facts = read_topic(settings, settings.topic_fact_touchpoints)
        if len(facts) >= n:
            return facts
        time.sleep(0.5)
    raise AssertionError(f"{len(facts)} touchpoint facts, waited for {n}")


def test_touchpoint_facts_carry_no_email_address_in_their_attributes(
    isolated: Settings, worker: Worker
) -> None:
    produce_lines(
        [
            _page_view("plain", {"page": "/orders/100234567", "queue": "billing"}),
            _page_view("reset", {"page": "/reset?email=ana%40example.com&step=2"}),
        ],
        isolated,
        "facts",
    )
    facts = {codec.decode_as(value, Touchpoint).event_id: value for value in _facts(isolated, 2)}
    inputs = {
        codec.decode_as(value, Touchpoint).event_id: value
        for value in read_topic(isolated, isolated.topic_touchpoints)
    }
    assert facts["plain"] == inputs["plain"]
    reset = codec.decode_as(facts["reset"], Touchpoint)
    assert reset.attributes == {"page": "/reset?email=<email>&step=2"}
    # Nothing else changed: an id is not free text, whatever it looks like.
    assert reset == replace(
        codec.decode_as(inputs["reset"], Touchpoint), attributes=reset.attributes
    )
    assert reset.customer_id == "ana@example.com"
