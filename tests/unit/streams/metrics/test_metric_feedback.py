import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from schemas.records import Actor, Channel, EventType, Feedback, JourneyStage, Survey, Touchpoint
from streams.metrics.case_state import MAX_KEPT_ANSWERS, CaseState, apply
from streams.metrics.contribution import Contribution, Kind
from streams.metrics.feedback import (
    NpsCategory,
    ces_easy,
    check_score,
    csat_satisfied,
    enrich,
    is_detractor_alert,
    nps_category,
)

T0 = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)


def feedback(survey: Survey, score: int, channel: Channel = Channel.CHAT) -> Feedback:
    return Feedback(
        feedback_id="fb-1",
        submitted_at=T0,
        customer_id="cust-1",
        channel=channel,
        survey=survey,
        score=score,
        case_id="case-1",
        comment="slow",
        language="en",
    )


def touch(event_type: EventType, channel: Channel, stage: JourneyStage) -> Touchpoint:
    return Touchpoint(
        event_id=f"{event_type}-{channel}",
        occurred_at=T0,
        customer_id="cust-1",
        case_id="case-1",
        channel=channel,
        actor=Actor.CUSTOMER,
        event_type=event_type,
        journey_stage=stage,
        source="test",
    )


def test_csat_satisfied_is_4_or_5() -> None:
    assert [csat_satisfied(s) for s in range(1, 6)] == [False] * 3 + [True] * 2


def test_nps_categories() -> None:
    assert [nps_category(s) for s in range(11)] == [NpsCategory.DETRACTOR] * 7 + [
        NpsCategory.PASSIVE
    ] * 2 + [NpsCategory.PROMOTER] * 2


def test_ces_easy_is_5_to_7() -> None:
    assert [ces_easy(s) for s in range(1, 8)] == [False] * 4 + [True] * 3


def test_detractor_alert_rule() -> None:
    assert [is_detractor_alert(Survey.NPS, s) for s in range(11)] == [True] * 7 + [False] * 4
    assert [is_detractor_alert(Survey.CSAT, s) for s in range(1, 6)] == [True] * 2 + [False] * 3
    assert not any(is_detractor_alert(Survey.CES, s) for s in range(1, 8))


@pytest.mark.parametrize(
    ("survey", "score"),
    [
        (Survey.CSAT, 0),
        (Survey.CSAT, 6),
        (Survey.NPS, -1),
        (Survey.NPS, 11),
        (Survey.CES, 0),
        (Survey.CES, 8),
    ],
)
def test_out_of_range_scores_are_rejected(survey: Survey, score: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        check_score(survey, score)
    with pytest.raises(ValueError):
        enrich(feedback(survey, score))


def test_enrich_joins_the_case() -> None:
    case = CaseState("case-1")
    case, _ = apply(case, touch(EventType.CONTACT_OPENED, Channel.CHAT, JourneyStage.SUPPORT))
    case, _ = apply(case, touch(EventType.CUSTOMER_MESSAGE, Channel.EMAIL, JourneyStage.RETENTION))
    enriched, out, kept = enrich(feedback(Survey.NPS, 3, Channel.EMAIL), case)
    assert out == [Contribution(Kind.NPS, Channel.EMAIL, T0, value=3.0, multi_channel=True)]
    assert enriched.nps_category is NpsCategory.DETRACTOR
    assert (enriched.csat_satisfied, enriched.ces_easy) == (None, None)
    assert enriched.detractor_alert is True
    assert enriched.channels == (Channel.CHAT, Channel.EMAIL)
    assert enriched.multi_channel is True
    assert enriched.journey_stage is JourneyStage.RETENTION
    assert kept is None  # multi-channel already: nothing to move later


def test_enrich_without_a_case() -> None:
    enriched, out, kept = enrich(feedback(Survey.CSAT, 4))
    assert out == [Contribution(Kind.CSAT, Channel.CHAT, T0, value=4.0, multi_channel=None)]
    assert (enriched.csat_satisfied, enriched.detractor_alert) == (True, False)
    assert (enriched.channels, enriched.multi_channel, enriched.journey_stage) == ((), None, None)
    assert kept is None


def test_enrich_with_a_case_still_awaiting_its_opening() -> None:
    case, _ = apply(
        CaseState("case-1"), touch(EventType.PAGE_VIEW, Channel.WEB, JourneyStage.USAGE)
    )
    enriched, out, _ = enrich(feedback(Survey.CES, 6), case)
    assert (enriched.multi_channel, out[0].multi_channel, enriched.ces_easy) == (None, None, True)
    assert enriched.journey_stage is JourneyStage.USAGE


def single_channel_case() -> CaseState:
    case, _ = apply(
        CaseState("case-1"), touch(EventType.CONTACT_OPENED, Channel.CHAT, JourneyStage.SUPPORT)
    )
    return case


def test_a_csat_answer_counted_single_channel_is_kept_by_its_case() -> None:
    case = single_channel_case()
    _, out, kept = enrich(feedback(Survey.CSAT, 4), case)
    assert out == [Contribution(Kind.CSAT, Channel.CHAT, T0, value=4.0, multi_channel=False)]
    assert kept is not None and kept.single_csat == (("fb-1", T0, Channel.CHAT, 4),)
    assert case.single_csat == ()  # the caller's state is left as it was
    # A replay of the same answer on the case that keeps it: counted the same, nothing to write.
    assert enrich(feedback(Survey.CSAT, 4), kept)[1:] == (out, None)


def test_only_csat_answers_are_kept() -> None:
    """domain.md splits CSAT and FRT by channel switching, not NPS or CES."""
    _, out, kept = enrich(feedback(Survey.NPS, 9), single_channel_case())
    assert (out[0].multi_channel, kept) == (False, None)


def test_an_answer_past_what_a_case_keeps_stays_out_of_the_split() -> None:
    """It could never move to the multi-channel split, so it is counted in neither."""
    case: CaseState | None = single_channel_case()
    for n in range(MAX_KEPT_ANSWERS):
        assert case is not None
        case = enrich(replace(feedback(Survey.CSAT, 5), feedback_id=f"kept-{n}"), case)[2]
    assert case is not None and len(case.single_csat) == MAX_KEPT_ANSWERS
    enriched, out, kept = enrich(feedback(Survey.CSAT, 2), case)
    assert (out[0].multi_channel, kept, enriched.multi_channel) == (None, None, False)


def test_enriched_feedback_is_json() -> None:
    enriched, _, _ = enrich(feedback(Survey.NPS, 10))
    assert json.loads(json.dumps(enriched.to_dict())) == {
        "feedback_id": "fb-1",
        "submitted_at": "2024-05-06T10:00:00+00:00",
        "customer_id": "cust-1",
        "case_id": "case-1",
        "channel": "chat",
        "survey": "nps",
        "score": 10,
        "comment": "slow",
        "language": "en",
        "csat_satisfied": None,
        "nps_category": "promoter",
        "ces_easy": None,
        "detractor_alert": False,
        "channels": [],
        "multi_channel": None,
        "journey_stage": None,
    }
