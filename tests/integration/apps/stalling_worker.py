"""`touchstream worker` with one planted fault: its touchpoints agent hangs for good on a record
whose bytes carry STALL_MARK, as a Faust agent that stops consuming does, while the rest of the
worker (web server, timers, the other agents) stays up. For the liveness test only.

Run: python -m tests.integration.apps.stalling_worker
"""

from __future__ import annotations

import asyncio

from faust.types import Message

from schemas.records import Touchpoint
from schemas.validation import Rejection
from streams.agents import touchpoints
from streams.outbox import Outbox
from touchstream.worker import worker_command

STALL_MARK = b"stall-here"
_process = touchpoints._process


async def _hanging(message: Message, tp: Touchpoint | Rejection, outbox: Outbox) -> None:
    if STALL_MARK in (message.value or b""):
        await asyncio.Event().wait()  # never set
    await _process(message, tp, outbox)


if __name__ == "__main__":
    touchpoints._process = _hanging  # the agent looks its step up by name, per record
    worker_command(loglevel="info")
