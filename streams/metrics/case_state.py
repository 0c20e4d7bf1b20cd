"""Per-case state (keyed by ``case_id``) and the metric contributions each touchpoint causes.

``apply(state, touchpoint)`` is pure: it returns a new state and the contributions, attributed as
``Kind`` documents (FRT, TTR, FCR and SLA go to the channel of the ``contact_opened``).

Ordering. Duplicates are removed upstream. Events of a case that arrive before its
``contact_opened`` are held in the state (at most ``MAX_HELD``) and replayed in event-time order
right after the opening, since FRT, TTR, SLA and channel switches all need the opening's time and
channel. Once the opening is known, events are applied in arrival order, but what the spec calls
"first" is first by event time, and the case's figures follow it whatever order the events of
different systems arrive in:

- The first response is the earliest agent answer. One that arrives after a later one moves
  the first response back: the windows' FRT is taken back (``FRT_RETRACTION``, filed under the
  windows that counted it) and the earlier one counted, and if it met a deadline the case was
  counted as breaching, the breach is undone (``SLA_BREACH_CORRECTION``).
- The first resolution is the earliest ``case_resolved``. One that arrives after a later one
  moves TTR, the resolved count and FCR to it (``TTR_RETRACTION`` and ``RESOLVED_RETRACTION``
  take the earlier figures back), and FCR is judged again on the contacts and reopens around it.
- Customer contacts are compared by event time with the resolution, so a late contact dated
  before it still turns an FCR into a non-FCR (``FCR_CORRECTION``).
- Whether the case is currently resolved follows the latest resolution or reopen.

The opening is the first ``contact_opened`` applied: every figure is measured from it, so it is
not moved (domain.md has one per case). Channel switches and the IVR entry move the same way
when a channel's or the IVR's first use is known late, and which answer answered a call is
worked out from the case's voice events in event-time order. The FRT's multi/single-channel
split is by every channel the case used: it moves to the multi-channel split when the case
uses its second channel after it was counted (``FRT_BECAME_MULTI``), and so do the CSAT answers
the case keeps for that (``keep_single_channel_answer``, ``CSAT_BECAME_MULTI``). A survey
answer that comes while its case is not known (not opened yet, or forgotten) stays out of the
split. A taken-back figure whose windows are already closed counts as a late update there, like
any other; the raw facts stay exact regardless.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from operator import attrgetter, itemgetter
from typing import TypeVar

from schemas.records import Actor, Channel, EventType, JourneyStage, Touchpoint
from streams.metrics.contribution import Contribution, Kind
from streams.metrics.jsonable import (
    JsonDict,
    opt_time_from_json,
    opt_time_to_json,
    time_from_json,
)
from streams.metrics.sla import FIRST_RESPONSE_STANDARDS, deadline

_channel_of = itemgetter(0)  # of a path entry (channel, first used)
_time_of = itemgetter(1)

VOICE_CHANNELS = frozenset({Channel.PHONE, Channel.IVR})
T = TypeVar("T")

# Bounds the state of a case whose contact_opened never comes; later events of it are dropped.
MAX_HELD = 100
# A CSAT answer that the windows counted in the single-channel split, kept by its case so that
# it can move to the multi-channel split: (feedback_id, submitted_at, channel, score).
KeptAnswer = tuple[str, datetime, Channel, int]
# Bounds what a case keeps of them. A case gets a survey answer or two; one past the bound is
# left out of the split (our choice: the state stays small whatever a producer sends).
MAX_KEPT_ANSWERS = 20


@dataclass(frozen=True, slots=True)
class CaseRules:
    """The deployment-tunable numbers of the case metrics."""

    standards: Mapping[Channel, timedelta] = field(default_factory=lambda: FIRST_RESPONSE_STANDARDS)
    fcr_reopen_window: timedelta = timedelta(days=7)


DEFAULT_RULES = CaseRules()


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """The part of a touchpoint the case metrics need; what a held event keeps."""

    occurred_at: datetime
    event_type: EventType
    channel: Channel
    actor: Actor

    @classmethod
    def of(cls, tp: Touchpoint) -> CaseEvent:
        return cls(tp.occurred_at, tp.event_type, tp.channel, tp.actor)

    @classmethod
    def from_dict(cls, data: JsonDict) -> CaseEvent:
        return cls(
            time_from_json(data["occurred_at"]),
            EventType(data["event_type"]),
            Channel(data["channel"]),
            Actor(data["actor"]),
        )


@dataclass(slots=True)
class CaseState:
    """What is known about one case. Fields hold immutable values only, so that ``apply`` can work
    on a shallow copy and leave the caller's state untouched."""

    case_id: str
    customer_id: str = ""
    # Changes applied: events (held ones included) and the breach timer's, so that each fact of
    # the case supersedes the one before (ClickHouse keeps the highest version).
    version: int = 0
    first_channel: Channel | None = None  # of the first contact_opened
    opened_at: datetime | None = None
    sla_deadline: datetime | None = None
    # Distinct channels with the time each was first used, in time order. Events by the system
    # actor (queueing, CRM resolution, transfers) record bookkeeping, not a channel the customer
    # used, so they do not count (our choice; the spec says "channels a case used").
    path: tuple[tuple[Channel, datetime], ...] = ()
    # Times of customer contacts not after the first resolution (all of them while unresolved).
    contact_times: tuple[datetime, ...] = ()
    first_response_at: datetime | None = None
    # Whether the windows' FRT was counted as multi-channel, to take it back the same way. None
    # also in a state saved before it was kept: such an FRT is taken back from the totals only.
    frt_multi: bool | None = None
    resolved_at: datetime | None = None  # the first case_resolved
    # Currently resolved, by event time: the latest of the resolutions and reopens, which set
    # and clear it, and when that was.
    resolved: bool = False
    resolved_changed_at: datetime | None = None
    fcr: bool | None = None  # None until resolved
    reopened_at: tuple[datetime, ...] = ()
    ivr_entered_at: datetime | None = None
    ivr_escaped: bool = False
    # The voice events that decide which calls were answered (see ``_answers``): (time, one of
    # _CALL / _ANSWER / _ABANDON, channel), in the order applied.
    voice: tuple[tuple[datetime, int, Channel], ...] = ()
    calls_abandoned: int = 0
    sla_breached: bool = False
    journey_stage: JourneyStage | None = None  # of the latest event by event time
    last_event_at: datetime | None = None
    held: tuple[CaseEvent, ...] = ()
    # Kept until the case uses a second channel, which moves them (the feedback agent keeps
    # them, see ``keep_single_channel_answer``).
    single_csat: tuple[KeptAnswer, ...] = ()

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(map(_channel_of, self.path))

    @property
    def multi_channel(self) -> bool:
        return len(self.path) >= 2

    @property
    def calls_answered(self) -> int:
        return len(_answers(self.voice))

    @property
    def customer_contacts(self) -> int:
        """Customer contacts before the first resolution (at the same instant counts as before)."""
        return len(self.contact_times)

    @classmethod
    def from_dict(cls, data: JsonDict) -> CaseState:
        first_channel = data["first_channel"]
        stage = data["journey_stage"]
        return cls(
            case_id=data["case_id"],
            customer_id=data["customer_id"],
            version=data["version"],
            first_channel=None if first_channel is None else Channel(first_channel),
            opened_at=opt_time_from_json(data["opened_at"]),
            sla_deadline=opt_time_from_json(data["sla_deadline"]),
            path=tuple((Channel(c), time_from_json(at)) for c, at in data["path"]),
            contact_times=tuple(time_from_json(at) for at in data["contact_times"]),
            first_response_at=opt_time_from_json(data["first_response_at"]),
            frt_multi=data.get("frt_multi"),
            resolved_at=opt_time_from_json(data["resolved_at"]),
            resolved=data["resolved"],
            resolved_changed_at=opt_time_from_json(data.get("resolved_changed_at")),
            fcr=data["fcr"],
            reopened_at=tuple(time_from_json(at) for at in data["reopened_at"]),
            ivr_entered_at=opt_time_from_json(data["ivr_entered_at"]),
            ivr_escaped=data["ivr_escaped"],
            voice=_voice_of(data),
            calls_abandoned=data["calls_abandoned"],
            sla_breached=data["sla_breached"],
            journey_stage=None if stage is None else JourneyStage(stage),
            last_event_at=opt_time_from_json(data["last_event_at"]),
            held=tuple(CaseEvent.from_dict(event) for event in data["held"]),
            single_csat=tuple(
                (answer_id, time_from_json(submitted), Channel(channel), score)
                for answer_id, submitted, channel, score in data.get("single_csat", ())
            ),
        )


