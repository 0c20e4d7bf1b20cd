"""Kafka TLS/SASL and ClickHouse TLS settings -> each client's own options: kafka-python's,
aiokafka's (the collector), Faust's and clickhouse-connect's."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from pydantic import SecretStr

from streams.faust_config import faust_settings
from tests.tls import Certs, make_certs
from touchstream.collector.kafka_out import aiokafka_producer_options
from touchstream.kafka_options import consumer_options, producer_options
from touchstream.security import (
    clickhouse_tls,
    faust_security,
    kafka_client_security,
    kafka_ssl_context,
)
from touchstream.settings import Settings


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


def sasl_ssl(certs: Certs, **changes: Any) -> Settings:
    return Settings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="touchstream",
        kafka_sasl_password=SecretStr("s3cret"),
        kafka_ssl_cafile=certs.ca,
        **changes,
    )


def test_plaintext_is_the_default_and_adds_nothing_but_the_protocol() -> None:
    settings = Settings()
    assert kafka_client_security(settings) == {"security_protocol": "PLAINTEXT"}
    assert kafka_ssl_context(settings) is None
    assert faust_security(settings) == {}
    assert "broker_credentials" not in faust_settings(settings)
    assert clickhouse_tls(settings) == {"secure": False}


def test_ssl_verifies_the_broker_against_the_ca_and_presents_a_client_certificate(
    certs: Certs,
) -> None:
    settings = Settings(
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=certs.ca,
        kafka_ssl_certfile=certs.client_cert,
        kafka_ssl_keyfile=certs.client_key,
    )
    options = kafka_client_security(settings)
    assert set(options) == {"security_protocol", "ssl_context"}
    context: ssl.SSLContext = options["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [
        ((("commonName", "touchstream test CA"),),)
    ]
    auth = credentials_to_aiokafka_auth(faust_security(settings)["broker_credentials"])
    assert auth["security_protocol"] == "SSL"
    assert auth["ssl_context"].get_ca_certs() == context.get_ca_certs()


def test_a_missing_ca_file_fails_at_start_not_at_first_use(tmp_path: Path) -> None:
    settings = Settings(kafka_security_protocol="SSL", kafka_ssl_cafile=tmp_path / "none.pem")
    with pytest.raises(FileNotFoundError):
        kafka_client_security(settings)


def test_sasl_ssl_carries_mechanism_and_credentials_to_every_kafka_client(certs: Certs) -> None:
    settings = sasl_ssl(certs)
    want = {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "touchstream",
        "sasl_plain_password": "s3cret",
    }
    for options in (
        kafka_client_security(settings),
        producer_options(settings),
        consumer_options(settings),
        aiokafka_producer_options(settings),
        # Faust hands aiokafka what its credentials turn into.
        credentials_to_aiokafka_auth(faust_settings(settings)["broker_credentials"]),
    ):
        assert {k: options[k] for k in want} == want
        assert isinstance(options["ssl_context"], ssl.SSLContext)


def test_sasl_plaintext_has_no_tls() -> None:
    settings = Settings(
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_username="u",
        kafka_sasl_password=SecretStr("p"),
    )
    assert "ssl_context" not in kafka_client_security(settings)
    auth = credentials_to_aiokafka_auth(faust_security(settings)["broker_credentials"])
    assert auth["security_protocol"] == "SASL_PLAINTEXT" and auth["ssl_context"] is None
    assert (auth["sasl_mechanism"], auth["sasl_plain_password"]) == ("PLAIN", "p")


def test_the_collector_is_idempotent_only_in_production() -> None:
    local = aiokafka_producer_options(Settings())
    production = aiokafka_producer_options(Settings(kafka_profile="production"))
    assert local["acks"] == production["acks"] == "all"
    assert "enable_idempotence" not in local and local["max_batch_size"] == 1
    assert production["enable_idempotence"] is True


def test_clickhouse_https_checks_the_server_against_the_ca(certs: Certs) -> None:
    settings = Settings(clickhouse_secure=True, clickhouse_ca_cert=certs.ca)
    assert clickhouse_tls(settings) == {"secure": True, "verify": True, "ca_cert": str(certs.ca)}
    unverified = Settings(clickhouse_secure=True, clickhouse_verify=False)
    assert clickhouse_tls(unverified) == {"secure": True, "verify": False}
