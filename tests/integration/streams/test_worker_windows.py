"""Generated traffic through a real `touchstream worker` on the real broker: the hourly window
results equal the figures a test-side reference computes from the same records."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from prometheus_client.parser import text_string_to_metric_families

from schemas import codec
from schemas.jsonl import parse_line
from schemas.records import Touchpoint
from streams.facts import WindowResult
from streams.partitions import partition_of
from tests import recent
from tests.conftest import free_port
from tests.integration.streams.reference import HourFigures, nearest_rank_quantile, reference
from tests.integration.topics import own_topics
from tests.integration.workers import Worker
from touchstream.generator import generate
from touchstream.producer import produce_lines
from touchstream.scrape import counter_totals
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
END = recent.at(12)
ALPHA = 0.01  # the quantile sketch's relative accuracy


@pytest.fixture()
def isolated(stack: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Own topics and app id, so that the test sees only its own records."""
    run = uuid.uuid4().hex[:6]
    env = own_topics(f"t{run}")
    env |= {
        "TOUCHSTREAM_APP_ID": f"ts-{run}",
        "TOUCHSTREAM_WORKER_WEB_PORT": str(free_port()),
        "TOUCHSTREAM_WORKER_DATA_DIR": str(tmp_path / "worker"),
        # Records are produced much faster than they happened, so partitions run apart in
        # event time; a day of lateness keeps every record in its window for exact figures.
        "TOUCHSTREAM_ALLOWED_LATENESS_S": "86400",
        "TOUCHSTREAM_WINDOW_EMIT_INTERVAL_S": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return stack.model_copy(update={k[12:].lower(): v for k, v in env.items()})


def lines(seed: int, cases: int) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in generate(seed, cases, END)]