def _voice_of(data: JsonDict) -> tuple[tuple[datetime, int, Channel], ...]:
    """A saved state's voice events. One saved before they were kept had only whether a call
    was waiting: that call is taken as placed at the opening."""
    if "voice" in data:
        return tuple((time_from_json(at), what, Channel(ch)) for at, what, ch in data["voice"])
    opened = data["opened_at"]
    if not data["call_waiting"] or opened is None:
        return ()
    return ((time_from_json(opened), _CALL, Channel.PHONE),)


# In the order of CaseState's __init__ parameters.
_FIELD_VALUES = attrgetter(*(f.name for f in fields(CaseState)))


def apply(
    state: CaseState, tp: Touchpoint, rules: CaseRules = DEFAULT_RULES
) -> tuple[CaseState, list[Contribution]]:
    """The state after ``tp`` (an event of this case, so with a case_id) and the contributions
    it causes, besides the ``touchpoint_seen`` count that every touchpoint adds."""
    case = _next_version(state)
    case.customer_id = state.customer_id or tp.customer_id
    if case.last_event_at is None or tp.occurred_at >= case.last_event_at:
        case.last_event_at, case.journey_stage = tp.occurred_at, tp.journey_stage
    event = CaseEvent.of(tp)
    if case.opened_at is None and event.event_type is not EventType.CONTACT_OPENED:
        if len(case.held) < MAX_HELD:
            case.held = (*case.held, event)
        return case, []
    out = _step(case, event, rules)
    held, case.held = sorted(case.held, key=lambda e: e.occurred_at), ()
    for earlier in held:
        out += _step(case, earlier, rules)
    return case, out


