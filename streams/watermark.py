"""The worker's event-time clock: per input partition, the latest event time read from it.

The SLA checks go by it rather than by the wall clock, so replayed or delayed traffic gives the
same results as live traffic: a case on partition p breaches once partition p's events have
moved past its deadline. When a partition has been quiet for ``idle_s`` of wall time, its clock
moves on at wall-clock speed from its last event, so that a deadline still passes at night when
nothing else happens; until then a pause is taken for a slow producer, not for passing time.
After a restart, or a rebalance (which may have moved the partition), the clock starts again from
the first events read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from touchstream.settings import get_settings


class Watermarks:
    __slots__ = ("_read_at", "idle_s", "latest")

    def __init__(self, idle_s: float) -> None:
        self.idle_s = idle_s
        self.latest: dict[int, datetime] = {}
        self._read_at: dict[int, float] = {}  # partition -> wall clock (monotonic) of last read

    def observe(self, partition: int, at: datetime, wall: float) -> None:
        self._read_at[partition] = wall
        if partition not in self.latest or at > self.latest[partition]:
            self.latest[partition] = at

    def now(self, partition: int, wall: float) -> datetime | None:
        """Partition ``partition``'s event time at wall-clock time ``wall``; None before its first
        event."""
        latest = self.latest.get(partition)
        if latest is None:
            return None
        quiet_s = wall - self._read_at[partition]
        return latest if quiet_s < self.idle_s else latest + timedelta(seconds=quiet_s)

    def forget(self) -> None:
        self.latest.clear()
        self._read_at.clear()


WATERMARKS = Watermarks(get_settings().watermark_idle_s)
