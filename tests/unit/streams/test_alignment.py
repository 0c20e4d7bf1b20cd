from datetime import UTC, datetime, timedelta

from streams.alignment import Alignment, Plan

T = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
TP0, TP1, FB0 = ("cx.touchpoints", 0), ("cx.touchpoints", 1), ("cx.feedback", 0)
BEHIND = 10_000  # records waiting: well over the backlog


Partition = tuple[str, int]


def aligned(**latest_minutes: int) -> Alignment[Partition, str]:
    alignment: Alignment[Partition, str] = Alignment(timedelta(minutes=5), backlog=500)
    names = {"tp0": TP0, "tp1": TP1, "fb0": FB0}
    for name, minutes in latest_minutes.items():
        alignment.observe(names[name], T + timedelta(minutes=minutes))
    return alignment


def test_a_partition_far_ahead_of_the_slowest_behind_is_paused() -> None:
    alignment = aligned(tp0=0, tp1=3, fb0=6)
    plan = alignment.plan({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND}, 0.0)
    assert plan == Plan(frozenset({FB0}), frozenset())
    assert alignment.paused == {FB0}


def test_it_is_resumed_once_the_slowest_is_within_the_drift() -> None:
    alignment = aligned(tp0=0, tp1=3, fb0=6)
    alignment.plan({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND}, 0.0)
    alignment.observe(TP0, T + timedelta(seconds=59))
    plan = alignment.plan({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND}, 0.0)
    assert plan == Plan(frozenset(), frozenset())
    alignment.observe(TP0, T + timedelta(minutes=1))  # 6 - 1 = 5 minutes: within the drift
    assert alignment.plan({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND}, 0.0) == Plan(
        frozenset(), frozenset({FB0})
    )
    assert alignment.paused == set()


def test_a_partition_keeping_up_holds_nothing_back() -> None:
    """Partition 0 is live, with events an hour old."""
    alignment = aligned(tp0=-60, tp1=0, fb0=3)
    assert alignment.plan({TP0: 3, TP1: BEHIND, FB0: BEHIND}, 0.0) == Plan(frozenset(), frozenset())


def test_a_partition_keeping_up_ahead_of_one_behind_is_paused() -> None:
    """The feedback is read as fast as it comes while the touchpoints have a backlog."""
    alignment = aligned(tp0=0, fb0=30)
    assert alignment.plan({TP0: BEHIND, FB0: 0}, 0.0) == Plan(frozenset({FB0}), frozenset())


def test_everything_paused_is_resumed_once_nothing_is_behind() -> None:
    alignment = aligned(tp0=0, fb0=60)
    alignment.plan({TP0: BEHIND, FB0: BEHIND}, 0.0)
    assert alignment.paused == {FB0}
    # partition 0 caught up: it has nothing waiting, so its time no longer holds fb0 back
    assert alignment.plan({TP0: 0, FB0: BEHIND}, 0.0) == Plan(frozenset(), frozenset({FB0}))


def test_a_partition_not_read_yet_holds_nothing_back() -> None:
    alignment = aligned(fb0=60)
    assert alignment.plan({TP0: BEHIND, FB0: BEHIND}, 0.0) == Plan(frozenset(), frozenset())


def test_a_revoked_partition_leaves_the_paused_set_and_is_forgotten() -> None:
    alignment = aligned(tp0=0, fb0=60)
    alignment.plan({TP0: BEHIND, FB0: BEHIND}, 0.0)
    assert alignment.plan({TP0: BEHIND}, 0.0) == Plan(frozenset(), frozenset())
    assert (alignment.paused, set(alignment.latest)) == (set(), {TP0})


def test_unknown_records_waiting_count_as_keeping_up() -> None:
    alignment = aligned(tp0=0, fb0=60)
    assert alignment.plan({TP0: None, FB0: BEHIND}, 0.0) == Plan(frozenset(), frozenset())


# Holding back at delivery: what was fetched before a pause still comes.


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def everything(tp: Partition) -> bool:
    return True


def test_an_event_far_ahead_of_the_earliest_frontier_behind_is_held_with_what_follows_it() -> None:
    alignment = aligned(tp0=0, fb0=0)
    alignment.track({TP0: BEHIND, FB0: BEHIND}, 0.0)
    assert alignment.admit(FB0, at(4), "fb-4")
    assert alignment.admit(FB0, at(5), "fb-5")  # tp0's 0 + the 5 minutes' drift
    assert not alignment.admit(FB0, at(30), "fb-30")
    # within the drift, but after a held event of its partition: order is kept
    assert not alignment.admit(FB0, at(3), "fb-3")
    assert alignment.latest[FB0] == at(30)  # read, for pausing its fetching
    assert alignment.release(everything) == []


def test_held_events_are_released_in_order_once_the_others_catch_up() -> None:
    alignment = aligned(tp0=0, fb0=0)
    alignment.track({TP0: BEHIND, FB0: BEHIND}, 0.0)
    for minutes in (30, 31, 50):
        alignment.admit(FB0, at(minutes), f"fb-{minutes}")
    assert alignment.admit(TP0, at(20), "tp-20")  # fb0's frontier is its first held event
    assert alignment.release(everything) == []
    assert alignment.admit(TP0, at(26), "tp-26")
    assert alignment.release(everything) == ["fb-30", "fb-31"]
    assert alignment.held[FB0][0][0] == at(50)


