import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from schemas.records import Actor, Channel, EventType, Feedback, JourneyStage, Survey, Touchpoint
from streams.metrics.case_state import CaseState, apply, summarize
from streams.metrics.contribution import Contribution, Kind, touchpoint_seen
from streams.metrics.feedback import enrich
from streams.metrics.jsonable import JsonDict
from streams.metrics.sketch import QuantileSketch
from streams.metrics.windows import (
    HOPPING_1H_5M,
    TUMBLING_1H,
    TUMBLING_1M,
    Watermarking,
    WindowAccumulator,
    WindowSpec,
    WindowStore,
    windows_for,
)

T = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
P0 = datetime(2030, 1, 1, tzinfo=UTC)  # processing time, unrelated to event time
FIGURES = (
    "csat_pct",
    "csat_avg",
    "csat_multi_pct",
    "csat_multi_avg",
    "csat_single_pct",
    "csat_single_avg",
    "nps",
    "ces_avg",
    "ces_easy_pct",
    "frt_avg_s",
    "frt_multi_avg_s",
    "frt_single_avg_s",
    "frt_p50_s",
    "frt_p90_s",
    "frt_p99_s",
    "ttr_p50_s",
    "ttr_p90_s",
    "ttr_p99_s",
    "fcr_pct",
    "abandon_pct",
    "ivr_escape_pct",
)


def hm(hour: int, minute: int, second: int = 0) -> datetime:
    return T.replace(hour=hour, minute=minute, second=second)


def c(kind: Kind, value: float = 1.0, multi: bool | None = None, at: datetime = T) -> Contribution:
    return Contribution(kind, Channel.CHAT, at, value=value, multi_channel=multi)


def acc_of(*contributions: Contribution) -> WindowAccumulator:
    acc = WindowAccumulator()
    for contribution in contributions:
        acc.add(contribution)
    return acc


def final(store: WindowStore) -> dict[tuple[str, Channel, datetime], WindowAccumulator]:
    """Closes every window and keys the finals by (spec, channel, start)."""
    return {
        (s.spec.name, s.channel, s.start): s.accumulator
        for s in store.closed(T + timedelta(days=1))
    }


# --- window membership ---------------------------------------------------------------------


def test_hopping_membership() -> None:
    starts = windows_for(HOPPING_1H_5M, hm(10, 7))
    assert starts == [hm(9, 10) + timedelta(minutes=5 * k) for k in range(12)]
    assert (starts[0], starts[-1]) == (hm(9, 10), hm(10, 5))


def test_hopping_membership_at_a_boundary() -> None:
    assert windows_for(HOPPING_1H_5M, hm(10, 5))[0] == hm(9, 10)  # [09:05, 10:05) excludes it
    before = hm(10, 5) - timedelta(microseconds=1)
    assert windows_for(HOPPING_1H_5M, before)[0] == hm(9, 5)


def test_tumbling_membership() -> None:
    assert windows_for(TUMBLING_1M, hm(10, 7, 30)) == [hm(10, 7)]
    assert windows_for(TUMBLING_1H, hm(10, 59, 59)) == [hm(10, 0)]


@pytest.mark.parametrize(
    ("size", "step"),
    [(timedelta(minutes=7), timedelta(minutes=5)), (timedelta(hours=1), timedelta(0))],
)
def test_spec_size_must_be_a_multiple_of_step(size: timedelta, step: timedelta) -> None:
    with pytest.raises(ValueError):
        WindowSpec("bad", size, step)


# --- one window's figures ------------------------------------------------------------------


def test_empty_window() -> None:
    result = WindowAccumulator().result()
    assert all(result[name] is None for name in FIGURES)
    assert all(value == 0 for name, value in result.items() if name not in FIGURES)
    assert result["frt_count"] == result["late_events"] == 0


def test_one_csat_response() -> None:
    result = acc_of(c(Kind.CSAT, 5)).result()
    assert (result["csat_responses"], result["csat_pct"], result["csat_avg"]) == (1, 100.0, 5.0)
    assert result["nps"] is None


def test_csat_pct_and_avg() -> None:
    result = acc_of(*(c(Kind.CSAT, s) for s in (5, 4, 3, 2, 1))).result()
    assert (result["csat_pct"], result["csat_avg"]) == (40.0, 3.0)


def test_nps_all_detractors() -> None:
    assert acc_of(*(c(Kind.NPS, s) for s in range(7))).result()["nps"] == -100.0


def test_nps_all_promoters() -> None:
    assert acc_of(c(Kind.NPS, 9), c(Kind.NPS, 10)).result()["nps"] == 100.0


def test_nps_mixed() -> None:
    scores = (9, 9, 10, 10, 10, 7, 8, 8, 0, 6)  # 5 promoters, 3 passives, 2 detractors
    result = acc_of(*(c(Kind.NPS, s) for s in scores)).result()
    assert (result["nps_promoters"], result["nps_detractors"], result["nps"]) == (5, 2, 30.0)


def test_ces_easy_and_avg() -> None:
    result = acc_of(*(c(Kind.CES, s) for s in (7, 5, 4, 1))).result()
    assert (result["ces_easy_pct"], result["ces_avg"]) == (50.0, 4.25)


