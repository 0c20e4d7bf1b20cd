"""The worker's event-time clock: the latest event time it has seen on its partitions.

Timers that act "when a time has passed" (SLA deadlines, closing idle channels' windows) go by
it rather than by the wall clock, so replayed or delayed traffic gives the same results as live
traffic. After a restart it starts again from the first event read.
"""

from __future__ import annotations

from datetime import datetime


class Watermark:
    __slots__ = ("latest",)

    def __init__(self) -> None:
        self.latest: datetime | None = None

    def observe(self, at: datetime) -> None:
        if self.latest is None or at > self.latest:
            self.latest = at


WATERMARK = Watermark()
