"""TLS and SASL options of every client, from the settings. kafka-python, aiokafka, Faust and
clickhouse-connect each want them in their own words; this module is the only place that knows
those words, so a deployment sets the ``TOUCHSTREAM_KAFKA_SECURITY_*``/``_SASL_*``/``_SSL_*`` and
``TOUCHSTREAM_CLICKHOUSE_SECURE``/``_VERIFY``/``_CA_CERT`` keys once and every client follows.
"""

from __future__ import annotations

import ssl
from typing import Any

from touchstream.settings import Settings

_TLS_PROTOCOLS = frozenset({"SSL", "SASL_SSL"})
_SASL_PROTOCOLS = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})


def kafka_ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """One context for all three Kafka clients, so they check certificates alike: the CA bundle
    (or the system's CAs), the broker's host name, and a client certificate for mutual TLS."""
    if settings.kafka_security_protocol not in _TLS_PROTOCOLS:
        return None
    cafile = settings.kafka_ssl_cafile
    context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    if settings.kafka_ssl_certfile:
        keyfile = settings.kafka_ssl_keyfile
        context.load_cert_chain(str(settings.kafka_ssl_certfile), str(keyfile) if keyfile else None)
    return context


def _sasl(settings: Settings) -> dict[str, Any]:
    if settings.kafka_security_protocol not in _SASL_PROTOCOLS:
        return {}
    # Both libraries take SCRAM credentials in their "plain" username/password options.
    return {
        "sasl_mechanism": settings.kafka_sasl_mechanism,
        "sasl_plain_username": settings.kafka_sasl_username,
        "sasl_plain_password": settings.kafka_sasl_password.get_secret_value(),
    }


def kafka_client_security(settings: Settings) -> dict[str, Any]:
    """For kafka-python's producer, consumer and admin client and aiokafka's producer, which
    take the same option names."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    context = kafka_ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    return options | _sasl(settings)


def faust_security(settings: Settings) -> dict[str, Any]:
    """For ``faust.App``: ``broker_credentials``, which Faust turns into aiokafka's options."""
    import faust  # only the worker needs Faust; the other clients should not pay its import

    protocol = settings.kafka_security_protocol
    context = kafka_ssl_context(settings)
    if protocol == "PLAINTEXT":
        return {}
    if protocol == "SSL":
        return {"broker_credentials": faust.SSLCredentials(context)}
    return {
        "broker_credentials": faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.kafka_sasl_password.get_secret_value(),
            ssl_context=context,  # None: SASL_PLAINTEXT, a context: SASL_SSL
            mechanism=settings.kafka_sasl_mechanism,
        )
    }


def clickhouse_tls(settings: Settings) -> dict[str, Any]:
    """For ``clickhouse_connect.get_client``."""
    if not settings.clickhouse_secure:
        return {"secure": False}
    options: dict[str, Any] = {"secure": True, "verify": settings.clickhouse_verify}
    if settings.clickhouse_ca_cert:
        options["ca_cert"] = str(settings.clickhouse_ca_cert)
    return options