def sla_check(state: CaseState, now: datetime) -> tuple[CaseState, Contribution | None]:
    """The breach timer: at ``now``, has the case passed its first-response deadline unanswered?
    Emits the breach once (the returned state records it), attributed to the deadline."""
    case = _next_version(state)
    breach = _breach(case, now)
    return (state, None) if breach is None else (case, breach)


def keeps_answer(state: CaseState, feedback_id: str) -> bool:
    return any(kept[0] == feedback_id for kept in state.single_csat)


def keep_single_channel_answer(
    state: CaseState, feedback_id: str, submitted_at: datetime, channel: Channel, score: int
) -> CaseState | None:
    """The state keeping a CSAT answer that the windows count in the single-channel split: a
    copy, ``state`` itself if it keeps the answer already (a replay), None if it keeps as many
    as it may. Not a new version: the case's facts do not change."""
    if keeps_answer(state, feedback_id):
        return state
    if len(state.single_csat) >= MAX_KEPT_ANSWERS:
        return None
    case = CaseState(*_FIELD_VALUES(state))
    case.single_csat = (*state.single_csat, (feedback_id, submitted_at, channel, score))
    return case


def _next_version(state: CaseState) -> CaseState:
    """A shallow copy with the version after ``state``'s: ``dataclasses.replace`` costs five
    times as much, and every case event makes one."""
    case = CaseState(*_FIELD_VALUES(state))
    case.version += 1
    return case