def test_abandon_rate() -> None:
    acc = acc_of(c(Kind.CALL_ABANDONED), *(c(Kind.CALL_ANSWERED) for _ in range(3)))
    assert acc.result()["abandon_pct"] == 25.0


def test_ivr_escape_rate() -> None:
    acc = acc_of(*(c(Kind.IVR_ENTERED) for _ in range(4)), c(Kind.IVR_ESCAPE))
    assert acc.result()["ivr_escape_pct"] == 25.0


def test_fcr_rate_and_correction() -> None:
    acc = acc_of(*(c(Kind.RESOLVED, v) for v in (1, 1, 1, 0)))
    assert acc.result()["fcr_pct"] == 75.0
    acc.add(c(Kind.FCR_CORRECTION, -1))
    assert (acc.result()["fcr_pct"], acc.resolved) == (50.0, 4)


def test_sla_breach_and_its_correction() -> None:
    acc = acc_of(c(Kind.SLA_BREACH), c(Kind.SLA_BREACH))
    acc.add(c(Kind.SLA_BREACH_CORRECTION, -1))
    assert acc.sla_breaches == 1


def test_multi_channel_split() -> None:
    acc = acc_of(
        c(Kind.CSAT, 2, multi=True),
        c(Kind.CSAT, 3, multi=True),
        c(Kind.CSAT, 5, multi=False),
        c(Kind.CSAT, 4, multi=False),
        c(Kind.CSAT, 4, multi=False),
        c(Kind.CSAT, 1, multi=None),  # no case: overall only
        c(Kind.FRT, 600, multi=True),
        c(Kind.FRT, 1200, multi=True),
        c(Kind.FRT, 60, multi=False),
    )
    result = acc.result()
    assert (result["csat_multi_pct"], result["csat_multi_avg"]) == (0.0, 2.5)
    assert (result["csat_single_pct"], result["csat_single_avg"]) == (100.0, 13 / 3)
    assert (result["csat_pct"], result["csat_avg"]) == (50.0, 19 / 6)
    assert (result["frt_multi_avg_s"], result["frt_single_avg_s"]) == (900.0, 60.0)
    assert (result["frt_count"], result["frt_avg_s"]) == (3, 620.0)

    # The single-channel case used a second channel: its FRT moves over, the totals stay.
    acc.add(c(Kind.FRT_BECAME_MULTI, 60, multi=True))
    moved = acc.result()
    assert (moved["frt_multi_avg_s"], moved["frt_single_avg_s"]) == (620.0, None)
    assert {k: moved[k] for k in ("frt_count", "frt_avg_s", "frt_p50_s", "frt_p90_s")} == {
        k: result[k] for k in ("frt_count", "frt_avg_s", "frt_p50_s", "frt_p90_s")
    }

    # So does a CSAT answer of 5 counted single-channel.
    acc.add(c(Kind.CSAT_BECAME_MULTI, 5, multi=True))
    moved = acc.result()
    assert (moved["csat_multi_responses"], moved["csat_multi_pct"]) == (3, 100 / 3)
    assert (moved["csat_multi_avg"], moved["csat_single_avg"]) == (10 / 3, 4.0)
    assert (moved["csat_single_responses"], moved["csat_single_pct"]) == (2, 100.0)
    assert {k: moved[k] for k in ("csat_responses", "csat_pct", "csat_avg")} == {
        k: result[k] for k in ("csat_responses", "csat_pct", "csat_avg")
    }


def test_frt_and_ttr_percentiles_within_alpha() -> None:
    frts = [0.0, 30.0, 45.0, 60.0, 90.0, 120.0, 300.0, 600.0, 1200.0, 7200.0]
    acc = acc_of(*(c(Kind.FRT, v, multi=False) for v in frts), c(Kind.TTR, 3600.0))
    result = acc.result()
    # nearest rank of 10 values: p50 -> the 5th (90 s), p90 -> the 9th (1200 s), p99 -> the 10th
    for name, exact in (("frt_p50_s", 90.0), ("frt_p90_s", 1200.0), ("frt_p99_s", 7200.0)):
        assert result[name] == pytest.approx(exact, rel=0.01)
    assert result["ttr_count"] == 1
    assert result["ttr_p99_s"] == pytest.approx(3600.0, rel=0.01)


def test_merge_equals_adding_everything() -> None:
    part_a = [c(Kind.CSAT, 5, multi=True), c(Kind.FRT, 60, multi=False), c(Kind.RESOLVED, 1)]
    part_b = [c(Kind.NPS, 3), c(Kind.FRT, 0, multi=True), c(Kind.TTR, 99), c(Kind.TOUCHPOINT)]
    merged = acc_of(*part_a)
    merged.merge(acc_of(*part_b))
    assert merged.to_dict() == acc_of(*part_a, *part_b).to_dict()


def test_accumulator_round_trips_through_json() -> None:
    acc = acc_of(c(Kind.CSAT, 4, multi=True), c(Kind.FRT, 61.5, multi=False), c(Kind.CES, 6))
    restored = WindowAccumulator.from_dict(json.loads(json.dumps(acc.to_dict())))
    assert restored.to_dict() == acc.to_dict()
    assert restored.result() == acc.result()