def valid_records(raw: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    touchpoints, feedback = [], []
    now = END
    for line in raw:
        if isinstance(parse_line(line, now), Touchpoint):
            record = json.loads(line)
            record["occurred_at"] = datetime.fromisoformat(record["occurred_at"])
            touchpoints.append(record)
        elif not hasattr(parse_line(line, now), "reason"):
            record = json.loads(line)
            record["submitted_at"] = datetime.fromisoformat(record["submitted_at"])
            feedback.append(record)
    return touchpoints, feedback


def latest_hourly(
    settings: Settings, expected_touchpoints: int, counting_late: bool = False, answers: int = 0
) -> dict[tuple[str, datetime], WindowResult]:
    """The latest revision of every tumbling-hour result, once they hold every touchpoint (or,
    ``counting_late``, once their touchpoints and late events add up to it) and ``answers``
    survey answers, and the results still in flight (derived figures follow their touchpoints)
    have landed."""
    consumer = KafkaConsumer(
        settings.topic_windows,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    latest: dict[tuple[str, datetime], WindowResult] = {}

    def read(timeout_ms: int) -> None:
        for records in consumer.poll(timeout_ms=timeout_ms).values():
            for record in records:
                result = codec.decode_as(record.value, WindowResult)
                key = (result.channel.value, result.window_start)
                if result.window_kind == "tumbling_1h" and (
                    key not in latest or result.revision >= latest[key].revision
                ):
                    latest[key] = result

    deadline = time.monotonic() + 120
    counted = late = answered = 0
    try:
        while time.monotonic() < deadline:
            read(1000)
            counted = sum(r.figures["touchpoints"] or 0 for r in latest.values())
            late = sum(r.figures["late_events"] or 0 for r in latest.values())
            answered = sum(
                r.figures[f"{survey}_responses"] or 0
                for r in latest.values()
                for survey in ("csat", "nps", "ces")
            )
            if (
                counted + (late if counting_late else 0) >= expected_touchpoints
                and answered >= answers
            ):
                time.sleep(3)
                read(2000)
                return latest
    finally:
        consumer.close()
    # Said apart from a wrong figure: a worker too slow for the wait, or a touchpoint missing.
    raise AssertionError(
        f"after 120 s the hourly results hold {counted} of {expected_touchpoints} touchpoints "
        f"({late} counted late) and {answered} of {answers} survey answers"
    )


@pytest.fixture()
def worker(isolated: Settings, tmp_path: Path) -> Iterator[Worker]:
    process = Worker(["-m", "touchstream.cli", "worker"], tmp_path / "worker.log", {})
    process.wait_ready()
    yield process
    process.stop()


def test_hourly_windows_match_the_reference(isolated: Settings, worker: Worker) -> None:
    raw = lines(seed=7, cases=150)
    touchpoints, feedback = valid_records(raw)
    # Producers retry: send a tenth of the records twice; each counts once.
    produce_lines(raw + raw[::10], isolated, "test")
    assert_results_reach(reference(touchpoints, feedback), isolated, len(touchpoints))


def test_answers_and_resolutions_read_after_later_ones_give_the_event_time_figures(
    isolated: Settings, worker: Worker
) -> None:
    """Each answered case gets an agent answer halfway between its opening and its answer, and
    each resolved case a resolution halfway between its opening and its resolution, produced
    after all the generated records: the worker reads each of them after the later one it
    precedes. The hourly FRT and TTR counts and percentiles and the resolved counts are still
    those of event-time order (the reference's), so the first figures were taken back from
    their windows and the earlier ones counted in theirs."""
    _generated_and_added_match_the_reference(isolated, _earlier_firsts)


def _generated_and_added_match_the_reference(
    settings: Settings, added: Callable[[list[str]], list[dict[str, Any]]]
) -> None:
    """Generated traffic, then the records ``added`` makes from it (more than 40): the hourly
    results equal the reference's."""
    raw = lines(seed=7, cases=150)
    extra = [json.dumps(record) for record in added(raw)]
    assert len(extra) > 40
    touchpoints, feedback = valid_records(raw + extra)
    produce_lines(raw + extra, settings, "test")
    assert_results_reach(reference(touchpoints, feedback), settings, len(touchpoints))


def _earlier_firsts(raw: list[str]) -> list[dict[str, Any]]:
    """For each case's first agent answer and first resolution among ``raw``'s valid records,
    a copy halfway between the case's opening and it."""
    touchpoints, _ = valid_records(raw)
    opened: dict[str, datetime] = {}
    done: set[tuple[str, str]] = set()
    copies = []
    for tp in sorted(touchpoints, key=lambda t: t["occurred_at"]):
        case, kind = tp.get("case_id"), tp["event_type"]
        if kind == "contact_opened":
            opened.setdefault(case, tp["occurred_at"])
        elif (
            (kind == "case_resolved" or (kind == "agent_response" and tp["actor"] == "agent"))
            and case in opened
            and (case, kind) not in done
            and tp["occurred_at"] > opened[case]
        ):
            done.add((case, kind))
            at = opened[case] + (tp["occurred_at"] - opened[case]) / 2
            copies.append(
                tp | {"event_id": f"{tp['event_id']}-earlier", "occurred_at": at.isoformat()}
            )
    return copies


def test_a_second_channel_after_the_first_answer_moves_the_frt_to_the_multi_channel_split(
    isolated: Settings, worker: Worker
) -> None:
    """Each answered case that used one channel gets a customer message on another one a minute
    after its first answer: the hourly FRT split is by all the channels a case used (the
    reference's), so the FRTs counted single-channel moved to the multi-channel split."""
    _generated_and_added_match_the_reference(isolated, _second_channels)


def _second_channels(raw: list[str]) -> list[dict[str, Any]]:
    """For each case among ``raw``'s valid records that used one channel and was answered, a
    customer message on another channel a minute after its first answer."""
    touchpoints, _ = valid_records(raw)
    channels: dict[str, set[str]] = defaultdict(set)
    first_answer: dict[str, dict[str, Any]] = {}
    for tp in sorted(touchpoints, key=lambda t: t["occurred_at"]):
        case = tp.get("case_id")
        if not case or tp["actor"] == "system":
            continue
        channels[case].add(tp["channel"])
        if tp["event_type"] == "agent_response" and tp["actor"] == "agent":
            first_answer.setdefault(case, tp)
    messages = []
    for case, answer in first_answer.items():
        if len(channels[case]) == 1:
            other = "email" if answer["channel"] == "sms" else "sms"
            at = answer["occurred_at"] + timedelta(minutes=1)
            messages.append(
                answer
                | {
                    "event_id": f"{answer['event_id']}-second-channel",
                    "occurred_at": at.isoformat(),
                    "channel": other,
                    "actor": "customer",
                    "event_type": "customer_message",
                    "agent_id": None,
                }
            )
    return messages


def test_a_second_channel_after_a_csat_answer_moves_it_to_the_multi_channel_split(
    isolated: Settings, worker: Worker
) -> None:
    """The generated touchpoints, then their survey answers, then a customer message on another
    channel for each single-channel case with a CSAT answer, each step read before the next is
    sent: every CSAT answer of a known case ends in the split of all the channels its case
    used (the reference's), so those counted single-channel moved."""
    raw = lines(seed=7, cases=150)
    touchpoints, feedback = valid_records(raw)
    extra = _second_channels_after_answers(touchpoints, feedback)
    assert len(extra) > 20
    produce_lines([line for line in raw if not _is_feedback(line)], isolated, "test")
    latest_hourly(isolated, len(touchpoints))
    produce_lines([line for line in raw if _is_feedback(line)], isolated, "test")
    latest_hourly(isolated, len(touchpoints), answers=len(feedback))
    produce_lines([json.dumps(record) for record in extra], isolated, "test")
    touchpoints += valid_records([json.dumps(record) for record in extra])[0]
    expected = reference(touchpoints, feedback, split_csat=True)
    assert_results_reach(expected, isolated, len(touchpoints), answers=len(feedback))
    assert sum(len(figures.csat_multi) for figures in expected.values()) > 20


def _is_feedback(line: str) -> bool:
    try:
        return bool(json.loads(line).get("type") == "feedback")
    except (ValueError, AttributeError):  # bad input: sent with the touchpoints
        return False


def _second_channels_after_answers(
    touchpoints: list[dict[str, Any]], feedback: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """For each case that used one channel and has a CSAT answer, a customer message on another
    channel a minute after its first answer."""
    channels: dict[str, set[str]] = defaultdict(set)
    last: dict[str, dict[str, Any]] = {}
    for tp in touchpoints:
        if tp.get("case_id") and tp["actor"] != "system":
            channels[tp["case_id"]].add(tp["channel"])
            last[tp["case_id"]] = tp
    first_answer: dict[str, datetime] = {}
    for fb in sorted(feedback, key=lambda f: f["submitted_at"]):
        if fb["survey"] == "csat" and len(channels.get(fb.get("case_id") or "", ())) == 1:
            first_answer.setdefault(fb["case_id"], fb["submitted_at"])
    messages = []
    for case, answered in first_answer.items():
        tp = last[case]
        other = "email" if tp["channel"] == "sms" else "sms"
        messages.append(
            tp
            | {
                "event_id": f"{case}-after-answer",
                "occurred_at": (answered + timedelta(minutes=1)).isoformat(),
                "channel": other,
                "actor": "customer",
                "event_type": "customer_message",
                "agent_id": None,
            }
        )
    return messages


def test_a_case_read_behind_its_partition_breaches_in_its_own_hour(
    isolated: Settings, tmp_path: Path
) -> None:
    """Four chat cases on one partition, opened at 09:00, 10:00, 08:00 and 10:06 in that order
    of reading, none answered (chat's first-response standard: 5 minutes). Reading 10:00
    passes the first one's deadline; reading 10:06 passes the 10:00 case's and the 08:00
    case's, which is earlier than the breach raised before it. Each breach counts once in the
    hour of its deadline (the windows' duplicate check goes by where the partition's reading
    raised a breach, not by its deadline); the last case's deadline has not passed."""
    ids = [f"ooo-{n}" for n in range(200) if partition_of(f"ooo-{n}") == partition_of("ooo-0")]
    opened = [recent.at(9), recent.at(10), recent.at(8), recent.at(10, 6)]
    cases = zip(ids[: len(opened)], opened, strict=True)
    raw = [json.dumps(_chat_opened(case_id, at)) for case_id, at in cases]
    produce_lines(raw, isolated, "test")
    # No wall-clock ticks: the last case's deadline passes only if event time says so.
    worker = Worker(
        ["-m", "touchstream.cli", "worker"],
        tmp_path / "worker.log",
        {"TOUCHSTREAM_WATERMARK_IDLE_S": "3600"},
    )
    try:
        worker.wait_ready()
        results = latest_hourly(isolated, len(raw))
    finally:
        worker.stop()
    breaches = {start.hour: r.figures["sla_breaches"] for (_, start), r in results.items()}
    assert breaches == {8: 1, 9: 1, 10: 1}


def _chat_opened(case_id: str, at: datetime) -> dict[str, Any]:
    return {
        "type": "touchpoint",
        "event_id": f"{case_id}-opened",
        "occurred_at": at.isoformat(),
        "customer_id": f"cust-{case_id}",
        "case_id": case_id,
        "channel": "chat",
        "actor": "customer",
        "event_type": "contact_opened",
        "journey_stage": "support",
        "source": "chat-widget",
        "agent_id": None,
        "attributes": {},
    }


def assert_results_reach(
    expected: dict[tuple[str, datetime], HourFigures],
    settings: Settings,
    touchpoints: int,
    answers: int = 0,
    wait_s: float = 60.0,
) -> None:
    """``assert_matches`` on the latest hourly results, read again until they match or
    ``wait_s`` has passed. A figure that a record moves (an FRT or a CSAT answer to the
    multi-channel split, a first response taken back) is in windows of other channels and hours
    than that record's touchpoint, whose count ``latest_hourly`` waits for, and their results
    can come out well after it (measured: in about 1 run in 25 of the CSAT move test, one
    window's result had not landed by the end of ``latest_hourly``'s pause; 5 s later it had)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            assert_matches(expected, latest_hourly(settings, touchpoints, answers=answers))
            return
        except AssertionError:
            if time.monotonic() >= deadline:
                raise


def assert_matches(
    expected: dict[tuple[str, datetime], HourFigures],
    results: dict[tuple[str, datetime], WindowResult],
) -> None:
    """Exact counts and rates; percentiles within the sketch's relative accuracy."""
    assert len(expected) > 20
    assert expected.keys() <= results.keys()
    for key, figures in expected.items():
        got = results[key].figures
        want = figures.figures()
        # Avro carries event times in milliseconds, the reference reads them in microseconds:
        # an average of seconds may differ below a millisecond. Counts are whole, so exact.
        assert {k: got[k] for k in want} == pytest.approx(want, abs=1e-3), key
        for name, values in (("frt", figures.frt), ("ttr", figures.ttr)):
            for q in (0.5, 0.9) if values else ():
                exact = nearest_rank_quantile(values, q)
                got_q = got[f"{name}_p{int(q * 100)}_s"]
                assert got_q == pytest.approx(exact, rel=ALPHA, abs=1e-9), (key, name, q)


def test_a_backlog_is_read_evenly_in_event_time(isolated: Settings, tmp_path: Path) -> None:
    """Twelve hours of traffic waiting before the worker starts: it reads its partitions at
    different speeds, so alignment pauses the ones that run more than a minute of event time
    ahead of the slowest, resumes them, and the figures are exact."""
    raw = lines(seed=11, cases=400)
    touchpoints, feedback = valid_records(raw)
    env = {
        # The worker reads this backlog in about a second: look many times within it.
        "TOUCHSTREAM_WATERMARK_ALIGN_INTERVAL_S": "0.02",
    }

    def measure(metrics: str) -> tuple[float, float]:
        pauses = counter_totals(metrics)["touchstream_alignment_pauses"]
        return pauses, gauge(metrics, "touchstream_paused_partitions")

    results, (pauses, paused) = caught_up(isolated, tmp_path, raw, len(touchpoints), env, measure)
    assert_matches(reference(touchpoints, feedback), results)
    assert pauses > 0
    assert paused == 0


def test_a_sparse_partition_read_whole_is_held_back_until_the_others_catch_up(
    isolated: Settings, tmp_path: Path
) -> None:
    """The feedback of twelve hours fits in one fetch per partition, so pausing its fetching
    comes too late to keep it near the touchpoints. With a 30-minute skew bound and the usual
    ten minutes of lateness, every touchpoint behind would be counted late; alignment holds the
    feedback back at delivery instead, and the figures are exact with none late. The held events
    are acked once processed: the group commits every offset."""
    raw = lines(seed=13, cases=400)
    touchpoints, feedback = valid_records(raw)
    env = {"TOUCHSTREAM_ALLOWED_LATENESS_S": "600", "TOUCHSTREAM_WATERMARK_MAX_SKEW_S": "1800"}

    def measure(metrics: str) -> float:
        wait_committed(isolated, {"touchpoints": len(touchpoints), "feedback": len(feedback)})
        return gauge(metrics, "touchstream_held_events")

    results, held = caught_up(isolated, tmp_path, raw, len(touchpoints), env, measure)
    # In this order, so that a failure says which way a missing touchpoint went: still held,
    # counted late, or neither. (It failed at random: 24 of 25 touchpoints in one hour twice on
    # 2026-12-06, and 1, 12 and 20 touchpoints counted late in 3 of about 10 runs on 2026-12-07.
    # The cause of the latter: the feedback agent's first batch, read before any touchpoint,
    # went through alignment unheld. A partition not read yet now holds the others, see
    # streams.alignment; 16 runs in a row passed after.)
    assert held == 0
    assert sum(r.figures["late_events"] or 0 for r in results.values()) == 0
    assert_matches(reference(touchpoints, feedback), results)


M = TypeVar("M")


def caught_up(
    settings: Settings,
    tmp_path: Path,
    raw: list[str],
    touchpoints: int,
    env: dict[str, str],
    measure: Callable[[str], M],
) -> tuple[dict[tuple[str, datetime], WindowResult], M]:
    """``raw`` waiting before a worker starts that pauses and holds back partitions more than a
    minute ahead, with a backlog from 10 records on: the latest hourly results once they hold
    every touchpoint, and ``measure`` of its metrics page then."""
    produce_lines(raw, settings, "test")
    env = {"TOUCHSTREAM_WATERMARK_MAX_DRIFT_S": "60", "TOUCHSTREAM_INPUT_BATCH_MAX": "10"} | env
    process = Worker(["-m", "touchstream.cli", "worker"], tmp_path / "worker.log", env)
    try:
        process.wait_ready()
        results = latest_hourly(settings, touchpoints)
        return results, measure(f"http://127.0.0.1:{settings.worker_web_port}/metrics")
    finally:
        process.stop()


def gauge(url: str, name: str) -> float:
    with urllib.request.urlopen(url, timeout=5) as answer:
        families = text_string_to_metric_families(answer.read().decode())
    [value] = [s.value for f in families if f.name == name for s in f.samples]
    return value


def wait_committed(settings: Settings, records: dict[str, int]) -> None:
    """Until the worker's group has committed every offset of each input topic (``records``:
    how many each holds)."""
    topics = {settings.topic_touchpoints: "touchpoints", settings.topic_feedback: "feedback"}
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    committed: dict[str, int] = {}
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            offsets = admin.list_group_offsets(settings.app_id)[settings.app_id]
            committed = {name: 0 for name in records}
            for tp, offset in offsets.items():
                if tp.topic in topics:
                    committed[topics[tp.topic]] += offset.offset
            if committed == records:
                return
            time.sleep(0.5)
    finally:
        admin.close()
    raise AssertionError(f"committed {committed} of {records}")
