"""Is every agent still consuming? A known Faust failure is an agent that stops reading while
the worker stays up: its partitions keep records waiting and their offsets stop moving. Pure:
the worker's health agent feeds it positions and high-water marks."""

from __future__ import annotations

from dataclasses import dataclass, field

Partition = tuple[str, int]  # topic, partition


@dataclass(slots=True)
class Progress:
    """Per input partition, the next offset to process and when the last record was taken."""

    next_offset: dict[Partition, int] = field(default_factory=dict)
    moved_at: dict[Partition, float] = field(default_factory=dict)

    def advance(self, tp: Partition, offset: int, wall: float) -> None:
        self.next_offset[tp] = offset + 1
        self.moved_at[tp] = wall

    def lag(self, tp: Partition, highwater: int | None, start: int | None = None) -> int | None:
        """Records waiting on ``tp``; None without a high-water, or before its first record
        unless the offset reading starts from is given."""
        next_offset = self.next_offset.get(tp, start)
        if highwater is None or next_offset is None:
            return None
        return max(0, highwater - next_offset)

    def stalled(
        self, highwaters: dict[Partition, int | None], wall: float, stall_s: float, started: float
    ) -> list[Partition]:
        """Partitions with records waiting and no progress for ``stall_s``: since the last record
        taken, or since ``started`` for a partition never read from."""
        out = []
        for tp, highwater in highwaters.items():
            if highwater is None or highwater <= self.next_offset.get(tp, 0):
                continue
            if wall - self.moved_at.get(tp, started) >= stall_s:
                out.append(tp)
        return sorted(out)


PROGRESS = Progress()
