"""A posted body -> items, answer and messages: the codec's checks, the source stamped, keys and
topics as `touchstream produce` sets them, dead letters with the item and its place."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from schemas import codec
from schemas.records import DeadLetter, Feedback, Touchpoint
from schemas.validation import Rejection
from touchstream.collector.intake import (
    BodyProblem,
    Item,
    Kind,
    Post,
    answer,
    messages,
    read_items,
)
from touchstream.settings import Settings

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SETTINGS = Settings()


def page_view(event_id: str = "e1", **changes: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "occurred_at": "2026-11-24T11:59:00Z",
        "customer_id": "c1",
        "case_id": "",
        "channel": "web",
        "actor": "customer",
        "event_type": "page_view",
        "journey_stage": "consideration",
        "attributes": {"page": "/pricing"},
        **changes,
    }


def csat(feedback_id: str = "f1", **changes: Any) -> dict[str, Any]:
    return {
        "feedback_id": feedback_id,
        "submitted_at": "2026-11-24T11:58:00Z",
        "customer_id": "c1",
        "case_id": "k1",
        "channel": "chat",
        "survey": "csat",
        "score": 5,
        **changes,
    }


def post(kind: Kind = "touchpoint") -> Post:
    return Post(kind, "web-shop", "r1", NOW)


def items_of(body: Any, kind: Kind = "touchpoint", max_items: int = 10) -> list[Item]:
    items = read_items(json.dumps(body).encode(), post(kind), max_items)
    assert isinstance(items, list)
    return items


def test_one_object_is_one_item_and_the_source_is_the_keys() -> None:
    (item,) = items_of(page_view(source="someone-else"))
    assert isinstance(item.outcome, Touchpoint)
    assert item.outcome.source == "web-shop" and item.outcome.attributes == {"page": "/pricing"}


def test_a_batch_is_judged_item_by_item_with_the_codecs_reasons() -> None:
    items = items_of(
        [
            page_view("e1"),
            page_view("e2", channel="fax"),
            page_view("e3", occurred_at="2026-11-24T13:00:00Z"),
            "not an object",
            {**csat(), "type": "feedback"},
            page_view("", event_type="contact_opened", case_id="k9"),
        ]
    )
    status, body = answer(items, post())
    assert status == 202
    assert (body["request_id"], body["accepted"], body["rejected"]) == ("r1", 1, 5)
    assert [(r["status"], r.get("reason")) for r in body["results"]] == [
        (202, None),
        (422, "unknown_channel"),
        (422, "future_timestamp"),
        (422, "invalid_json"),
        (422, "schema_mismatch"),
        (422, "empty_id"),
    ]
    assert body["results"][0] == {"index": 0, "status": 202, "id": "e1"}
    assert "fax" in body["results"][1]["detail"]


def test_none_accepted_is_422() -> None:
    status, body = answer(items_of([csat(score=9)], kind="feedback"), post("feedback"))
    assert status == 422
    assert body["results"] == [
        {
            "index": 0,
            "status": 422,
            "reason": "out_of_range_score",
            "detail": "csat score 9 is outside 1-5",
        }
    ]


def test_bodies_without_items() -> None:
    def problem(body: bytes, max_items: int = 2) -> BodyProblem:
        result = read_items(body, post("feedback"), max_items)
        assert isinstance(result, BodyProblem)
        return result

    assert (problem(b"{nope").status, problem(b"{nope").reason) == (400, "invalid_json")
    assert problem(b"{nope").dead_letter
    assert (problem(b"[]").status, problem(b"[]").dead_letter) == (400, False)
    too_many = problem(json.dumps([csat("a"), csat("b"), csat("c")]).encode())
    assert (too_many.status, too_many.reason, too_many.dead_letter) == (
        413,
        "too_many_items",
        False,
    )


def test_messages_are_keyed_by_case_and_bad_items_are_dead_letters() -> None:
    posted = [csat("f1"), csat("f2", case_id=None, customer_id="c7"), csat("f3", channel="fax")]
    items = items_of(posted, kind="feedback")
    good, caseless, dead = messages(items, post("feedback"), SETTINGS)

    assert (good.topic, good.key) == (SETTINGS.topic_feedback, b"k1")
    assert (caseless.topic, caseless.key) == (SETTINGS.topic_feedback, b"c7")
    assert codec.decode_as(good.value, Feedback) == items[0].outcome
    assert good.headers == (("touchstream-source", b"web-shop"),)

    assert (dead.topic, dead.key) == (SETTINGS.topic_deadletter, b"web-shop")
    letter = codec.decode_as(dead.value, DeadLetter)
    rejection = items[2].outcome
    assert isinstance(rejection, Rejection)
    assert letter == DeadLetter(
        original=json.dumps(posted[2], separators=(",", ":")).encode(),
        source_topic="collector:web-shop:feedback:r1",
        source_partition=-1,
        source_offset=2,
        reason="unknown_channel",
        detail=rejection.detail,
        dead_at=NOW,
    )