def _step(case: CaseState, event: CaseEvent, rules: CaseRules) -> list[Contribution]:
    """Applies one event to ``case`` in place (a private copy, see ``apply``)."""
    at, kind = event.occurred_at, event.event_type
    if kind is EventType.CONTACT_OPENED and case.opened_at is None:
        case.opened_at, case.first_channel = at, event.channel
        case.sla_deadline = deadline(event.channel, at, rules.standards)
    home = case.first_channel
    assert home is not None, "events are only stepped once the case is opened"
    out: list[Contribution] = []
    if event.actor is not Actor.SYSTEM:
        out += _use_channel(case, home, event)
    # A case entered the IVR when any of its events happened on the ivr channel (contact_opened,
    # queue_entered, bot_response, ...) or when it escaped the IVR, which it must have been in.
    if event.channel is Channel.IVR or kind is EventType.IVR_ESCAPE:
        out += _enter_ivr(case, at)
    match kind:
        case EventType.CONTACT_OPENED | EventType.CUSTOMER_MESSAGE:
            if kind is EventType.CONTACT_OPENED:
                out.append(Contribution(Kind.CONTACT_OPENED, event.channel, at))
            out += _customer_contact(case, home, event)
        # domain.md: an agent_response is a human answer, and bot answers do not count. One sent
        # by a system (an auto-acknowledgement) or a customer is no human answer either.
        case EventType.AGENT_RESPONSE if event.actor is Actor.AGENT:
            out += _agent_response(case, home, event)
        case EventType.CALL_ABANDONED if event.channel in VOICE_CHANNELS:
            case.calls_abandoned += 1
            out.append(Contribution(Kind.CALL_ABANDONED, event.channel, at))
            out += _voice(case, event, _ABANDON)
        case EventType.IVR_ESCAPE if not case.ivr_escaped:
            case.ivr_escaped = True
            out.append(Contribution(Kind.IVR_ESCAPE, Channel.IVR, at, ref_at=case.ivr_entered_at))
        case EventType.CASE_RESOLVED:
            out += _resolve(case, home, at, rules)
        case EventType.CASE_REOPENED:
            out += _reopen(case, home, at, rules)
        case _:
            pass  # bot answers, queueing, transfers, page views and purchases add no figure
    breach = _breach(case, at)  # an event after the deadline shows that the deadline has passed
    if breach is not None:
        out.append(breach)
    return out


def _use_channel(case: CaseState, home: Channel, event: CaseEvent) -> list[Contribution]:
    """The channel switches ``event`` makes or moves, and the FRT's move to the multi-channel
    split if it makes the case multi-channel."""
    out = _switches(case, home, event)
    # Only a switch can make the case multi-channel. An FRT counted before the split was kept
    # (frt_multi None) stays out of it.
    if out and case.multi_channel:
        if case.frt_multi is False:
            out += _frt_became_multi(case, home, event.occurred_at)
        if case.single_csat:
            out += _csat_became_multi(case, event.occurred_at)
    return out


def _frt_became_multi(case: CaseState, home: Channel, at: datetime) -> list[Contribution]:
    """The FRT, counted as single-channel, moves to the multi-channel split: a case's split is
    by all the channels it used, as in the BI views, whichever came first, the answer or the
    second channel."""
    first = case.first_response_at
    assert first is not None, "an FRT counted has its first response"
    case.frt_multi = True
    seconds = _seconds(case, first)
    return [Contribution(Kind.FRT_BECAME_MULTI, home, at, seconds, True, _unless(first, at))]


def _csat_became_multi(case: CaseState, at: datetime) -> list[Contribution]:
    """The CSAT answers kept as single-channel move to the multi-channel split, each filed under
    its own windows, and are no longer kept: the case stays multi-channel."""
    kept, case.single_csat = case.single_csat, ()
    return [
        Contribution(Kind.CSAT_BECAME_MULTI, channel, at, float(score), True, _unless(sent, at))
        for _, sent, channel, score in kept
    ]


