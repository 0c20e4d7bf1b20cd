"""Dead letters: the original bytes of a record that could not be processed, where it came from,
and why. Used by the produce tool and by the worker's agents alike."""

from __future__ import annotations

from datetime import datetime

from schemas.records import DeadLetter


def dead_letter_record(
    original: bytes | None,
    topic: str,
    partition: int,
    offset: int,
    reason: str,
    detail: str,
    now: datetime,
) -> DeadLetter:
    return DeadLetter(original or b"", topic, partition, offset, str(reason), detail, now)