def test_a_copy_has_the_same_figures_and_changes_apart() -> None:
    acc = acc_of(c(Kind.CSAT, 4, multi=True), c(Kind.FRT, 61.5, multi=False), c(Kind.TTR, 0))
    twin = acc.copy()
    assert twin.to_dict() == acc.to_dict() and twin.result() == acc.result()
    before = acc.to_dict()
    twin.add(c(Kind.FRT, 30.0, multi=True))
    twin.add(c(Kind.TTR, 0))
    twin.add(c(Kind.CSAT, 1))
    assert acc.to_dict() == before
    assert (twin.frt_sketch.count, twin.ttr_sketch.count, twin.csat_responses) == (2, 2, 2)


def test_an_accumulator_saves_only_its_non_zero_counts_and_non_empty_sketches() -> None:
    acc = acc_of(c(Kind.CSAT, 4), c(Kind.TTR, 90.0))
    saved = acc.to_dict()
    assert saved.keys() == {"csat_responses", "csat_satisfied", "csat_sum", "ttr_sketch"}
    assert (saved["csat_responses"], saved["csat_satisfied"], saved["csat_sum"]) == (1, 1, 4)


def test_an_accumulator_saved_with_every_field_is_read() -> None:
    """The form workers saved before they left the zeros out, still in a changelog."""
    acc = acc_of(c(Kind.CSAT, 4), c(Kind.TTR, 90.0))
    every_field = {name: 0 for name in WindowAccumulator.__slots__} | acc.to_dict()
    every_field |= {"frt_sketch": QuantileSketch().to_dict()}
    assert WindowAccumulator.from_dict(every_field).result() == acc.result()


# --- the store: closing, lateness, interim updates ------------------------------------------


def tp_at(at: datetime, channel: Channel = Channel.CHAT) -> Contribution:
    return Contribution(Kind.TOUCHPOINT, channel, at)


def correction(at: datetime, of: datetime) -> Contribution:
    return Contribution(Kind.FCR_CORRECTION, Channel.CHAT, at, -1.0, ref_at=of)


def test_window_closes_at_end_plus_allowed_lateness() -> None:
    store = WindowStore()
    store.add(tp_at(hm(10, 0, 30)))
    store.add(tp_at(hm(10, 0, 30), Channel.EMAIL))
    store.add(tp_at(hm(10, 10, 59)))
    assert store.closed() == []
    store.add(tp_at(hm(10, 11)))
    [shot] = store.closed()
    assert (shot.spec, shot.channel, shot.start, shot.end) == (
        TUMBLING_1M,
        Channel.CHAT,
        hm(10, 0),
        hm(10, 1),
    )
    assert shot.accumulator.touchpoints == 1
    assert store.closed() == []  # handed over once


def test_an_explicit_watermark_closes_idle_channels() -> None:
    store = WindowStore()
    store.add(tp_at(hm(10, 0, 30), Channel.EMAIL))
    shots = store.closed(hm(12, 0))
    assert len(shots) == 1 + 1 + 12
    assert [s.end for s in shots] == sorted(s.end for s in shots)
    assert store.to_dict()["windows"] == []


def test_late_event_is_counted_in_the_current_window_not_the_closed_one() -> None:
    store = WindowStore()
    store.add(tp_at(hm(10, 0, 30)))
    store.add(tp_at(hm(10, 11)))
    assert len(store.closed()) == 1
    store.add(tp_at(hm(10, 0, 40)))  # its 1-minute window closed; its hour still open
    windows = final(store)
    assert ("tumbling_1m", Channel.CHAT, hm(10, 0)) not in windows
    now_1m = windows[("tumbling_1m", Channel.CHAT, hm(10, 11))]
    assert (now_1m.touchpoints, now_1m.late_events) == (1, 1)
    hour = windows[("tumbling_1h", Channel.CHAT, hm(10, 0))]
    assert (hour.touchpoints, hour.late_events) == (3, 0)
    assert all(
        acc.late_events == 0 for (spec, _, _), acc in windows.items() if spec == "hopping_1h_5m"
    )


# --- batches ----------------------------------------------------------------------------------


def _figures(store: WindowStore) -> dict[tuple[str, Channel, datetime], JsonDict]:
    return {key: acc.to_dict() for key, acc in final(store).items()}


def test_a_batch_files_what_adding_one_by_one_files() -> None:
    mixed = [
        tp_at(hm(10, 0, 30)),
        c(Kind.CSAT, 4, multi=True, at=hm(10, 0, 45)),
        c(Kind.FRT, 30.0, multi=False, at=hm(10, 0, 50)),
        c(Kind.FRT, 0.0, at=hm(10, 0, 59)),
        c(Kind.TTR, 600.0, at=hm(10, 4)),
        c(Kind.NPS, 3, at=hm(10, 4, 1)),
        tp_at(hm(10, 4, 2), Channel.SMS),
        c(Kind.CES, 6, at=hm(10, 7)),
    ]
    one_by_one, batched = WindowStore(), WindowStore()
    for contribution in mixed:
        one_by_one.add(contribution, "cx.feedback:0")
    batched.add_batch([(contribution, "cx.feedback:0") for contribution in mixed])
    assert batched.clock.watermark(Channel.CHAT) == one_by_one.clock.watermark(Channel.CHAT)
    assert _figures(batched) == _figures(one_by_one)


