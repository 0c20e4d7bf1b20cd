"""Per partition, the cases waiting for a first response ordered by deadline, in memory, so that
each touchpoint can find the deadlines its event time has passed without scanning a table.

The ``awaiting-response`` table stays the truth. The queue may hold entries the table no longer
has (answered cases, partitions moved to another worker): callers skip those. A partition's
queue is filled from the table on its first tick after the worker started or partitions moved
(``forget``), not on every tick: the scan reads every waiting case of the worker, and took 2.6%
of a worker's time when done every tick.
"""

from __future__ import annotations

import heapq
import zlib
from collections.abc import Iterable
from datetime import datetime

# deadline, CRC-32 of the case id, case id: breaches are found in this order (the CRC puts cases
# with one deadline in the same order every time).
Due = tuple[datetime, int, str]


def due(deadline: datetime, case_id: str) -> Due:
    return deadline, zlib.crc32(case_id.encode()), case_id


class DeadlineQueue:
    __slots__ = ("_filled", "_heaps")

    def __init__(self) -> None:
        self._heaps: dict[int, list[Due]] = {}
        self._filled: set[int] = set()  # partitions refilled since the last ``forget``

    def push(self, partition: int, deadline: datetime, case_id: str) -> None:
        heapq.heappush(self._heaps.setdefault(partition, []), due(deadline, case_id))

    def refill(self, partition: int, entries: Iterable[Due]) -> None:
        heap = list(entries)
        heapq.heapify(heap)
        self._heaps[partition] = heap
        self._filled.add(partition)

    def needs_refill(self, partition: int) -> bool:
        return partition not in self._filled

    def forget(self) -> None:
        """Partitions moved: every queue must be filled from the table again."""
        self._filled.clear()

    def pop_due(self, partition: int, now: datetime) -> list[Due]:
        """The entries whose deadline is before ``now``, earliest first. A response exactly at
        the deadline meets it, so a deadline equal to ``now`` is not due yet."""
        heap = self._heaps.get(partition)
        passed: list[Due] = []
        while heap and heap[0][0] < now:
            passed.append(heapq.heappop(heap))
        return passed


DEADLINES = DeadlineQueue()
