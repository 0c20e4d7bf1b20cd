from datetime import UTC, datetime, timedelta

import pytest

from schemas.records import Channel
from streams.metrics.sla import FIRST_RESPONSE_STANDARDS, deadline, standards_with

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


def test_standards_from_settings_override_some_channels() -> None:
    standards = standards_with({"chat": 60, "email": 3600.5})
    assert standards[Channel.CHAT] == timedelta(seconds=60)
    assert standards[Channel.EMAIL] == timedelta(seconds=3600.5)
    assert standards[Channel.PHONE] == FIRST_RESPONSE_STANDARDS[Channel.PHONE]


@pytest.mark.parametrize(
    ("overrides", "message"), [({"fax": 60}, "fax"), ({"chat": 0}, "positive")]
)
def test_bad_standards_are_refused_at_startup(overrides: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        standards_with(overrides)
