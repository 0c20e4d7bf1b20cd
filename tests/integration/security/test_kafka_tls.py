"""Every Kafka client over mutual TLS to a real broker: a Tansu broker behind a TLS proxy that
wants a client certificate, advertising the proxy's address. The admin client (topics),
kafka-python's producer (`touchstream produce`) and consumer, aiokafka's producer (the
collector) and a Faust worker connect with nothing but the TOUCHSTREAM_KAFKA_SECURITY_PROTOCOL
and _SSL_* settings; a client without its certificate is refused."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka.errors import KafkaConnectionError
from kafka import KafkaConsumer
from pydantic import SecretStr
from starlette.testclient import TestClient

from deploy.local.services import tansu_binary, tcp_open
from schemas import codec
from schemas.records import Feedback, Touchpoint
from streams.facts import CaseFact
from tests.conftest import free_port
from tests.integration.security.tls_proxy import tls_proxy
from tests.integration.topics import own_topics
from tests.integration.workers import Worker
from tests.tls import make_certs
from touchstream.collector.app import create_app
from touchstream.collector.kafka_out import KafkaSender
from touchstream.kafka_options import consumer_options
from touchstream.producer import produce_lines
from touchstream.settings import Settings
from touchstream.topics import ensure_topics

pytestmark = pytest.mark.integration
KEY = "tls-key-0123456789abcdef"


@pytest.fixture()
def tls_broker(stack: Settings, tmp_path: Path) -> Iterator[Settings]:
    certs = make_certs(tmp_path)
    plain, tls = free_port(), free_port()
    log = (tmp_path / "tansu.log").open("wb")
    broker = subprocess.Popen(
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{plain}",
            # Clients learn the broker's address from metadata: it must be the TLS one.
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{tls}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(broker, plain, tmp_path / "tansu.log")
        with tls_proxy(plain, certs, require_client_cert=True, port=tls):
            yield stack.model_copy(
                update={
                    "kafka_bootstrap": f"127.0.0.1:{tls}",
                    "kafka_security_protocol": "SSL",
                    "kafka_ssl_cafile": certs.ca,
                    "kafka_ssl_certfile": certs.client_cert,
                    "kafka_ssl_keyfile": certs.client_key,
                    "collector_api_keys": SecretStr(f"tls-test={KEY}"),
                }
            )
    finally:
        broker.terminate()
        broker.wait(20)
        log.close()


def wait_listening(broker: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until the broker takes connections: the proxy closes every client it cannot forward, and
    a client that only ever meets a closed proxy gives up bootstrapping (the likely cause of a
    CI failure: "Unable to bootstrap" after one "socket disconnected" per try)."""
    deadline = time.monotonic() + 30
    while not tcp_open("127.0.0.1", port):
        assert broker.poll() is None, f"Tansu exited: {log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, f"Tansu not listening: {log.read_text()[-2000:]}"
        time.sleep(0.1)


def consume(settings: Settings, topic: str, expected: int) -> list[bytes]:
    consumer = KafkaConsumer(topic, auto_offset_reset="earliest", **consumer_options(settings))
    values: list[bytes] = []
    for _ in range(60):
        if len(values) >= expected:
            break
        for records in consumer.poll(timeout_ms=500).values():
            values += [r.value for r in records]
    consumer.close()
    return values


def test_admin_producers_and_consumer_over_mutual_tls(tls_broker: Settings) -> None:
    ensure_topics(tls_broker)
    at = datetime.now(UTC) - timedelta(minutes=1)
    touchpoint = {
        "type": "touchpoint",
        "event_id": "tls-1",
        "occurred_at": at.isoformat(),
        "customer_id": "c1",
        "channel": "web",
        "actor": "customer",
        "event_type": "page_view",
        "journey_stage": "awareness",
        "source": "cli",
    }
    summary = produce_lines([json.dumps(touchpoint)], tls_broker, "tls", report=False)
    assert summary.produced == {tls_broker.topic_touchpoints: 1}

    feedback = {
        "feedback_id": "tls-f1",
        "submitted_at": at.isoformat(),
        "customer_id": "c1",
        "channel": "web",
        "survey": "ces",
        "score": 6,
    }
    with TestClient(create_app(tls_broker)) as http:
        assert http.get("/readyz").status_code == 200
        response = http.post("/v1/feedback", json=feedback, headers={"X-API-Key": KEY})
    assert response.status_code == 202

    (tp,) = consume(tls_broker, tls_broker.topic_touchpoints, 1)
    assert codec.decode_as(tp, Touchpoint).event_id == "tls-1"
    (fb,) = consume(tls_broker, tls_broker.topic_feedback, 1)
    assert codec.decode_as(fb, Feedback).feedback_id == "tls-f1"


def test_a_client_without_its_certificate_is_refused(tls_broker: Settings) -> None:
    anonymous = tls_broker.model_copy(
        update={"kafka_ssl_certfile": None, "kafka_ssl_keyfile": None}
    )

    async def start() -> None:
        sender = KafkaSender(anonymous)
        try:
            await sender.start()
        finally:
            await sender.stop()

    with pytest.raises(KafkaConnectionError):
        asyncio.run(start())


def test_a_faust_worker_over_mutual_tls(tls_broker: Settings, tmp_path: Path) -> None:
    """The worker (Faust's consumer, producer, changelogs and admin) with only the settings."""
    env = {
        **own_topics("tlsw"),
        "TOUCHSTREAM_APP_ID": "tls-worker",
        "TOUCHSTREAM_KAFKA_BOOTSTRAP": tls_broker.kafka_bootstrap,
        "TOUCHSTREAM_KAFKA_SECURITY_PROTOCOL": "SSL",
        "TOUCHSTREAM_KAFKA_SSL_CAFILE": str(tls_broker.kafka_ssl_cafile),
        "TOUCHSTREAM_KAFKA_SSL_CERTFILE": str(tls_broker.kafka_ssl_certfile),
        "TOUCHSTREAM_KAFKA_SSL_KEYFILE": str(tls_broker.kafka_ssl_keyfile),
        "TOUCHSTREAM_WORKER_WEB_PORT": str(free_port()),
        "TOUCHSTREAM_WORKER_DATA_DIR": str(tmp_path / "worker"),
    }
    settings = tls_broker.model_copy(
        update={k.removeprefix("TOUCHSTREAM_").lower(): v for k, v in own_topics("tlsw").items()}
    )
    worker = Worker(["-m", "touchstream.cli", "worker"], tmp_path / "worker.log", env)
    try:
        worker.wait_ready()
        at = datetime.now(UTC) - timedelta(minutes=1)
        opened = {
            "type": "touchpoint",
            "event_id": "tls-case-1",
            "occurred_at": at.isoformat(),
            "customer_id": "c1",
            "case_id": "case-1",
            "channel": "chat",
            "actor": "customer",
            "event_type": "contact_opened",
            "journey_stage": "support",
            "source": "cli",
        }
        produce_lines([json.dumps(opened)], settings, "tls", report=False)
        (fact,) = consume(settings, settings.topic_fact_cases, 1)
    finally:
        worker.stop()
    case = codec.decode_as(fact, CaseFact)
    assert (case.case_id, case.first_channel) == ("case-1", "chat")
