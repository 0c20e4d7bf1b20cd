"""API keys: parsing the setting, finding the key in a request, and which source it is."""

from __future__ import annotations

import pytest

from touchstream.collector.auth import parse_api_keys, presented_key, source_of

WEB_KEY = "web-key-0123456789abcdef"
IVR_KEY = "ivr-key-0123456789abcdef"


def test_each_key_names_its_source() -> None:
    keys = parse_api_keys(f" web-shop={WEB_KEY}, ivr={IVR_KEY} ,")
    assert source_of(WEB_KEY, keys) == "web-shop"
    assert source_of(IVR_KEY, keys) == "ivr"
    assert source_of(WEB_KEY[:-1], keys) is None
    assert source_of("", keys) is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no API keys"),
        (WEB_KEY, "entry 1: expected source=key"),
        (f"=,web={WEB_KEY}", "entry 1"),
        ("web=short", "shorter than 16"),
        (f"web={WEB_KEY},web={IVR_KEY}", "given twice"),
        (f"web={WEB_KEY},ivr={WEB_KEY}", "given twice"),
        (f"we b={WEB_KEY}", "entry 1"),
    ],
)
def test_bad_settings_are_refused_without_showing_the_key(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        parse_api_keys(spec)
    assert WEB_KEY not in str(raised.value) and IVR_KEY not in str(raised.value)


def test_the_key_comes_from_bearer_or_x_api_key() -> None:
    assert presented_key({"authorization": f"Bearer {WEB_KEY}"}) == WEB_KEY
    assert presented_key({"authorization": f"bearer  {WEB_KEY} "}) == WEB_KEY
    assert presented_key({"x-api-key": WEB_KEY}) == WEB_KEY
    assert presented_key({"authorization": f"Basic {WEB_KEY}"}) is None
    assert presented_key({"authorization": "Bearer "}) is None
    assert presented_key({}) is None
