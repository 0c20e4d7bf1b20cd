"""The collector's HTTP surface with a sender that records what it is given (the real broker is
in tests/integration/collector/): status codes, per-item results, limits, CORS, probes, metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from schemas import codec
from schemas.records import DeadLetter, Touchpoint
from touchstream.collector.app import create_app
from touchstream.collector.kafka_out import Outgoing, SendFailed
from touchstream.settings import Settings

KEY = "web-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}
ORIGIN = "https://shop.example"


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.fail = False
        self.up = True

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def send_all(self, messages: Sequence[Outgoing]) -> None:
        if self.fail:
            raise SendFailed("broker down")
        self.sent += messages

    async def ready(self) -> bool:
        return self.up


@pytest.fixture()
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture()
def client(sender: RecordingSender) -> Iterator[TestClient]:
    settings = Settings(
        collector_api_keys=SecretStr(f"web-shop={KEY},ivr=ivr-key-0123456789abcdef"),
        collector_cors_origins=(ORIGIN,),
        collector_max_body_bytes=4096,
        collector_max_batch_items=5,
    )
    with TestClient(create_app(settings, sender)) as client:
        yield client


def page_view(event_id: str, **changes: Any) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(minutes=1)
    return {
        "event_id": event_id,
        "occurred_at": at.isoformat(),
        "customer_id": "c1",
        "channel": "web",
        "actor": "customer",
        "event_type": "page_view",
        "journey_stage": "awareness",
        **changes,
    }


def test_a_mixed_batch_is_202_with_results_and_both_kinds_of_message(
    client: TestClient, sender: RecordingSender
) -> None:
    response = client.post(
        "/v1/touchpoints", json=[page_view("e1"), page_view("e2", channel="fax")], headers=AUTH
    )
    assert response.status_code == 202
    assert response.json()["results"][0] == {"index": 0, "status": 202, "id": "e1"}
    assert response.json()["results"][1]["reason"] == "unknown_channel"
    record, letter = sender.sent
    assert codec.decode_as(record.value, Touchpoint).source == "web-shop"
    assert codec.decode_as(letter.value, DeadLetter).source_offset == 1


def test_all_bad_is_422_and_dead_lettered(client: TestClient, sender: RecordingSender) -> None:
    response = client.post("/v1/touchpoints", json=page_view("e1", actor="alien"), headers=AUTH)
    assert response.status_code == 422
    assert response.json()["results"][0]["reason"] == "unknown_value"
    assert [m.topic for m in sender.sent] == ["cx.deadletter"]


def test_a_body_that_is_not_json_is_400_and_dead_lettered_whole(
    client: TestClient, sender: RecordingSender
) -> None:
    response = client.post("/v1/feedback", content=b'{"score": ', headers=AUTH)
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"
    (letter,) = [codec.decode_as(m.value, DeadLetter) for m in sender.sent]
    assert (letter.original, letter.source_offset) == (b'{"score": ', -1)
    request_id = response.json()["request_id"]
    assert letter.source_topic == f"collector:web-shop:feedback:{request_id}"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key-0123456789"}])
def test_no_known_key_is_401_and_nothing_is_sent(
    client: TestClient, sender: RecordingSender, headers: dict[str, str]
) -> None:
    response = client.post("/v1/touchpoints", json=page_view("e1"), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert sender.sent == []


def test_limits_are_413(client: TestClient, sender: RecordingSender) -> None:
    big = client.post("/v1/touchpoints", content=b"[" + b" " * 5000 + b"]", headers=AUTH)
    assert (big.status_code, big.json()["error"]) == (413, "body_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for _ in range(5):
            yield b" " * 1000

    chunked = client.post("/v1/touchpoints", content=chunks(), headers=AUTH)
    assert chunked.status_code == 413
    many = client.post("/v1/touchpoints", json=[page_view(f"e{i}") for i in range(6)], headers=AUTH)
    assert (many.status_code, many.json()["error"]) == (413, "too_many_items")
    assert sender.sent == []


def test_broker_not_acknowledging_is_503(client: TestClient, sender: RecordingSender) -> None:
    sender.fail = True
    response = client.post("/v1/touchpoints", json=page_view("e1"), headers=AUTH)
    assert response.status_code == 503 and response.json()["error"] == "unavailable"


def test_cors_lets_the_configured_origin_post_with_a_key(client: TestClient) -> None:
    preflight = client.options(
        "/v1/touchpoints",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    posted = client.post(
        "/v1/touchpoints", json=page_view("e1"), headers={**AUTH, "Origin": ORIGIN}
    )
    assert posted.headers["access-control-allow-origin"] == ORIGIN
    other = client.options(
        "/v1/touchpoints",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert other.status_code == 400


def test_probes(client: TestClient, sender: RecordingSender) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    sender.up = False
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_metrics_count_requests_and_items(client: TestClient) -> None:
    client.post(
        "/v1/touchpoints", json=[page_view("e1"), page_view("e2", channel="fax")], headers=AUTH
    )
    client.post("/v1/touchpoints", json=page_view("e3"))
    client.get("/no/such/page")
    text = client.get("/metrics").text
    for line in (
        'touchstream_collector_requests_total{route="/v1/touchpoints",status="202"} 1.0',
        'touchstream_collector_requests_total{route="/v1/touchpoints",status="401"} 1.0',
        'touchstream_collector_requests_total{route="other",status="404"} 1.0',
        'touchstream_collector_items_accepted_total{kind="touchpoint"} 1.0',
        "touchstream_collector_items_rejected_total"
        '{kind="touchpoint",reason="unknown_channel"} 1.0',
        "touchstream_collector_produce_seconds_count 1.0",
    ):
        assert line in text


def test_the_app_refuses_to_exist_without_keys(sender: RecordingSender) -> None:
    with pytest.raises(ValueError, match="no API keys"):
        create_app(Settings(collector_api_keys=SecretStr("")), sender)


def test_results_are_json_the_sdk_can_read(client: TestClient) -> None:
    response = client.post("/v1/touchpoints", json=page_view("e1"), headers=AUTH)
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.content)["accepted"] == 1