def test_the_partition_with_the_earliest_frontier_never_waits() -> None:
    """Each holds an event more than the drift past the other's: the one whose frontier is
    earliest goes (none waiting for the other for good)."""
    alignment = aligned(tp0=0, fb0=0)
    alignment.track({TP0: BEHIND, FB0: BEHIND, TP1: 0}, 0.0)
    assert not alignment.admit(TP0, at(20), "tp-20")
    assert not alignment.admit(FB0, at(40), "fb-40")
    assert alignment.release(everything) == ["tp-20"]
    assert list(alignment.held) == [FB0]
    alignment.observe(TP0, at(35))
    assert alignment.release(everything) == ["fb-40"]


def test_release_takes_only_the_partitions_asked_for() -> None:
    alignment = aligned(tp0=0, tp1=0, fb0=0)
    alignment.track({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND}, 0.0)
    alignment.admit(FB0, at(10), "fb-10")
    alignment.admit(TP1, at(10), "tp1-10")
    alignment.observe(TP0, at(20))
    assert alignment.release(lambda tp: tp[0] == "cx.feedback") == ["fb-10"]
    assert list(alignment.held) == [TP1]


def test_nothing_is_held_once_nothing_is_behind() -> None:
    alignment = aligned(tp0=0, fb0=0)
    alignment.track({TP0: BEHIND, FB0: BEHIND}, 0.0)
    alignment.admit(FB0, at(60), "fb-60")
    alignment.track({TP0: 3, FB0: 3}, 0.0)
    assert alignment.admit(TP0, at(-60), "tp-old")
    assert alignment.release(everything) == ["fb-60"]
    assert alignment.admit(FB0, at(600), "fb-600")


def test_a_partition_not_read_yet_holds_nothing() -> None:
    alignment = aligned(fb0=0)
    alignment.track({TP0: BEHIND, FB0: BEHIND}, 0.0)
    assert alignment.admit(FB0, at(600), "fb-600")


def starting(hold_s: float) -> Alignment[Partition, str]:
    """A cold worker's alignment: two partitions behind, neither read yet."""
    alignment: Alignment[Partition, str] = Alignment(timedelta(minutes=5), 500, hold_s)
    alignment.track({TP0: BEHIND, FB0: BEHIND}, 100.0)
    return alignment


def test_a_partition_behind_not_read_yet_holds_the_others_until_it_is_read() -> None:
    """The feedback agent's first batch came before any touchpoint was read: its answers,
    hours ahead, wait for the touchpoints instead of running the channels' clocks ahead."""
    alignment = starting(hold_s=10)
    assert not alignment.admit(FB0, at(0), "fb-0")
    assert not alignment.admit(FB0, at(90), "fb-90")
    alignment.track({TP0: BEHIND, FB0: BEHIND}, 105.0)
    assert alignment.release(everything) == []
    assert alignment.admit(TP0, at(-30), "tp--30")  # its own first event goes
    assert alignment.release(everything) == []  # then alignment as usual: 5 minutes' drift
    assert alignment.admit(TP0, at(-5), "tp--5")
    assert alignment.release(everything) == ["fb-0"]
    assert alignment.admit(TP0, at(85), "tp-85")
    assert alignment.release(everything) == ["fb-90"]


def test_once_every_partition_behind_is_read_the_earliest_frontier_goes() -> None:
    """A held event's time is its partition's frontier: it no longer holds the others."""
    alignment = starting(hold_s=10)
    assert not alignment.admit(FB0, at(60), "fb-60")
    assert alignment.admit(TP0, at(0), "tp-0")
    assert alignment.release(everything) == []
    assert list(alignment.held) == [FB0]


def test_a_partition_not_read_yet_holds_the_others_for_hold_s_at_most() -> None:
    """Its records may be gone (a committed offset behind the log's start): the others go on."""
    alignment = starting(hold_s=10)
    assert not alignment.admit(FB0, at(60), "fb-60")
    alignment.track({TP0: BEHIND, FB0: BEHIND}, 110.0)
    assert alignment.release(everything) == ["fb-60"]
    assert alignment.admit(FB0, at(120), "fb-120")


def test_a_partition_with_little_waiting_holds_nothing_while_not_read() -> None:
    alignment: Alignment[Partition, str] = Alignment(timedelta(minutes=5), 500, 10)
    alignment.track({TP0: 3, FB0: BEHIND}, 0.0)
    assert alignment.admit(FB0, at(600), "fb-600")


def test_a_partition_assigned_again_holds_the_others_again() -> None:
    """After a rebalance it is read again from its last commit, by whichever worker has it."""
    alignment = starting(hold_s=10)
    alignment.admit(TP0, at(0), "tp-0")
    alignment.admit(FB0, at(1), "fb-1")
    alignment.track({FB0: BEHIND}, 200.0)  # tp0 revoked
    alignment.track({TP0: BEHIND, FB0: BEHIND}, 300.0)  # and back
    assert not alignment.admit(FB0, at(2), "fb-2")


def test_what_a_revoked_partition_held_is_forgotten() -> None:
    alignment = aligned(tp0=0, fb0=0)
    alignment.track({TP0: BEHIND, FB0: BEHIND}, 0.0)
    alignment.admit(FB0, at(60), "fb-60")
    alignment.track({TP0: BEHIND}, 0.0)
    assert (alignment.held, alignment.release(everything)) == ({}, [])


def test_release_all_gives_every_held_event_of_the_partitions_asked_for() -> None:
    """A rebalance waits for them."""
    alignment = aligned(tp0=0, tp1=0, fb0=0)
    alignment.track({TP0: BEHIND, TP1: BEHIND, FB0: BEHIND}, 0.0)
    for minutes in (60, 61):
        alignment.admit(FB0, at(minutes), f"fb-{minutes}")
    alignment.admit(TP1, at(60), "tp1-60")
    assert alignment.release_all(lambda tp: tp[0] == "cx.feedback") == ["fb-60", "fb-61"]
    assert list(alignment.held) == [TP1]
