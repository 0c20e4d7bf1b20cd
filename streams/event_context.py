"""Table writes on behalf of one event of a batch.

Faust sends a table write to the changelog partition of the event being processed, which it
knows only while a stream yields events one by one. An agent that takes events in batches
(``Stream.take_events``), or writes after the batch, must say which event each write belongs
to, or a write goes to the changelog of whatever partition the stream read last, and recovery
restores it to the wrong worker. ``faust.streams._current_event`` is where Faust looks; it has
no public setter.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from faust import streams as faust_streams
from faust.types import EventT


@contextmanager
def acting_for(event: EventT[Any]) -> Iterator[None]:
    token = faust_streams._current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        faust_streams._current_event.reset(token)