def test_a_batch_is_judged_against_the_watermark_before_it() -> None:
    """The batch's first record moves the watermark past the minute of its second, which was
    open when the batch began: in one batch the second counts in its window, which closes after
    the batch; added one by one, it is late."""
    batch = [(tp_at(hm(10, 30)), ""), (tp_at(hm(10, 0, 30)), "")]
    stores = batched, one_by_one = WindowStore(), WindowStore()
    for store in stores:
        store.add(tp_at(hm(10, 0, 10)))
    batched.add_batch(batch)
    for contribution, source in batch:
        one_by_one.add(contribution, source)
    minutes = [final(store)[("tumbling_1m", Channel.CHAT, hm(10, 0))] for store in stores]
    assert [minute.touchpoints for minute in minutes] == [2, 1]


def test_a_batchs_late_contributions_are_counted_per_kind_in_the_current_window() -> None:
    store = WindowStore()
    store.add(tp_at(hm(10, 30)))
    store.closed()
    store.add_batch(
        [
            (tp_at(hm(10, 0, 5)), ""),
            (c(Kind.CSAT, 5, at=hm(10, 0, 6)), ""),
            (correction(at=hm(10, 0, 7), of=hm(9, 0)), ""),
            (tp_at(hm(10, 25)), ""),  # in time for its minute
        ]
    )
    windows = final(store)
    now = windows[("tumbling_1m", Channel.CHAT, hm(10, 30))]
    assert (now.late_events, now.late_updates) == (2, 1)
    assert windows[("tumbling_1m", Channel.CHAT, hm(10, 25))].touchpoints == 1
    hour = windows[("tumbling_1h", Channel.CHAT, hm(10, 0))]
    assert (hour.touchpoints, hour.csat_responses, hour.late_events) == (3, 1, 0)


# --- watermarks per source --------------------------------------------------------------------


def test_a_source_behind_another_is_not_late() -> None:
    """A worker catching up a backlog reads partitions unevenly: the partition ahead must not make
    the other's events late."""
    store = WindowStore(
        watermarking=Watermarking(inputs=frozenset({"cx.touchpoints:0", "cx.touchpoints:1"}))
    )
    store.add(tp_at(hm(10, 0, 30)), "cx.touchpoints:1")
    store.add(tp_at(hm(12, 0)), "cx.touchpoints:0")
    store.add(tp_at(hm(11, 0)), "sla:0")  # derived, so it makes no watermark
    assert store.clock.watermark(Channel.CHAT) == hm(10, 0, 30)
    assert store.closed() == []
    store.add(tp_at(hm(10, 0, 40)), "cx.touchpoints:1")
    store.add(tp_at(hm(10, 11)), "cx.touchpoints:1")  # source 1 passes 10:01 + 10 minutes
    [minute] = [s for s in store.closed() if s.spec is TUMBLING_1M]
    assert (minute.start, minute.accumulator.touchpoints) == (hm(10, 0), 2)
    windows = final(store)
    assert sum(acc.late_events for acc in windows.values()) == 0


BOTH = frozenset({"cx.touchpoints:0", "cx.touchpoints:1"})


def test_an_input_not_heard_from_holds_the_watermark_for_the_hold_time() -> None:
    """A cold worker's first batch came from partition 0 only: partition 1's backlog, older,
    must not be late when it comes."""
    store = WindowStore(watermarking=Watermarking(inputs=BOTH, hold_s=10.0))
    store.add(tp_at(hm(12, 0)), "cx.touchpoints:0", wall=100.0)
    assert store.clock.watermark(Channel.CHAT) is None
    assert store.closed(wall=109.0) == []
    store.add(tp_at(hm(10, 0, 30)), "cx.touchpoints:1", wall=109.5)
    assert store.clock.watermark(Channel.CHAT) == hm(10, 0, 30)
    assert sum(acc.late_events for acc in final(store).values()) == 0


def test_an_input_never_heard_from_stops_holding_after_the_hold_time() -> None:
    store = WindowStore(watermarking=Watermarking(inputs=BOTH, hold_s=10.0))
    store.add(tp_at(hm(10, 0, 30)), "cx.touchpoints:0", wall=100.0)
    store.add(tp_at(hm(12, 0)), "cx.touchpoints:0", wall=101.0)
    assert store.closed(wall=109.9) == []
    assert len([s for s in store.closed(wall=110.0) if s.spec is TUMBLING_1H]) == 1


def test_when_every_source_is_quiet_all_that_was_read_counts() -> None:
    store = WindowStore(watermarking=Watermarking(inputs=BOTH, idle_s=3.0, hold_s=10.0))
    store.add(tp_at(hm(10, 0, 30)), "cx.touchpoints:0", wall=0.0)
    store.add(tp_at(hm(11, 10)), "cx.touchpoints:0", wall=1.0)
    assert store.closed(wall=9.0) == []  # partition 1 not heard from, within the hold time
    assert store.clock.watermark(Channel.CHAT) is None
    assert len([s for s in store.closed(wall=12.0) if s.spec is TUMBLING_1H]) == 1
    assert store.clock.watermark(Channel.CHAT) == hm(11, 10)


