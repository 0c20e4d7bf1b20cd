"""clickhouse-connect with TOUCHSTREAM_CLICKHOUSE_SECURE/_CA_CERT/_VERIFY against a real TLS
server (a proxy in front of the local ClickHouse): it verifies the certificate against the CA
and queries; a certificate from another CA is refused unless verification is off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sinks.clickhouse import connect
from tests.integration.security.tls_proxy import tls_proxy
from tests.tls import make_certs
from touchstream.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture()
def https(stack: Settings, tmp_path: Path) -> Iterator[Settings]:
    certs = make_certs(tmp_path)
    with tls_proxy(stack.clickhouse_port, certs) as port:
        yield stack.model_copy(
            update={
                "clickhouse_port": port,
                "clickhouse_secure": True,
                "clickhouse_ca_cert": certs.ca,
            }
        )


def test_the_bi_user_queries_over_verified_tls(https: Settings) -> None:
    client = connect(https, "bi", database="default")
    assert client.query("SELECT 1 + 1").result_rows == [(2,)]
    client.close()


def test_a_server_the_ca_did_not_sign_is_refused(https: Settings, tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    other_ca = make_certs(tmp_path / "other")
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        connect(https.model_copy(update={"clickhouse_ca_cert": other_ca.ca}), "bi", "default")
    unverified = https.model_copy(update={"clickhouse_ca_cert": None, "clickhouse_verify": False})
    assert connect(unverified, "bi", "default").query("SELECT 1").result_rows == [(1,)]
