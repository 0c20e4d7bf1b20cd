"""The sink's batch: rows per table plus the Kafka positions they came from, bounded by a row
count and by the age of its oldest row. Memory stays bounded because the sink polls at most
``room()`` records and stops polling while a full batch waits for ClickHouse."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

Row = tuple[Any, ...]
Partition = tuple[str, int]


class Batch:
    def __init__(
        self, max_rows: int, max_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self._clock = clock
        self.rows: dict[str, list[Row]] = {}
        # Per partition, the offset to commit once the rows are in: the last one added + 1.
        self.next_offsets: dict[Partition, int] = {}
        self._count = 0
        self._started: float | None = None

    def __len__(self) -> int:
        return self._count

    def add(self, table: str, row: Row, partition: Partition, offset: int) -> None:
        if self._count >= self.max_rows:
            raise OverflowError("the batch is full; flush it first")
        if self._started is None:
            self._started = self._clock()
        self.rows.setdefault(table, []).append(row)
        self.next_offsets[partition] = offset + 1
        self._count += 1

    def room(self) -> int:
        return self.max_rows - self._count

    def seconds_left(self) -> float:
        """Until the oldest row is ``max_seconds`` old; the full wait when the batch is empty."""
        if self._started is None:
            return self.max_seconds
        return max(0.0, self._started + self.max_seconds - self._clock())

    def due(self) -> bool:
        return self._count > 0 and (self._count >= self.max_rows or self.seconds_left() == 0.0)

    def clear(self) -> None:
        self.rows = {}
        self.next_offsets = {}
        self._count = 0
        self._started = None


def backoff_s(attempt: int, cap_s: float, first_s: float = 0.25) -> float:
    """Capped exponential backoff: first_s, 2 first_s, 4 first_s, ... up to cap_s."""
    return min(cap_s, first_s * 2.0 ** min(attempt, 32))
