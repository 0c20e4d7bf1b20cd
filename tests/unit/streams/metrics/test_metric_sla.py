from datetime import UTC, datetime, timedelta

import pytest

from schemas.records import Channel
from streams.metrics.sla import FIRST_RESPONSE_STANDARDS, deadline

T0 = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("channel", "within"),
    [
        (Channel.PHONE, timedelta(hours=8)),
        (Channel.IVR, timedelta(hours=8)),
        (Channel.CHAT, timedelta(minutes=5)),
        (Channel.SMS, timedelta(hours=2)),
        (Channel.SOCIAL, timedelta(hours=4)),
        (Channel.EMAIL, timedelta(hours=24)),
        (Channel.WEB, timedelta(hours=24)),
        (Channel.APP, timedelta(hours=24)),
        (Channel.IN_PERSON, timedelta(minutes=15)),
    ],
)
def test_standard_per_channel(channel: Channel, within: timedelta) -> None:
    assert FIRST_RESPONSE_STANDARDS[channel] == within
    assert deadline(channel, T0) == T0 + within


def test_every_channel_has_a_standard() -> None:
    assert set(FIRST_RESPONSE_STANDARDS) == set(Channel)


def test_deadline_with_deployment_standards() -> None:
    standards = {Channel.CHAT: timedelta(minutes=2)}
    assert deadline(Channel.CHAT, T0, standards) == datetime(2024, 5, 6, 10, 2, tzinfo=UTC)