def test_a_source_quiet_for_the_idle_time_stops_holding_windows_open() -> None:
    store = WindowStore(watermarking=Watermarking(idle_s=60.0))
    store.add(tp_at(hm(10, 0, 30)), "cx.touchpoints:0", wall=0.0)
    store.add(tp_at(hm(12, 0)), "cx.touchpoints:1", wall=59.0)
    assert store.closed(wall=59.0) == []  # source 0 could still send 10:00:31
    assert len([s for s in store.closed(wall=60.0) if s.spec is TUMBLING_1H]) == 1
    store.add(tp_at(hm(10, 0, 31)), "cx.touchpoints:0", wall=61.0)  # back: now late
    hour = final(store)[("tumbling_1h", Channel.CHAT, hm(12, 0))]
    assert (hour.touchpoints, hour.late_events) == (1, 1)


def test_a_watermark_never_goes_back() -> None:
    store = WindowStore()
    store.add(tp_at(hm(10, 0, 30)), "cx.touchpoints:0")
    store.add(tp_at(hm(10, 30)), "cx.touchpoints:0")
    assert len([s for s in store.closed() if s.spec is TUMBLING_1M]) == 1
    store.add(tp_at(hm(10, 0, 40)), "cx.feedback:3")  # a source first heard from now
    assert store.clock.watermark(Channel.CHAT) == hm(10, 30)
    assert final(store)[("tumbling_1m", Channel.CHAT, hm(10, 30))].late_events == 1


def test_after_a_restore_only_sources_heard_from_again_count() -> None:
    store = WindowStore()
    store.add(tp_at(hm(10, 0)), "cx.touchpoints:0", wall=0.0)
    store.add(tp_at(hm(10, 5)), "cx.touchpoints:1", wall=0.0)
    restored = WindowStore.from_dict(store.to_dict())
    restored.add(tp_at(hm(10, 20)), "cx.touchpoints:1", wall=5.0)
    assert restored.clock.watermark(Channel.CHAT) == hm(10, 20)


def test_a_store_saved_before_per_source_watermarks_keeps_its_watermark() -> None:
    store = WindowStore()
    store.add(tp_at(hm(10, 30)))
    old = store.to_dict()
    old["clock"] = {"latest": {"chat": hm(10, 30).isoformat()}, "floor": None}
    restored = WindowStore.from_dict(old)
    assert restored.clock.watermark(Channel.CHAT) == hm(10, 30)
    restored.add(tp_at(hm(10, 5)), "cx.touchpoints:0")
    assert restored.clock.watermark(Channel.CHAT) == hm(10, 30)


def test_late_event_for_some_hopping_windows_only() -> None:
    store = WindowStore()
    store.add(tp_at(hm(10, 7)))
    store.add(tp_at(hm(10, 30)))
    closed = {(s.spec.name, s.start) for s in store.closed()}
    assert closed == {
        ("tumbling_1m", hm(10, 7)),
        ("hopping_1h_5m", hm(9, 10)),
        ("hopping_1h_5m", hm(9, 15)),
        ("hopping_1h_5m", hm(9, 20)),
    }
    store.add(tp_at(hm(10, 8)))
    counts = {
        (spec, start): (acc.touchpoints, acc.late_events)
        for (spec, _, start), acc in final(store).items()
    }
    assert ("hopping_1h_5m", hm(9, 20)) not in counts
    assert counts[("hopping_1h_5m", hm(9, 25))] == (2, 0)  # got 10:08, as it was still open
    assert counts[("hopping_1h_5m", hm(9, 35))] == (3, 1)  # also holds the watermark 10:30
    assert counts[("hopping_1h_5m", hm(10, 30))] == (1, 1)
    assert counts[("tumbling_1m", hm(10, 30))] == (1, 1)
    assert counts[("tumbling_1h", hm(10, 0))] == (3, 0)


def test_fcr_correction_lands_in_the_open_window_of_the_resolution() -> None:
    store = WindowStore()
    store.add(c(Kind.RESOLVED, 1, at=hm(10, 0, 30)))
    store.add(correction(at=hm(10, 5), of=hm(10, 0, 30)))
    windows = final(store)
    minute = windows[("tumbling_1m", Channel.CHAT, hm(10, 0))]
    assert (minute.resolved, minute.fcr_cases, minute.result()["fcr_pct"]) == (1, 0, 0.0)
    assert ("tumbling_1m", Channel.CHAT, hm(10, 5)) not in windows


def test_fcr_correction_of_a_closed_window_is_noted_as_a_late_update() -> None:
    store = WindowStore()
    store.add(c(Kind.RESOLVED, 1, at=hm(10, 0, 30)))
    store.add(tp_at(hm(10, 20)))
    [closed_minute] = [s for s in store.closed() if s.spec is TUMBLING_1M and s.start == hm(10, 0)]
    assert closed_minute.accumulator.fcr_cases == 1
    store.add(correction(at=hm(10, 20), of=hm(10, 0, 30)))
    windows = final(store)
    assert windows[("tumbling_1m", Channel.CHAT, hm(10, 20))].late_updates == 1
    assert windows[("tumbling_1m", Channel.CHAT, hm(10, 20))].late_events == 0
    assert windows[("tumbling_1h", Channel.CHAT, hm(10, 0))].fcr_cases == 0