def _switches(case: CaseState, home: Channel, event: CaseEvent) -> list[Contribution]:
    """A switch is the first use of each channel after the case's first one, at its time. An
    event is a channel's first use if the channel is new, or if it is earlier than the use
    known so far (which came first): the switches then move to where they now are."""
    at, used, path = event.occurred_at, event.channel, case.path
    known = next((since for channel, since in path if channel is used), None)
    if known is not None and known <= at:
        return []
    if known is None and (not path or path[-1][1] <= at):  # a new channel, the latest: usually
        case.path = (*path, (used, at))
        return [_switch(Kind.CHANNEL_SWITCH, home, at, at, len(case.path))] if path else []
    case.path = tuple(sorted((*(e for e in path if e[0] is not used), (used, at)), key=_time_of))
    gone, new = _difference([since for _, since in path[1:]], [since for _, since in case.path[1:]])
    return [_switch(Kind.CHANNEL_SWITCH_RETRACTION, home, at, t, len(case.path)) for t in gone] + [
        _switch(Kind.CHANNEL_SWITCH, home, at, t, len(case.path)) for t in new
    ]


def _switch(kind: Kind, home: Channel, at: datetime, when: datetime, channels: int) -> Contribution:
    return Contribution(kind, home, at, float(channels), True, _unless(when, at))


def _difference(before: list[T], after: list[T]) -> tuple[list[T], list[T]]:
    """What ``before`` has that ``after`` has not, and the other way round, as multisets (two
    channels can be first used at the same instant)."""
    gone = list(before)
    new = []
    for t in after:
        if t in gone:
            gone.remove(t)
        else:
            new.append(t)
    return gone, new


def _unless(when: datetime, at: datetime) -> datetime | None:
    """A contribution's ``ref_at``: the time whose windows it belongs to, unless its own."""
    return None if when == at else when


def _enter_ivr(case: CaseState, at: datetime) -> list[Contribution]:
    entered = case.ivr_entered_at
    if entered is not None and entered <= at:
        return []
    case.ivr_entered_at = at
    if entered is None:
        return [Contribution(Kind.IVR_ENTERED, Channel.IVR, at)]
    # An earlier sign of the IVR known late: the entry moves to it, and an escape filed under
    # the entry with it.
    out = [
        Contribution(Kind.IVR_ENTERED_RETRACTION, Channel.IVR, at, ref_at=entered),
        Contribution(Kind.IVR_ENTERED, Channel.IVR, at),
    ]
    if case.ivr_escaped:
        out.append(Contribution(Kind.IVR_ESCAPE_RETRACTION, Channel.IVR, at, ref_at=entered))
        out.append(Contribution(Kind.IVR_ESCAPE, Channel.IVR, at, ref_at=at))
    return out


def _customer_contact(case: CaseState, home: Channel, event: CaseEvent) -> list[Contribution]:
    calls = _voice(case, event, _CALL) if event.channel in VOICE_CHANNELS else []
    at, resolved_at = event.occurred_at, case.resolved_at
    if resolved_at is not None and at > resolved_at:
        return calls  # FCR counts contacts before the resolution only
    case.contact_times = (*case.contact_times, at)
    if case.fcr and resolved_at is not None:
        # A contact dated before the resolution arrived after it: the case was not FCR after all.
        case.fcr = False
        calls.append(Contribution(Kind.FCR_CORRECTION, home, at, value=-1.0, ref_at=resolved_at))
    return calls


def _agent_response(case: CaseState, home: Channel, event: CaseEvent) -> list[Contribution]:
    at = event.occurred_at
    out: list[Contribution] = []
    first = case.first_response_at
    if first is None or at < first:
        if first is not None:  # an earlier answer known late: the windows' FRT is taken back
            took = _seconds(case, first)
            out.append(Contribution(Kind.FRT_RETRACTION, home, at, took, case.frt_multi, first))
        multi = case.multi_channel
        out.append(Contribution(Kind.FRT, home, at, value=_seconds(case, at), multi_channel=multi))
        case.first_response_at, case.frt_multi = at, multi
        out += _unbreach(case, home, at)
    if event.channel in VOICE_CHANNELS:
        out += _voice(case, event, _ANSWER)
    return out


