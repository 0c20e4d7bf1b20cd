"""First-response standards (SLA), by the channel a case was first opened on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

from schemas.records import Channel

FIRST_RESPONSE_STANDARDS: Mapping[Channel, timedelta] = MappingProxyType(
    {
        Channel.PHONE: timedelta(hours=8),  # same-day callback
        Channel.IVR: timedelta(hours=8),
        Channel.CHAT: timedelta(minutes=5),
        Channel.SMS: timedelta(hours=2),
        Channel.SOCIAL: timedelta(hours=4),
        Channel.EMAIL: timedelta(hours=24),
        Channel.WEB: timedelta(hours=24),
        Channel.APP: timedelta(hours=24),
        Channel.IN_PERSON: timedelta(minutes=15),
    }
)


def deadline(
    channel: Channel,
    opened_at: datetime,
    standards: Mapping[Channel, timedelta] = FIRST_RESPONSE_STANDARDS,
) -> datetime:
    """The latest time a first agent response still meets the standard of ``channel``."""
    return opened_at + standards[channel]


def standards_with(overrides: Mapping[str, float]) -> Mapping[Channel, timedelta]:
    """The default standards with some replaced, in seconds by channel name (from settings).
    An unknown channel name is a configuration error, raised at startup."""
    unknown = set(overrides) - {c.value for c in Channel}
    if unknown:
        raise ValueError(f"unknown channel(s) in SLA standards: {', '.join(sorted(unknown))}")
    if any(seconds <= 0 for seconds in overrides.values()):
        raise ValueError("SLA standards must be positive numbers of seconds")
    merged = dict(FIRST_RESPONSE_STANDARDS)
    merged |= {Channel(name): timedelta(seconds=s) for name, s in overrides.items()}
    return MappingProxyType(merged)
