"""The worker's event-time clock: per input partition, the latest event time read from it.

The SLA timer goes by it rather than by the wall clock, so replayed or delayed traffic gives the
same results as live traffic: a case on partition p breaches once partition p's events have
moved past its deadline. After a restart it starts again from the first events read.
"""

from __future__ import annotations

from datetime import datetime


class Watermarks:
    __slots__ = ("latest",)

    def __init__(self) -> None:
        self.latest: dict[int, datetime] = {}

    def observe(self, partition: int, at: datetime) -> None:
        if partition not in self.latest or at > self.latest[partition]:
            self.latest[partition] = at


WATERMARKS = Watermarks()