_CALL, _ANSWER, _ABANDON = 0, 1, 2  # kinds of voice event, in the order of one instant


def _answers(voice: tuple[tuple[datetime, int, Channel], ...]) -> list[tuple[datetime, Channel]]:
    """The agent answers that answered a call: by event time, a customer's contact on a voice
    channel waits until the next voice answer (answered) or abandonment (not). Agent-only voice
    legs (transfers, callbacks) answer no waiting call, so they count as neither."""
    waiting, answered = False, []
    for at, what, channel in sorted(voice, key=_time_and_kind):
        if what == _CALL:
            waiting = True
        elif waiting:
            waiting = False
            if what == _ANSWER:
                answered.append((at, channel))
    return answered


_time_and_kind = itemgetter(0, 1)


def _voice(case: CaseState, event: CaseEvent, what: int) -> list[Contribution]:
    """Adds a voice event; the answers it makes count as answered calls, or no longer count
    (a contact or abandonment known late can change which answer answered a call)."""
    before = _answers(case.voice)
    case.voice = (*case.voice, (event.occurred_at, what, event.channel))
    gone, new = _difference(before, _answers(case.voice))
    at = event.occurred_at
    return [
        Contribution(Kind.CALL_ANSWERED_RETRACTION, channel, at, ref_at=_unless(when, at))
        for when, channel in gone
    ] + [
        Contribution(Kind.CALL_ANSWERED, channel, at, ref_at=_unless(when, at))
        for when, channel in new
    ]


def _resolve(case: CaseState, home: Channel, at: datetime, rules: CaseRules) -> list[Contribution]:
    _set_resolved(case, True, at)
    first = case.resolved_at
    if first is not None and at >= first:
        return []  # TTR, resolved count and FCR belong to the first resolution only
    out: list[Contribution] = []
    if first is not None:  # an earlier resolution known late: the windows' figures move to it
        fcr_was = float(bool(case.fcr))
        out.append(Contribution(Kind.TTR_RETRACTION, home, at, _seconds(case, first), None, first))
        out.append(Contribution(Kind.RESOLVED_RETRACTION, home, at, fcr_was, None, first))
    case.resolved_at = at
    case.contact_times = tuple(t for t in case.contact_times if t <= at)
    case.fcr = case.customer_contacts == 1 and not any(
        _reopen_counts(at, reopen, rules) for reopen in case.reopened_at
    )
    multi = case.multi_channel
    return [
        *out,
        Contribution(Kind.TTR, home, at, value=_seconds(case, at), multi_channel=multi),
        Contribution(Kind.RESOLVED, home, at, value=float(case.fcr), multi_channel=multi),
    ]


def _set_resolved(case: CaseState, resolved: bool, at: datetime) -> None:
    """A resolution or reopen at ``at`` sets the case's status unless a later one did."""
    changed = case.resolved_changed_at
    if changed is None or at >= changed:
        case.resolved, case.resolved_changed_at = resolved, at


def _reopen(case: CaseState, home: Channel, at: datetime, rules: CaseRules) -> list[Contribution]:
    _set_resolved(case, False, at)
    case.reopened_at = (*case.reopened_at, at)
    resolved_at = case.resolved_at
    if not case.fcr or resolved_at is None or not _reopen_counts(resolved_at, at, rules):
        return []
    case.fcr = False
    return [Contribution(Kind.FCR_CORRECTION, home, at, value=-1.0, ref_at=resolved_at)]


def _reopen_counts(resolved_at: datetime, reopened_at: datetime, rules: CaseRules) -> bool:
    """Whether a reopen undoes the FCR of a resolution: inside the window, both ends included."""
    return resolved_at <= reopened_at <= resolved_at + rules.fcr_reopen_window


