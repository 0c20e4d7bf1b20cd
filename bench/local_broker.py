"""A throwaway local broker for a benchmark: its own port and state directory."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from deploy.local import services
from tests.conftest import free_port
from touchstream.settings import Settings, load_settings


@contextmanager
def local_broker() -> Iterator[tuple[Settings, str]]:
    """Settings pointing at a fresh Tansu broker, and a scratch directory; both gone after."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        os.environ |= {
            "TOUCHSTREAM_STATE_DIR": tmp,
            "TOUCHSTREAM_LOCAL_BROKER_PORT": str(port),
            "TOUCHSTREAM_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}",
        }
        settings = load_settings()
        services.up(settings, frozenset({"broker"}))
        try:
            yield settings, tmp
        finally:
            services.down(settings)