def test_due_updates_are_rate_bounded() -> None:
    store = WindowStore(emit_every=timedelta(seconds=10))
    store.add(tp_at(hm(10, 0, 30)))
    first = store.due_updates(P0)
    assert len(first) == 1 + 1 + 12
    assert store.due_updates(P0 + timedelta(seconds=5)) == []  # nothing changed
    store.add(tp_at(hm(10, 0, 40)))
    assert store.due_updates(P0 + timedelta(seconds=5)) == []  # changed, but emitted 5 s ago
    again = store.due_updates(P0 + timedelta(seconds=10))
    assert [s.accumulator.touchpoints for s in again] == [2] * 14
    assert store.due_updates(P0 + timedelta(seconds=60)) == []
    again[0].accumulator.touchpoints = 99  # a copy: the store keeps its own
    assert all(acc.touchpoints == 2 for acc in final(store).values())


def test_store_round_trips_through_json() -> None:
    store = WindowStore(watermarking=Watermarking(allowed_lateness=timedelta(minutes=5)))
    store.add(tp_at(hm(10, 0, 30)))
    store.add(c(Kind.CSAT, 5, at=hm(10, 3)))
    store.due_updates(P0)
    store.add(tp_at(hm(10, 4), Channel.SMS))
    store.closed(hm(10, 1))
    data = json.loads(json.dumps(store.to_dict()))
    restored = WindowStore.from_dict(
        data, watermarking=Watermarking(allowed_lateness=timedelta(minutes=5))
    )
    assert restored.to_dict() == store.to_dict()
    assert [s.start for s in restored.due_updates(P0 + timedelta(seconds=1))] == [
        s.start for s in store.due_updates(P0 + timedelta(seconds=1))
    ]
    restored.add(tp_at(hm(10, 6, 30)))
    store.add(tp_at(hm(10, 6, 30)))
    assert [(s.spec, s.start, s.accumulator.to_dict()) for s in restored.closed()] == [
        (s.spec, s.start, s.accumulator.to_dict()) for s in store.closed()
    ]


def test_saving_between_changes_gives_what_a_store_saved_once_gives() -> None:
    steps = [
        lambda store: store.add(tp_at(hm(10, 0, 30))),
        lambda store: store.add(c(Kind.CSAT, 5, at=hm(10, 3))),
        lambda store: store.due_updates(P0),
        lambda store: store.add(c(Kind.CSAT, 1, at=hm(10, 3, 5))),
        lambda store: store.add(tp_at(hm(10, 30))),  # late for some windows, closes others
        lambda store: store.closed(),
    ]
    saved_often = WindowStore()
    for done in range(1, len(steps) + 1):
        steps[done - 1](saved_often)
        saved_once = WindowStore()
        for step in steps[:done]:
            step(saved_once)
        assert saved_often.to_dict() == saved_once.to_dict()
    restored = WindowStore.from_dict(json.loads(json.dumps(saved_often.to_dict())))
    restored.add(c(Kind.CSAT, 4, at=hm(10, 31)))
    saved_often.add(c(Kind.CSAT, 4, at=hm(10, 31)))
    assert restored.to_dict() == saved_often.to_dict()


# --- end to end: a case and its survey through the windows -----------------------------------


def test_case_and_feedback_figures_in_the_hour_window() -> None:
    def touch(kind: EventType, minute: int, channel: Channel, actor: Actor) -> Touchpoint:
        return Touchpoint(
            event_id=f"e{minute}",
            occurred_at=hm(10, minute),
            customer_id="cust-1",
            case_id="case-1",
            channel=channel,
            actor=actor,
            event_type=kind,
            journey_stage=JourneyStage.SUPPORT,
            source="test",
        )

    events = [
        touch(EventType.AGENT_RESPONSE, 2, Channel.EMAIL, Actor.AGENT),  # before its opening
        touch(EventType.CONTACT_OPENED, 0, Channel.CHAT, Actor.CUSTOMER),
        touch(EventType.CASE_RESOLVED, 30, Channel.EMAIL, Actor.AGENT),
    ]
    store = WindowStore()
    case = CaseState("case-1")
    for event in events:
        store.add(touchpoint_seen(event))
        case, out = apply(case, event)
        for contribution in out:
            store.add(contribution)
    survey = Feedback("fb-1", hm(10, 40), "cust-1", Channel.CHAT, Survey.CSAT, 2, "case-1")
    for contribution in enrich(survey, case)[1]:
        store.add(contribution)
    windows = final(store)
    chat = windows[("tumbling_1h", Channel.CHAT, hm(10, 0))].result()
    email = windows[("tumbling_1h", Channel.EMAIL, hm(10, 0))].result()
    assert (chat["touchpoints"], email["touchpoints"]) == (1, 2)
    assert (chat["contacts_opened"], chat["frt_count"], email["frt_count"]) == (1, 1, 0)
    assert chat["frt_p50_s"] == pytest.approx(120.0, rel=0.01)
    assert chat["frt_multi_avg_s"] == 120.0  # chat opened, answered by email
    assert chat["ttr_p50_s"] == pytest.approx(1800.0, rel=0.01)
    assert (chat["resolved"], chat["fcr_pct"], chat["sla_breaches"]) == (1, 100.0, 0)
    assert (chat["csat_multi_pct"], chat["csat_single_pct"]) == (0.0, None)
    assert chat["channel_switches"] == 1


