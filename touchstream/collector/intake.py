"""A posted body -> checked items -> the answer and the Kafka messages it causes. Pure: the
parsing and validation are the codec's own (``schemas.jsonl``), the topics and keys those of
`touchstream produce`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from schemas import codec
from schemas.deadletter import dead_letter_record
from schemas.jsonl import Record, record_from_json
from schemas.records import Touchpoint
from schemas.validation import Reason, Rejection
from touchstream.collector.kafka_out import Outgoing
from touchstream.producer import destination
from touchstream.settings import Settings

Kind = Literal["touchpoint", "feedback"]
ACCEPTED = 202
REJECTED = 422
SOURCE_HEADER = "touchstream-source"


@dataclass(frozen=True, slots=True)
class Post:
    """One request: what it posts, who posted it, its id (in the answer and its dead letters)."""

    kind: Kind
    source: str
    request_id: str
    received_at: datetime

    @property
    def headers(self) -> tuple[tuple[str, bytes], ...]:
        return ((SOURCE_HEADER, self.source.encode()),)


@dataclass(frozen=True, slots=True)
class Item:
    index: int
    original: bytes  # the item as posted (re-serialised): what its dead letter keeps
    outcome: Record | Rejection


@dataclass(frozen=True, slots=True)
class BodyProblem:
    """A body that holds no items to judge one by one."""

    status: int
    reason: str
    detail: str
    dead_letter: bool  # bad data from a known source is kept; a request to resize is not


def read_items(body: bytes, post: Post, max_items: int) -> list[Item] | BodyProblem:
    """One JSON object is one item; a JSON array is a batch of them."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return BodyProblem(400, Reason.INVALID_JSON, f"the body is not JSON: {exc}", True)
    entries = data if isinstance(data, list) else [data]
    if not entries:
        return BodyProblem(400, "empty_batch", "the batch holds no items", False)
    if len(entries) > max_items:
        detail = f"{len(entries)} items; at most {max_items} in one request"
        return BodyProblem(413, "too_many_items", detail, False)
    return [_item(index, entry, post) for index, entry in enumerate(entries)]


def _item(index: int, entry: Any, post: Post) -> Item:
    kind = post.kind
    original = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    if not isinstance(entry, dict):
        return Item(index, original, Rejection(Reason.INVALID_JSON, "an item is a JSON object"))
    declared = entry.get("type", kind)
    if declared != kind:
        detail = f"a {declared!r} item posted to the {kind} endpoint"
        return Item(index, original, Rejection(Reason.SCHEMA_MISMATCH, detail))
    fields = {**entry, "type": kind}
    if kind == "touchpoint":
        # The key decides which system this is, whatever the item claims.
        fields["source"] = post.source
    return Item(index, original, record_from_json(fields, post.received_at))


def answer(items: list[Item], post: Post) -> tuple[int, dict[str, Any]]:
    """202 when any item was accepted, 422 when none was; each item's own result either way."""
    results: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item.outcome, Rejection):
            results.append(
                {
                    "index": item.index,
                    "status": REJECTED,
                    "reason": str(item.outcome.reason),
                    "detail": item.outcome.detail,
                }
            )
        else:
            results.append({"index": item.index, "status": ACCEPTED, "id": record_id(item.outcome)})
    accepted = sum(r["status"] == ACCEPTED for r in results)
    body = {
        "request_id": post.request_id,
        "accepted": accepted,
        "rejected": len(results) - accepted,
        "results": results,
    }
    return (ACCEPTED if accepted else REJECTED), body


def record_id(record: Record) -> str:
    return record.event_id if isinstance(record, Touchpoint) else record.feedback_id


def messages(items: list[Item], post: Post, settings: Settings) -> list[Outgoing]:
    out: list[Outgoing] = []
    for item in items:
        if isinstance(item.outcome, Rejection):
            out.append(dead_letter(item.original, item.index, item.outcome, post, settings))
        else:
            topic, key = destination(item.outcome, settings)
            out.append(Outgoing(topic, key, codec.encode(item.outcome), post.headers))
    return out


def dead_letter(
    original: bytes, index: int, rejection: Rejection, post: Post, settings: Settings
) -> Outgoing:
    """``index`` is the item's place in its batch (-1: the whole body). The dead letter's
    ``source_topic`` names the source, the endpoint and the request, which also keeps the dead
    letters of two requests apart in ClickHouse (keyed by topic, partition and offset)."""
    letter = dead_letter_record(
        original,
        f"collector:{post.source}:{post.kind}:{post.request_id}",
        -1,
        index,
        rejection.reason,
        rejection.detail,
        post.received_at,
    )
    return Outgoing(
        settings.topic_deadletter, post.source.encode(), codec.encode(letter), post.headers
    )
