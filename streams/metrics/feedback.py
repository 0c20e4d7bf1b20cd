"""Survey answers: score bands, the detractor alert rule, and the join with the answer's case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from schemas.records import Channel, Feedback, JourneyStage, Survey
from streams.metrics.case_state import CaseState, keep_single_channel_answer
from streams.metrics.contribution import Contribution, Kind
from streams.metrics.jsonable import JsonDict, time_to_json

SCORE_RANGES = {Survey.CSAT: range(1, 6), Survey.NPS: range(0, 11), Survey.CES: range(1, 8)}
_KINDS = {Survey.CSAT: Kind.CSAT, Survey.NPS: Kind.NPS, Survey.CES: Kind.CES}


class NpsCategory(StrEnum):
    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"


def check_score(survey: Survey, score: int) -> None:
    """Raises ``ValueError`` for a score outside its survey's range (bad input: dead-letter)."""
    if score not in SCORE_RANGES[survey]:
        raise ValueError(f"{survey.value} score {score} is outside {SCORE_RANGES[survey]}")


def csat_satisfied(score: int) -> bool:
    return score >= 4


def nps_category(score: int) -> NpsCategory:
    if score >= 9:
        return NpsCategory.PROMOTER
    return NpsCategory.PASSIVE if score >= 7 else NpsCategory.DETRACTOR


def ces_easy(score: int) -> bool:
    return score >= 5


def is_detractor_alert(survey: Survey, score: int) -> bool:
    """NPS 0-6 or CSAT 1-2 asks for service recovery; CES has no such rule."""
    return (survey is Survey.NPS and score <= 6) or (survey is Survey.CSAT and score <= 2)


@dataclass(frozen=True, slots=True)
class EnrichedFeedback:
    """A feedback record with its score bands and what its case adds. The band fields of other
    surveys are None. ``channels``/``multi_channel``/``journey_stage`` come from the case as
    known when the answer is processed: empty/None without a known case."""

    feedback_id: str
    submitted_at: datetime
    customer_id: str
    case_id: str | None
    channel: Channel
    survey: Survey
    score: int
    comment: str | None
    language: str | None
    csat_satisfied: bool | None
    nps_category: NpsCategory | None
    ces_easy: bool | None
    detractor_alert: bool
    channels: tuple[Channel, ...]
    multi_channel: bool | None
    journey_stage: JourneyStage | None

    def to_dict(self) -> JsonDict:
        return {
            "feedback_id": self.feedback_id,
            "submitted_at": time_to_json(self.submitted_at),
            "customer_id": self.customer_id,
            "case_id": self.case_id,
            "channel": self.channel.value,
            "survey": self.survey.value,
            "score": self.score,
            "comment": self.comment,
            "language": self.language,
            "csat_satisfied": self.csat_satisfied,
            "nps_category": None if self.nps_category is None else self.nps_category.value,
            "ces_easy": self.ces_easy,
            "detractor_alert": self.detractor_alert,
            "channels": [channel.value for channel in self.channels],
            "multi_channel": self.multi_channel,
            "journey_stage": None if self.journey_stage is None else self.journey_stage.value,
        }


def enrich(
    fb: Feedback, case: CaseState | None = None
) -> tuple[EnrichedFeedback, list[Contribution], CaseState | None]:
    """Bands ``fb`` and joins it with its case; the contribution goes to the feedback's channel at
    ``submitted_at``. Also the case keeping the answer, when the windows count a CSAT answer in
    the single-channel split (None: no change). Raises ``ValueError`` for an out-of-range score."""
    check_score(fb.survey, fb.score)
    # A case with no channel yet (its events all held, awaiting the opening) says nothing.
    multi = case.multi_channel if case is not None and case.path else None
    split, kept = multi, None
    if case is not None and multi is False and fb.survey is Survey.CSAT:
        kept = keep_single_channel_answer(
            case, fb.feedback_id, fb.submitted_at, fb.channel, fb.score
        )
        if kept is None:  # the case keeps as many as it may: this one could never move
            split = None
    enriched = EnrichedFeedback(
        feedback_id=fb.feedback_id,
        submitted_at=fb.submitted_at,
        customer_id=fb.customer_id,
        case_id=fb.case_id,
        channel=fb.channel,
        survey=fb.survey,
        score=fb.score,
        comment=fb.comment,
        language=fb.language,
        csat_satisfied=csat_satisfied(fb.score) if fb.survey is Survey.CSAT else None,
        nps_category=nps_category(fb.score) if fb.survey is Survey.NPS else None,
        ces_easy=ces_easy(fb.score) if fb.survey is Survey.CES else None,
        detractor_alert=is_detractor_alert(fb.survey, fb.score),
        channels=() if case is None else case.channels,
        multi_channel=multi,
        journey_stage=None if case is None else case.journey_stage,
    )
    contribution = Contribution(
        _KINDS[fb.survey], fb.channel, fb.submitted_at, value=float(fb.score), multi_channel=split
    )
    return enriched, [contribution], None if kept is case else kept