def test_a_source_further_behind_than_the_max_skew_no_longer_holds_the_watermark() -> None:
    store = WindowStore(watermarking=Watermarking(inputs=BOTH, max_skew=timedelta(hours=1)))
    store.add(tp_at(hm(10, 0, 30)), "cx.touchpoints:1")
    store.add(tp_at(hm(12, 15)), "cx.touchpoints:0")
    assert store.clock.watermark(Channel.CHAT) == hm(11, 15)
    [hour] = [s for s in store.closed() if s.spec is TUMBLING_1H]
    assert (hour.start, hour.accumulator.touchpoints) == (hm(10, 0), 1)
    store.add(tp_at(hm(10, 5)), "cx.touchpoints:1")  # its windows are out: late
    windows = final(store)
    assert windows[("tumbling_1m", Channel.CHAT, hm(11, 15))].late_events == 1
    counted = [k[2] for k, acc in windows.items() if k[0] == "tumbling_1m" and acc.touchpoints]
    assert counted == [hm(12, 15)]


def test_open_windows_are_bounded_by_the_max_skew() -> None:
    """One source stuck at midnight, the other a touchpoint a minute for a day: the watermark
    stays 2 h (the skew allowed) behind the latest, 23:59, so what is open is what ends after
    21:59 less the 10 minutes of lateness: 1-minute windows from 21:49 (131), hours from 21:00
    (3), hopping hours from 20:50 (38)."""
    store = WindowStore(watermarking=Watermarking(inputs=BOTH, max_skew=timedelta(hours=2)))
    store.add(tp_at(hm(0, 0, 30)), "cx.touchpoints:1")
    for minute in range(24 * 60):
        store.add(tp_at(T.replace(hour=0) + timedelta(minutes=minute)), "cx.touchpoints:0")
        store.closed()
    assert store.clock.watermark(Channel.CHAT) == hm(21, 59)
    open_windows = store.to_dict()["windows"]
    per_spec = {name: sum(w["spec"] == name for w in open_windows) for name in store.specs}
    assert per_spec == {"tumbling_1m": 131, "tumbling_1h": 3, "hopping_1h_5m": 38}


def test_a_first_answer_and_resolution_known_late_leave_the_windows_of_event_time_order() -> None:
    """Three chat cases answered at 10:04 and resolved at 10:50; case c was also answered at
    10:03 and resolved at 10:40, but those two records arrive after the 10:04 and 10:50 ones
    (within the allowed lateness). Its FRT, TTR and resolution are taken back from the windows
    that counted them and counted where they belong, so every window ends as it would had the
    records come in event-time order, percentiles included: the figures taken back (240 s,
    3,000 s) lie between the other cases' in every window, so the extremes stay exact."""

    def touch(case: str, kind: EventType, at: datetime) -> Touchpoint:
        actor = Actor.AGENT if kind in (EventType.AGENT_RESPONSE, EventType.CASE_RESOLVED) else None
        return Touchpoint(
            event_id=f"{case}-{kind}-{at:%H%M}",
            occurred_at=at,
            customer_id=f"cust-{case}",
            case_id=case,
            channel=Channel.CHAT,
            actor=actor or Actor.CUSTOMER,
            event_type=kind,
            journey_stage=JourneyStage.SUPPORT,
            source="test",
        )

    opened, answer, message, resolved = (
        EventType.CONTACT_OPENED,
        EventType.AGENT_RESPONSE,
        EventType.CUSTOMER_MESSAGE,
        EventType.CASE_RESOLVED,
    )
    in_order = [
        touch("b", opened, hm(9, 55)),
        touch("c", opened, hm(10, 0)),
        touch("a", opened, hm(10, 2)),
        touch("c", answer, hm(10, 3)),
        touch("a", answer, hm(10, 4)),  # FRT 120 s
        touch("b", answer, hm(10, 4)),  # FRT 540 s
        touch("c", answer, hm(10, 4)),
        touch("c", resolved, hm(10, 40)),
        touch("c", message, hm(10, 45)),  # after the first resolution: c is FCR
        touch("a", resolved, hm(10, 50)),  # TTR 2,880 s
        touch("b", resolved, hm(10, 50)),  # TTR 3,300 s
        touch("c", resolved, hm(10, 50)),
    ]
    late = [in_order[i] for i in (0, 1, 2, 4, 5, 6, 3, 8, 9, 10, 11, 7)]

    def contributions(events: list[Touchpoint]) -> list[list[Contribution]]:
        cases: dict[str, CaseState] = {}
        out = []
        for event in events:
            cases[event.case_id], more = apply(
                cases.get(event.case_id, CaseState(event.case_id)), event
            )
            out.append([touchpoint_seen(event), *more])
        return out

    def results(batches: list[list[Contribution]]) -> dict[tuple[str, Channel, datetime], JsonDict]:
        store = WindowStore()
        for batch in batches:
            store.add_batch((c, "") for c in batch)
        return {key: acc.result() for key, acc in final(store).items()}

    expected = results(contributions(in_order))
    hour = expected[("tumbling_1h", Channel.CHAT, hm(10, 0))]
    assert (hour["frt_count"], hour["frt_avg_s"], hour["frt_p99_s"]) == (3, 280.0, 540.0)
    assert (hour["ttr_count"], hour["ttr_p99_s"]) == (3, 3300.0)
    assert (hour["resolved"], hour["fcr_pct"]) == (3, 100.0)
    assert (hour["late_events"], hour["late_updates"]) == (0, 0)
    arrived_late = contributions(late)
    assert [c.kind for c in arrived_late[6] + arrived_late[11] if "retraction" in c.kind] == [
        Kind.FRT_RETRACTION,
        Kind.TTR_RETRACTION,
        Kind.RESOLVED_RETRACTION,
    ]
    assert results(arrived_late) == expected
    assert results([[c for batch in arrived_late for c in batch]]) == expected  # in one batch