def _breach(case: CaseState, now: datetime) -> Contribution | None:
    """Marks ``case`` breached if, at ``now``, its deadline has passed without a first response.

    A response exactly at the deadline meets it. As domain.md has it, only an agent_response
    does: a case resolved without one (a bot's answer, the customer's own fix) breaches too.
    """
    due, home = case.sla_deadline, case.first_channel
    if case.sla_breached or due is None or home is None or now <= due:
        return None
    answered = case.first_response_at
    if answered is not None and answered <= due:
        return None
    case.sla_breached = True
    return Contribution(Kind.SLA_BREACH, home, due, case_id=case.case_id)


def _unbreach(case: CaseState, home: Channel, answered: datetime) -> list[Contribution]:
    """Undoes the breach of a case whose first response, known late, met its deadline. The
    breach alert stays sent: at the deadline no answer was known."""
    due = case.sla_deadline
    if not case.sla_breached or due is None or answered > due:
        return []
    case.sla_breached = False
    return [Contribution(Kind.SLA_BREACH_CORRECTION, home, answered, value=-1.0, ref_at=due)]


def _seconds(case: CaseState, at: datetime) -> float:
    """Seconds from the opening to ``at``; clock skew between emitting systems can put an answer
    before the opening, which counts as an immediate answer rather than a negative duration."""
    assert case.opened_at is not None
    return max(0.0, (at - case.opened_at).total_seconds())


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One row of the cases fact table: the case as known after ``version`` changes."""

    case_id: str
    customer_id: str
    first_channel: Channel | None
    opened_at: datetime | None
    first_response_at: datetime | None
    frt_s: float | None
    resolved_at: datetime | None
    ttr_s: float | None
    customer_contacts: int
    channels: tuple[Channel, ...]
    multi_channel: bool
    fcr: bool | None
    reopened: bool
    sla_deadline: datetime | None
    sla_breached: bool
    abandoned: bool  # any call of the case was abandoned
    ivr_entered: bool
    ivr_escaped: bool
    version: int

    def to_dict(self) -> JsonDict:
        return {
            "case_id": self.case_id,
            "customer_id": self.customer_id,
            "first_channel": None if self.first_channel is None else self.first_channel.value,
            "opened_at": opt_time_to_json(self.opened_at),
            "first_response_at": opt_time_to_json(self.first_response_at),
            "frt_s": self.frt_s,
            "resolved_at": opt_time_to_json(self.resolved_at),
            "ttr_s": self.ttr_s,
            "customer_contacts": self.customer_contacts,
            "channels": [channel.value for channel in self.channels],
            "multi_channel": self.multi_channel,
            "fcr": self.fcr,
            "reopened": self.reopened,
            "sla_deadline": opt_time_to_json(self.sla_deadline),
            "sla_breached": self.sla_breached,
            "abandoned": self.abandoned,
            "ivr_entered": self.ivr_entered,
            "ivr_escaped": self.ivr_escaped,
            "version": self.version,
        }


def summarize(case: CaseState) -> CaseSummary:
    responded, resolved = case.first_response_at, case.resolved_at
    return CaseSummary(
        case_id=case.case_id,
        customer_id=case.customer_id,
        first_channel=case.first_channel,
        opened_at=case.opened_at,
        first_response_at=responded,
        frt_s=None if responded is None else _seconds(case, responded),
        resolved_at=resolved,
        ttr_s=None if resolved is None else _seconds(case, resolved),
        customer_contacts=case.customer_contacts,
        channels=case.channels,
        multi_channel=case.multi_channel,
        fcr=case.fcr,
        reopened=bool(case.reopened_at),
        sla_deadline=case.sla_deadline,
        sla_breached=case.sla_breached,
        abandoned=case.calls_abandoned > 0,
        ivr_entered=case.ivr_entered_at is not None,
        ivr_escaped=case.ivr_escaped,
        version=case.version,
    )
