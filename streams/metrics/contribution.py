"""What one event adds to the windowed metrics: a ``Contribution`` names the figure, the channel and
the event time it belongs to. Case and feedback logic produce them; windows add them up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from schemas.records import Channel, Touchpoint
from streams.metrics.jsonable import JsonDict, opt_time_from_json, time_from_json


class Kind(StrEnum):
    TOUCHPOINT = "touchpoint"  # any touchpoint, case or not; channel = its own
    CONTACT_OPENED = "contact_opened"  # each contact_opened event; channel = its own
    FRT = "frt"  # value = seconds; channel = of the case's contact_opened; at = the agent_response
    TTR = "ttr"  # value = seconds; channel = of the contact_opened; at = the first case_resolved
    RESOLVED = "resolved"  # value = 1 if it counts as FCR else 0; channel/at as TTR
    # A first response or resolution taken back: an earlier one by event time came later. As
    # the FRT, TTR or RESOLVED they take back (value, multi_channel), but at = the earlier one,
    # ref_at = their at.
    FRT_RETRACTION = "frt_retraction"
    TTR_RETRACTION = "ttr_retraction"
    RESOLVED_RETRACTION = "resolved_retraction"  # value = the case's FCR (1/0) when taken back
    # The case's FRT, counted as single-channel, moves to the multi-channel split: the case has
    # just used its second channel. value = the FRT's seconds; at = that use; ref_at = the FRT's
    # at (None if the same).
    FRT_BECAME_MULTI = "frt_became_multi"
    FCR_CORRECTION = "fcr_correction"  # value = -1; at = when learnt; ref_at = the RESOLVED's at
    SLA_BREACH = "sla_breach"  # channel = of the contact_opened; at = the deadline; case_id set
    # value = -1; at = the answer, known late, that met the deadline; ref_at = the SLA_BREACH's at.
    # No case_id: it comes from a touchpoint, whose position the windows dedupe it by.
    SLA_BREACH_CORRECTION = "sla_breach_correction"
    # channel = of the agent_response (phone/ivr); ref_at = its time when known later (its
    # call's record came after it)
    CALL_ANSWERED = "call_answered"
    CALL_ANSWERED_RETRACTION = "call_answered_retraction"  # as the CALL_ANSWERED it takes back
    CALL_ABANDONED = "call_abandoned"  # channel = of the call_abandoned (phone/ivr)
    IVR_ENTERED = "ivr_entered"  # once per case; channel = ivr; at = first sign of the IVR
    IVR_ESCAPE = "ivr_escape"  # once per case; channel = ivr; ref_at = the IVR_ENTERED's at
    # value = distinct channels now; channel = of the opening; ref_at = the first use of the
    # channel that made the switch, when not this event (a channel used before every other).
    CHANNEL_SWITCH = "channel_switch"
    # A first use known late moves these: at = that earlier use, ref_at = the windows they leave.
    CHANNEL_SWITCH_RETRACTION = "channel_switch_retraction"
    IVR_ENTERED_RETRACTION = "ivr_entered_retraction"
    IVR_ESCAPE_RETRACTION = "ivr_escape_retraction"
    CSAT = "csat"  # value = score; channel = the feedback's; at = submitted_at
    NPS = "nps"  # as CSAT
    CES = "ces"  # as CSAT
    # A CSAT answer counted as single-channel moves to the multi-channel split, as
    # FRT_BECAME_MULTI: value = score; channel = the answer's; ref_at = its submitted_at.
    CSAT_BECAME_MULTI = "csat_became_multi"


# Kinds that stand for one arriving record, as opposed to a figure derived from one: windows count
# these in ``late_events`` when they come too late.
EVENT_KINDS = frozenset({Kind.TOUCHPOINT, Kind.CSAT, Kind.NPS, Kind.CES})


@dataclass(frozen=True, slots=True)
class Contribution:
    """One addition to the windows of ``channel`` that hold ``window_at``.

    ``at`` is the event time at which the contribution became known, and drives the watermark.
    ``ref_at``, when set, is an earlier time whose windows the contribution belongs to instead: an
    FCR correction lands in the windows of the resolution it corrects, and an IVR escape in those
    of the case's IVR entry, so that a window's rate compares the same cases above and below.
    ``multi_channel`` says whether the case had used 2+ channels by then (None: no case known).
    ``case_id`` is set on an SLA breach only, which the windows count once per case (see
    ``streams.window_log``).
    """

    kind: Kind
    channel: Channel
    at: datetime
    value: float = 1.0
    multi_channel: bool | None = None
    ref_at: datetime | None = None
    case_id: str | None = None

    @property
    def window_at(self) -> datetime:
        return self.at if self.ref_at is None else self.ref_at

    @classmethod
    def from_row(cls, channel: Channel, row: list[Any]) -> Contribution:
        """From the contributions topic's row (see ``streams.window_log.wire_records``)."""
        _, kind, at, value, multi_channel, ref_at, *case = row
        return cls(
            KINDS[kind],
            channel,
            time_from_json(at),
            float(value),
            multi_channel,
            opt_time_from_json(ref_at),
            case[0] if case else None,
        )

    @classmethod
    def from_dict(cls, data: JsonDict) -> Contribution:
        """From the object earlier versions wrote on the contributions topic."""
        return cls(
            KINDS[data["kind"]],
            CHANNELS[data["channel"]],
            time_from_json(data["at"]),
            float(data["value"]),
            data["multi_channel"],
            opt_time_from_json(data["ref_at"]),
        )


# Enum lookups by value without Enum.__call__, which costs a microsecond each on this path.
KINDS = {kind.value: kind for kind in Kind}
CHANNELS = {channel.value: channel for channel in Channel}


def touchpoint_seen(tp: Touchpoint) -> Contribution:
    """The count every touchpoint adds to its own channel, whether or not it belongs to a case."""
    return Contribution(Kind.TOUCHPOINT, tp.channel, tp.occurred_at)
