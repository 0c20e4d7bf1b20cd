"""The peer scenario's check of Quix's closed windows against figures computed from the records."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.scenarios.peer import FIGURES, QuixRun, check_quix, reference
from schemas.records import Channel, Feedback, Survey

HOUR = datetime(2026, 11, 24, 10, tzinfo=UTC)
HOUR_MS = int(HOUR.timestamp() * 1000)


def answer(n: int, survey: Survey, score: int, minute: int = 5) -> Feedback:
    return Feedback(
        f"f{n}", HOUR.replace(minute=minute), "c1", Channel.CHAT, survey, score, case_id=f"k{n}"
    )


FEEDBACK = [
    answer(1, Survey.CSAT, 5),
    answer(2, Survey.CSAT, 3),
    answer(3, Survey.NPS, 10),
    answer(4, Survey.NPS, 6),
    answer(5, Survey.NPS, 8),
    answer(6, Survey.CES, 2),
]


def figures(**counts: int) -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0) | counts


def test_the_reference_adds_up_csat_and_nps_per_channel_and_hour() -> None:
    assert reference(FEEDBACK) == {
        ("chat", HOUR_MS): figures(
            csat_responses=2,
            csat_satisfied=1,
            csat_sum=8,
            nps_responses=3,
            nps_promoters=1,
            nps_detractors=1,
        )
    }


def test_what_quix_dropped_as_late_is_added_back_before_comparing() -> None:
    want = reference(FEEDBACK)[("chat", HOUR_MS)]
    dropped = figures(nps_responses=1, nps_detractors=1)
    kept = {name: want[name] - dropped[name] for name in FIGURES}
    quix = QuixRun(
        closed=[{"channel": "chat", "start": HOUR_MS, "end": HOUR_MS + 3_600_000, "value": kept}],
        late=[{"channel": "chat", "start": HOUR_MS, "value": dropped}],
    )

    assert "all equal" in check_quix(quix, FEEDBACK)

    quix.late = []
    assert "1 differ" in check_quix(quix, FEEDBACK)