@pytest.mark.parametrize("seed", range(8))
def test_a_cases_figures_do_not_depend_on_the_order_its_records_arrive_in(seed: int) -> None:
    """Random cases opened on chat, email or phone (answers and customer messages on chat,
    email, phone or SMS, resolutions, reopens, IVR bot answers and escapes, abandoned calls, at
    distinct minutes over four hours), each read once in event-time order and once shuffled:
    the case's facts and every window's counts and sketch buckets end the same, the FRT's
    multi/single-channel split included. Left out: a sketch's exact extremes, which may end
    unknown after a value is taken back (``QuantileSketch``)."""
    rng = random.Random(seed)
    for n in range(40):
        events = _random_case(rng, f"case-{seed}-{n}")
        shuffled = rng.sample(events, len(events))
        in_order = _case_through_windows(events)
        assert in_order[1], "no window closed"
        assert _case_through_windows(shuffled) == in_order, [e.event_id for e in shuffled]


def _random_case(rng: random.Random, case: str) -> list[Touchpoint]:
    texts = (Channel.CHAT, Channel.EMAIL, Channel.PHONE, Channel.SMS)
    happenings = (
        [
            (EventType.AGENT_RESPONSE, Actor.AGENT, rng.choice(texts))
            for _ in range(rng.randint(1, 3))
        ]
        + [
            (EventType.CUSTOMER_MESSAGE, Actor.CUSTOMER, rng.choice(texts))
            for _ in range(rng.randint(0, 3))
        ]
        + [(EventType.CASE_RESOLVED, Actor.AGENT, Channel.CHAT)] * rng.randint(0, 2)
        + [(EventType.CASE_REOPENED, Actor.CUSTOMER, Channel.CHAT)] * rng.randint(0, 2)
        + [(EventType.BOT_RESPONSE, Actor.BOT, Channel.IVR)] * rng.randint(0, 2)
        + [(EventType.IVR_ESCAPE, Actor.CUSTOMER, Channel.IVR)] * rng.randint(0, 1)
        + [(EventType.CALL_ABANDONED, Actor.CUSTOMER, Channel.PHONE)] * rng.randint(0, 2)
    )
    opened = rng.randrange(0, 120)
    minutes = rng.sample(range(opened + 1, opened + 240), len(happenings))
    opening = (EventType.CONTACT_OPENED, Actor.CUSTOMER, rng.choice(texts[:3]))
    timeline = [(opened, opening), *zip(minutes, happenings, strict=True)]
    return [
        Touchpoint(
            event_id=f"{case}-{minute}",
            occurred_at=T + timedelta(minutes=minute),
            customer_id="cust-1",
            case_id=case,
            channel=channel,
            actor=actor,
            event_type=kind,
            journey_stage=JourneyStage.SUPPORT,
            source="test",
        )
        for minute, (kind, actor, channel) in sorted(timeline, key=lambda t: t[0])
    ]


def _case_through_windows(events: list[Touchpoint]) -> tuple[JsonDict, dict[object, JsonDict]]:
    """The case's last fact (but its version, the number of changes) and every window's
    counts and sketch buckets, each event's contributions a batch, nothing late."""
    store = WindowStore(watermarking=Watermarking(allowed_lateness=timedelta(days=1)))
    case = CaseState(events[0].case_id or "")
    for event in events:
        case, out = apply(case, event)
        store.add_batch((c, "") for c in [touchpoint_seen(event), *out])
    fact = summarize(case).to_dict()
    del fact["version"]
    windows = {}
    for shot in store.closed(T + timedelta(days=3)):
        key, saved = (shot.spec.name, shot.channel, shot.start), shot.accumulator.to_dict()
        for sketch in ("frt_sketch", "ttr_sketch"):
            if sketch in saved:
                saved[sketch] = {k: saved[sketch][k] for k in ("zeros", "buckets")}
        if saved:
            windows[key] = saved  # a window whose figures were all taken back holds none
    return fact, windows
