"""A live worker whose touchpoints agent hangs on one record (the known Faust failure of an agent
that stops consuming while the process stays up): /healthz turns from 200 to 503 naming the
partition, and touchstream_agent_stalled shows it, once records have waited
TOUCHSTREAM_LIVENESS_STALL_S behind the stuck one."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests import recent
from tests.integration.observability.test_metrics import get, totals
from tests.integration.streams.test_worker_windows import isolated
from tests.integration.workers import Worker
from touchstream.producer import produce_lines
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
__all__ = ["isolated"]

STALL_S = 3


def touchpoint(event_id: str, minute: int, event_type: str) -> str:
    return json.dumps({
        "type": "touchpoint", "event_id": event_id,
        "occurred_at": recent.at(10, minute).isoformat(),
        "customer_id": "c-1", "case_id": "k-stalled", "channel": "web", "actor": "customer",
        "event_type": event_type, "journey_stage": "support", "source": "test",
    })


def test_a_hanging_agent_fails_healthz(
    isolated: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOUCHSTREAM_LIVENESS_STALL_S", str(STALL_S))
    base = f"http://127.0.0.1:{isolated.worker_web_port}"
    worker = Worker(["-m", "tests.integration.apps.stalling_worker"], tmp_path / "worker.log", {})
    try:
        worker.wait_ready()
        assert get(f"{base}/healthz") == (200, '{"ok":true}')  # nothing waits: healthy
        # One case, so one partition: the agent hangs on the first record, three wait behind it.
        lines = [touchpoint("stall-here", 0, "contact_opened")]
        lines += [touchpoint(f"e-{n}", n, "customer_message") for n in (1, 2, 3)]
        produce_lines(lines, isolated, "liveness", report=False)
        produced = time.monotonic()
        deadline = produced + STALL_S + 60
        while (answer := get(f"{base}/healthz"))[0] == 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        detected_after_s = time.monotonic() - produced
        status, body = answer
        assert status == 503, body
        (stalled,) = json.loads(body)["stalled"]
        assert stalled.startswith(f"{isolated.topic_touchpoints}[")
        assert totals(get(f"{base}/metrics")[1])["touchstream_agent_stalled"] == 1
        print(f"stalled agent detected {detected_after_s:.1f} s after its records were produced")
    finally:
        worker.kill()
