"""The records the worker publishes for the sink: touchpoint facts, case facts, feedback facts,
window results. Each of the last three is built from the metric state it reports on by an ``of``
constructor."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from schemas import codec
from schemas.records import Channel, Touchpoint
from streams.metrics import CaseSummary, EnrichedFeedback, WindowSnapshot
from streams.text.attributes import may_hold_email, redacted_attributes

_HEADER_FIELDS = ("window_kind", "channel", "window_start", "window_end", "final", "revision")


def touchpoint_fact(tp: Touchpoint, encoded: bytes) -> bytes:
    """Topic ``cx.facts.touchpoints``: ``encoded``, the input record ``tp`` was decoded from,
    which saves encoding it again; unless an attribute holds an email address: then ``tp`` with
    those redacted (``streams.text.attributes``)."""
    if tp.attributes and may_hold_email(encoded):
        attributes = redacted_attributes(tp.attributes)
        if attributes != tp.attributes:
            return codec.encode(replace(tp, attributes=attributes))
    return encoded


@dataclass(frozen=True, slots=True)
class CaseFact:
    """Topic ``cx.facts.cases``: one case as known after ``version`` events."""

    case_id: str
    customer_id: str
    customer_contacts: int
    channels: list[str]
    multi_channel: bool
    reopened: bool
    sla_breached: bool
    abandoned: bool
    ivr_entered: bool
    ivr_escaped: bool
    version: int
    first_channel: Channel | None = None
    opened_at: datetime | None = None
    first_response_at: datetime | None = None
    frt_s: float | None = None
    resolved_at: datetime | None = None
    ttr_s: float | None = None
    fcr: bool | None = None
    sla_deadline: datetime | None = None

    @classmethod
    def of(cls, s: CaseSummary) -> CaseFact:
        # Positional: one per case event, and keywords or a dict of the fields took twice as long.
        return cls(
            s.case_id,
            s.customer_id,
            s.customer_contacts,
            [c.value for c in s.channels],
            s.multi_channel,
            s.reopened,
            s.sla_breached,
            s.abandoned,
            s.ivr_entered,
            s.ivr_escaped,
            s.version,
            s.first_channel,
            s.opened_at,
            s.first_response_at,
            s.frt_s,
            s.resolved_at,
            s.ttr_s,
            s.fcr,
            s.sla_deadline,
        )


@dataclass(frozen=True, slots=True)
class FeedbackFact:
    """Topic ``cx.facts.feedback``: a survey answer, enriched, its comment already redacted."""

    feedback_id: str
    submitted_at: datetime
    customer_id: str
    channel: Channel
    survey: str
    score: int
    detractor_alert: bool
    case_id: str | None = None
    comment: str | None = None
    language: str | None = None
    themes: list[str] = field(default_factory=list)
    csat_satisfied: bool | None = None
    nps_category: str | None = None
    ces_easy: bool | None = None
    channels: list[str] = field(default_factory=list)
    multi_channel: bool | None = None
    journey_stage: str | None = None

    @classmethod
    def of(cls, e: EnrichedFeedback, themes: tuple[str, ...]) -> FeedbackFact:
        return cls(
            feedback_id=e.feedback_id,
            submitted_at=e.submitted_at,
            customer_id=e.customer_id,
            channel=e.channel,
            survey=e.survey.value,
            score=e.score,
            detractor_alert=e.detractor_alert,
            case_id=e.case_id,
            comment=e.comment,
            language=e.language,
            themes=list(themes),
            csat_satisfied=e.csat_satisfied,
            nps_category=None if e.nps_category is None else e.nps_category.value,
            ces_easy=e.ces_easy,
            channels=[c.value for c in e.channels],
            multi_channel=e.multi_channel,
            journey_stage=None if e.journey_stage is None else e.journey_stage.value,
        )


@dataclass(frozen=True, slots=True)
class WindowResult:
    """Topic ``cx.windows``: one window's figures. Field names follow the window_result schema;
    every figure comes from ``WindowAccumulator.result()``."""

    window_kind: str
    channel: Channel
    window_start: datetime
    window_end: datetime
    final: bool
    revision: int
    figures: dict[str, float | None]

    @classmethod
    def of(cls, snapshot: WindowSnapshot, final: bool, revision: int) -> WindowResult:
        return cls(
            snapshot.spec.name,
            snapshot.channel,
            snapshot.start,
            snapshot.end,
            final,
            revision,
            snapshot.accumulator.result(),
        )

    def to_avro(self) -> dict[str, Any]:
        """The header fields, then every figure; the schema keeps the figures it names."""
        header = {name: getattr(self, name) for name in _HEADER_FIELDS}
        return self.figures | header | {"channel": self.channel.value}

    @classmethod
    def from_avro(cls, datum: dict[str, Any]) -> WindowResult:
        figures = {k: v for k, v in datum.items() if k not in _HEADER_FIELDS}
        return cls(
            datum["window_kind"],
            Channel(datum["channel"]),
            datum["window_start"],
            datum["window_end"],
            datum["final"],
            datum["revision"],
            figures,
        )


codec.register(CaseFact, "case_fact")
codec.register(FeedbackFact, "feedback_fact")
codec.register(WindowResult, "window_result")
