from datetime import UTC, datetime, timedelta

from streams.alignment import Alignment, Plan

T = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
TP0, TP1, FB0 = ("cx.touchpoints", 0), ("cx.touchpoints", 1), ("cx.feedback", 0)
BEHIND = 10_000  # records waiting: well over the backlog


def aligned(**latest_minutes: int) -> Alignment[tuple[str, int]]:
    alignment: Alignment[tuple[str, int]] = Alignment(timedelta(minutes=5), backlog=500)
    names = {"tp0": TP0, "tp1": TP1, "fb0": FB0}
    for name, minutes in latest_minutes.items():
        alignment.observe(names[name], T + timedelta(minutes=minutes))
    return alignment


def test_a_partition_far_ahead_of_the_slowest_behind_is_paused() -> None:
    alignment = aligned(tp0=0, tp1=3, fb0=6)
    plan = alignment.plan({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND})
    assert plan == Plan(frozenset({FB0}), frozenset())
    assert alignment.paused == {FB0}


def test_it_is_resumed_once_the_slowest_is_within_the_drift() -> None:
    alignment = aligned(tp0=0, tp1=3, fb0=6)
    alignment.plan({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND})
    alignment.observe(TP0, T + timedelta(seconds=59))
    assert alignment.plan({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND}) == Plan(frozenset(), frozenset())
    alignment.observe(TP0, T + timedelta(minutes=1))  # 6 - 1 = 5 minutes: within the drift
    assert alignment.plan({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND}) == Plan(
        frozenset(), frozenset({FB0})
    )
    assert alignment.paused == set()


def test_a_partition_keeping_up_holds_nothing_back() -> None:
    """Partition 0 is live, with events an hour old."""
    alignment = aligned(tp0=-60, tp1=0, fb0=3)
    assert alignment.plan({TP0: 3, TP1: BEHIND, FB0: BEHIND}) == Plan(frozenset(), frozenset())


def test_a_partition_keeping_up_ahead_of_one_behind_is_paused() -> None:
    """The feedback is read as fast as it comes while the touchpoints have a backlog."""
    alignment = aligned(tp0=0, fb0=30)
    assert alignment.plan({TP0: BEHIND, FB0: 0}) == Plan(frozenset({FB0}), frozenset())


def test_everything_paused_is_resumed_once_nothing_is_behind() -> None:
    alignment = aligned(tp0=0, fb0=60)
    alignment.plan({TP0: BEHIND, FB0: BEHIND})
    assert alignment.paused == {FB0}
    # partition 0 caught up: it has nothing waiting, so its time no longer holds fb0 back
    assert alignment.plan({TP0: 0, FB0: BEHIND}) == Plan(frozenset(), frozenset({FB0}))


def test_a_partition_not_read_yet_holds_nothing_back() -> None:
    alignment = aligned(fb0=60)
    assert alignment.plan({TP0: BEHIND, FB0: BEHIND}) == Plan(frozenset(), frozenset())


def test_a_revoked_partition_leaves_the_paused_set_and_is_forgotten() -> None:
    alignment = aligned(tp0=0, fb0=60)
    alignment.plan({TP0: BEHIND, FB0: BEHIND})
    assert alignment.plan({TP0: BEHIND}) == Plan(frozenset(), frozenset())
    assert (alignment.paused, set(alignment.latest)) == (set(), {TP0})


def test_unknown_records_waiting_count_as_keeping_up() -> None:
    alignment = aligned(tp0=0, fb0=60)
    assert alignment.plan({TP0: None, FB0: BEHIND}) == Plan(frozenset(), frozenset())
