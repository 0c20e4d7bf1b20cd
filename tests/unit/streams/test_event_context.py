"""Table writes on behalf of one event of a batch see that event as Faust's current event."""

from __future__ import annotations

from faust import streams as faust_streams

from streams.event_context import ActingFor


class _Event:
    """Stands in for a Faust event: only its identity matters here."""


def test_acting_for_makes_the_event_current_and_restores_the_previous() -> None:
    first, second = _Event(), _Event()
    assert faust_streams.current_event() is None
    with ActingFor(first):  # type: ignore[arg-type]
        assert faust_streams.current_event() is first
        with ActingFor(second):  # type: ignore[arg-type]
            assert faust_streams.current_event() is second
        assert faust_streams.current_event() is first
    assert faust_streams.current_event() is None


def test_no_event_stays_current_after_a_write_that_raised() -> None:
    event = _Event()
    try:
        with ActingFor(event):  # type: ignore[arg-type]
            raise KeyError("a failed table write")
    except KeyError:
        pass
    assert faust_streams.current_event() is None
