"""Session fixtures: the real local broker and ClickHouse, started once per test session.

Set TOUCHSTREAM_KAFKA_BOOTSTRAP (and TOUCHSTREAM_KAFKA_PROFILE=production) to run the same suite
against a real Apache Kafka; set TOUCHSTREAM_CLICKHOUSE_HOST/_PORT and the user passwords to use a
real ClickHouse server. Otherwise the local stand-ins are started on free ports in a temp dir, so a
running demo is left alone.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.local import services
from touchstream.settings import Settings, load_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings that point at running services; exported to os.environ so that workers started
    as subprocesses by the tests see the same ones."""
    state_dir: Path = tmp_path_factory.mktemp("touchstream-state")
    wanted = set(services.SERVICE_NAMES)
    # The sinks the tests start serve no /metrics unless a test gives them a free port.
    env = {"TOUCHSTREAM_STATE_DIR": str(state_dir), "TOUCHSTREAM_SINK_METRICS_PORT": "0"}
    if "TOUCHSTREAM_KAFKA_BOOTSTRAP" in os.environ:
        wanted.discard("broker")
    else:
        port = free_port()
        env |= {
            "TOUCHSTREAM_LOCAL_BROKER_PORT": str(port),
            "TOUCHSTREAM_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}",
            "TOUCHSTREAM_KAFKA_PROFILE": "local",
        }
    if "TOUCHSTREAM_CLICKHOUSE_HOST" in os.environ:
        wanted.discard("clickhouse")
    else:
        port = free_port()
        env |= {
            "TOUCHSTREAM_LOCAL_CLICKHOUSE_PORT": str(port),
            "TOUCHSTREAM_CLICKHOUSE_PORT": str(port),
        }
    os.environ.update(env)
    services.ensure_local_secrets(state_dir)
    settings = load_settings()
    services.up(settings, frozenset(wanted))
    yield settings
    services.down(settings)


@pytest.fixture(scope="session")
def kafka_bootstrap(stack: Settings) -> str:
    return stack.kafka_bootstrap


@pytest.fixture(scope="session")
def broker_is_tansu(stack: Settings) -> bool:
    """The local profile is only ever meant for the Tansu stand-in."""
    return stack.kafka_profile == "local"
