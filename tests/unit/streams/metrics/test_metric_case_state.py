import copy
from datetime import UTC, datetime, timedelta

from faust.utils import json as faust_json

from schemas.records import Actor, Channel, EventType, JourneyStage, Touchpoint
from streams.metrics.case_state import (
    MAX_HELD,
    MAX_KEPT_ANSWERS,
    CaseState,
    apply,
    keep_single_channel_answer,
    sla_check,
    summarize,
)
from streams.metrics.contribution import Contribution, Kind

T0 = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
E = EventType
_ACTORS = {
    E.CONTACT_OPENED: Actor.CUSTOMER,
    E.CUSTOMER_MESSAGE: Actor.CUSTOMER,
    E.CALL_ABANDONED: Actor.CUSTOMER,
    E.IVR_ESCAPE: Actor.CUSTOMER,
    E.PAGE_VIEW: Actor.CUSTOMER,
    E.AGENT_RESPONSE: Actor.AGENT,
    E.BOT_RESPONSE: Actor.BOT,
}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def tp(
    event_type: EventType,
    minutes: float = 0.0,
    channel: Channel = Channel.CHAT,
    actor: Actor | None = None,
    stage: JourneyStage = JourneyStage.SUPPORT,
) -> Touchpoint:
    return Touchpoint(
        event_id=f"{event_type}-{minutes}-{channel}",
        occurred_at=at(minutes),
        customer_id="cust-1",
        case_id="case-1",
        channel=channel,
        actor=actor or _ACTORS.get(event_type, Actor.SYSTEM),
        event_type=event_type,
        journey_stage=stage,
        source="test",
    )


def run(
    *events: Touchpoint, state: CaseState | None = None
) -> tuple[CaseState, list[Contribution]]:
    case = state or CaseState("case-1")
    out: list[Contribution] = []
    for event in events:
        case, more = apply(case, event)
        out += more
    return case, out


def of_kind(contributions: list[Contribution], kind: Kind) -> list[Contribution]:
    return [c for c in contributions if c.kind is kind]


def test_opening_sets_first_contact_and_deadline() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0, Channel.SMS))
    assert out == [Contribution(Kind.CONTACT_OPENED, Channel.SMS, T0)]
    assert (case.first_channel, case.opened_at) == (Channel.SMS, T0)
    assert case.sla_deadline == T0 + timedelta(hours=2)
    assert case.customer_contacts == 1
    assert case.customer_id == "cust-1"


def test_frt_goes_to_the_opening_channel_at_the_response_time() -> None:
    _, out = run(tp(E.CONTACT_OPENED, 0, Channel.EMAIL), tp(E.AGENT_RESPONSE, 90, Channel.PHONE))
    assert of_kind(out, Kind.FRT) == [
        Contribution(Kind.FRT, Channel.EMAIL, at(90), value=5400.0, multi_channel=True)
    ]


def test_only_a_human_answer_counts_as_a_response() -> None:
    case, out = run(
        tp(E.CONTACT_OPENED, 0),
        tp(E.BOT_RESPONSE, 1),
        tp(E.AGENT_RESPONSE, 2, actor=Actor.BOT),
        tp(E.AGENT_RESPONSE, 2, actor=Actor.SYSTEM),  # an auto-acknowledgement
        tp(E.AGENT_RESPONSE, 2, actor=Actor.CUSTOMER),
        tp(E.AGENT_RESPONSE, 3),
    )
    assert of_kind(out, Kind.FRT) == [
        Contribution(Kind.FRT, Channel.CHAT, at(3), value=180.0, multi_channel=False)
    ]
    assert case.first_response_at == at(3)


def test_only_the_first_agent_response_gives_an_frt() -> None:
    _, out = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 1), tp(E.AGENT_RESPONSE, 2))
    assert [c.value for c in of_kind(out, Kind.FRT)] == [60.0]


def test_one_contact_resolution_is_fcr() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 2), tp(E.CASE_RESOLVED, 30))
    assert of_kind(out, Kind.TTR) == [
        Contribution(Kind.TTR, Channel.CHAT, at(30), value=1800.0, multi_channel=False)
    ]
    assert of_kind(out, Kind.RESOLVED) == [
        Contribution(Kind.RESOLVED, Channel.CHAT, at(30), value=1.0, multi_channel=False)
    ]
    assert case.fcr is True


def test_two_contacts_before_resolution_is_not_fcr() -> None:
    case, out = run(
        tp(E.CONTACT_OPENED, 0),
        tp(E.AGENT_RESPONSE, 2),
        tp(E.CUSTOMER_MESSAGE, 5),
        tp(E.CASE_RESOLVED, 30),
    )
    assert [c.value for c in of_kind(out, Kind.RESOLVED)] == [0.0]
    assert (case.fcr, case.customer_contacts) == (False, 2)


def test_contacts_after_the_resolution_do_not_count() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CASE_RESOLVED, 30), tp(E.CUSTOMER_MESSAGE, 40))
    assert (case.fcr, case.customer_contacts) == (True, 1)
    assert of_kind(out, Kind.FCR_CORRECTION) == []


def test_a_contact_at_the_resolution_instant_counts_as_before() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0, Channel.IN_PERSON), tp(E.CASE_RESOLVED, 0))
    assert (case.customer_contacts, case.fcr) == (1, True)


def test_reopen_within_7_days_corrects_the_resolution_window() -> None:
    reopen = 30 + 6 * 24 * 60
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CASE_RESOLVED, 30), tp(E.CASE_REOPENED, reopen))
    assert of_kind(out, Kind.FCR_CORRECTION) == [
        Contribution(Kind.FCR_CORRECTION, Channel.CHAT, at(reopen), value=-1.0, ref_at=at(30))
    ]
    assert of_kind(out, Kind.FCR_CORRECTION)[0].window_at == at(30)
    assert (case.fcr, case.resolved) == (False, False)
    assert summarize(case).reopened is True


def test_reopen_exactly_7_days_later_still_corrects() -> None:
    reopen = 30 + 7 * 24 * 60
    _, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CASE_RESOLVED, 30), tp(E.CASE_REOPENED, reopen))
    assert len(of_kind(out, Kind.FCR_CORRECTION)) == 1


def test_reopen_after_7_days_keeps_fcr() -> None:
    reopen = 30 + 7 * 24 * 60 + 1
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CASE_RESOLVED, 30), tp(E.CASE_REOPENED, reopen))
    assert of_kind(out, Kind.FCR_CORRECTION) == []
    assert case.fcr is True
    assert summarize(case).reopened is True


def test_reopen_of_a_non_fcr_case_corrects_nothing() -> None:
    _, out = run(
        tp(E.CONTACT_OPENED, 0),
        tp(E.CUSTOMER_MESSAGE, 1),
        tp(E.CASE_RESOLVED, 30),
        tp(E.CASE_REOPENED, 60),
    )
    assert of_kind(out, Kind.FCR_CORRECTION) == []


def test_second_resolution_adds_no_ttr_nor_resolved_count() -> None:
    case, out = run(
        tp(E.CONTACT_OPENED, 0),
        tp(E.CASE_RESOLVED, 30),
        tp(E.CASE_REOPENED, 60),
        tp(E.CASE_RESOLVED, 90),
        tp(E.AGENT_RESPONSE, 95),
    )
    assert len(of_kind(out, Kind.TTR)) == len(of_kind(out, Kind.RESOLVED)) == 1
    assert (case.resolved, case.resolved_at) == (True, at(30))
    assert of_kind(out, Kind.FRT)[0].value == 95 * 60.0  # a first answer after resolution


def test_an_earlier_resolution_known_late_moves_ttr_and_the_resolved_count_to_it() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0), tp(E.CASE_RESOLVED, 30))
    case, out = run(tp(E.CASE_RESOLVED, 20), state=case)
    assert out == [
        Contribution(Kind.TTR_RETRACTION, Channel.CHAT, at(20), 1800.0, ref_at=at(30)),
        Contribution(Kind.RESOLVED_RETRACTION, Channel.CHAT, at(20), 1.0, ref_at=at(30)),
        Contribution(Kind.TTR, Channel.CHAT, at(20), 1200.0, multi_channel=False),
        Contribution(Kind.RESOLVED, Channel.CHAT, at(20), 1.0, multi_channel=False),
    ]
    assert out[0].window_at == out[1].window_at == at(30)  # the windows that counted them
    summary = summarize(case)
    assert (summary.resolved_at, summary.ttr_s, summary.fcr, case.resolved) == (
        at(20),
        1200.0,
        True,
        True,
    )


def test_fcr_is_judged_again_at_an_earlier_resolution() -> None:
    """A second contact at 25 made the resolution at 30 non-FCR; by 20 there was one contact."""
    case, _ = run(tp(E.CONTACT_OPENED, 0), tp(E.CUSTOMER_MESSAGE, 25), tp(E.CASE_RESOLVED, 30))
    assert case.fcr is False
    case, out = run(tp(E.CASE_RESOLVED, 20), state=case)
    assert [(c.kind, c.value) for c in out] == [
        (Kind.TTR_RETRACTION, 1800.0),
        (Kind.RESOLVED_RETRACTION, 0.0),
        (Kind.TTR, 1200.0),
        (Kind.RESOLVED, 1.0),
    ]
    assert (case.fcr, case.customer_contacts) == (True, 1)


def test_a_reopen_after_an_earlier_resolution_known_late_undoes_its_fcr() -> None:
    """By event time: resolved at 20, reopened at 25, resolved again at 30. The reopen came
    before the resolution at 30, so that one was FCR, until the one at 20 arrived."""
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CASE_REOPENED, 25), tp(E.CASE_RESOLVED, 30))
    assert [c.value for c in of_kind(out, Kind.RESOLVED)] == [1.0]
    case, out = run(tp(E.CASE_RESOLVED, 20), state=case)
    assert [(c.kind, c.value) for c in out] == [
        (Kind.TTR_RETRACTION, 1800.0),
        (Kind.RESOLVED_RETRACTION, 1.0),
        (Kind.TTR, 1200.0),
        (Kind.RESOLVED, 0.0),
    ]
    # Still resolved: the resolution at 30 is the latest change.
    assert (case.resolved_at, case.fcr, case.resolved) == (at(20), False, True)


def test_the_status_follows_the_latest_resolution_or_reopen_by_event_time() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CASE_RESOLVED, 30), tp(E.CASE_REOPENED, 25))
    assert (case.resolved, of_kind(out, Kind.FCR_CORRECTION)) == (True, [])
    case, out = run(tp(E.CASE_REOPENED, 40), tp(E.CASE_RESOLVED, 35), state=case)
    assert case.resolved is False
    assert of_kind(out, Kind.TTR) + of_kind(out, Kind.TTR_RETRACTION) == []


def test_response_before_opening_is_held_then_emitted_with_its_own_time() -> None:
    case, out = run(tp(E.AGENT_RESPONSE, 2), tp(E.CASE_RESOLVED, 10))
    assert out == []
    assert len(case.held) == 2
    case, out = run(tp(E.CONTACT_OPENED, 0), state=case)
    assert [c.kind for c in out] == [Kind.CONTACT_OPENED, Kind.FRT, Kind.TTR, Kind.RESOLVED]
    frt, ttr = of_kind(out, Kind.FRT)[0], of_kind(out, Kind.TTR)[0]
    assert (frt.at, frt.value, frt.channel) == (at(2), 120.0, Channel.CHAT)
    assert (ttr.at, ttr.value) == (at(10), 600.0)
    assert case.held == ()
    assert case.version == 3


def test_held_events_replay_in_event_time_order() -> None:
    _, out = run(tp(E.CASE_RESOLVED, 10), tp(E.AGENT_RESPONSE, 2), tp(E.CONTACT_OPENED, 0))
    assert [c.kind for c in out] == [Kind.CONTACT_OPENED, Kind.FRT, Kind.TTR, Kind.RESOLVED]


def test_a_late_contact_dated_before_the_resolution_corrects_fcr() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CASE_RESOLVED, 30), tp(E.CUSTOMER_MESSAGE, 20))
    assert of_kind(out, Kind.FCR_CORRECTION) == [
        Contribution(Kind.FCR_CORRECTION, Channel.CHAT, at(20), value=-1.0, ref_at=at(30))
    ]
    assert (case.fcr, case.customer_contacts) == (False, 2)


def test_a_contact_applied_before_but_dated_after_the_resolution_does_not_count() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CUSTOMER_MESSAGE, 40), tp(E.CASE_RESOLVED, 30))
    assert [c.value for c in of_kind(out, Kind.RESOLVED)] == [1.0]
    assert case.customer_contacts == 1


def test_a_reopen_known_before_the_resolution_makes_it_non_fcr() -> None:
    _, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CASE_REOPENED, 60), tp(E.CASE_RESOLVED, 30))
    assert [c.value for c in of_kind(out, Kind.RESOLVED)] == [0.0]


def test_held_events_are_bounded() -> None:
    case = CaseState("case-1")
    for i in range(MAX_HELD + 5):
        case, _ = apply(case, tp(E.PAGE_VIEW, i, Channel.WEB))
    assert len(case.held) == MAX_HELD
    assert case.version == MAX_HELD + 5


def test_channel_path_switches_and_system_events() -> None:
    case, out = run(
        tp(E.CONTACT_OPENED, 0, Channel.CHAT),
        tp(E.QUEUE_ENTERED, 1, Channel.PHONE),  # system: not a channel the customer used
        tp(E.CUSTOMER_MESSAGE, 2, Channel.EMAIL),
        tp(E.AGENT_RESPONSE, 3, Channel.EMAIL),
        tp(E.CUSTOMER_MESSAGE, 4, Channel.SMS),
    )
    assert case.channels == (Channel.CHAT, Channel.EMAIL, Channel.SMS)
    assert of_kind(out, Kind.CHANNEL_SWITCH) == [
        Contribution(Kind.CHANNEL_SWITCH, Channel.CHAT, at(2), value=2.0, multi_channel=True),
        Contribution(Kind.CHANNEL_SWITCH, Channel.CHAT, at(4), value=3.0, multi_channel=True),
    ]
    assert case.multi_channel is True


def test_a_channels_earlier_use_known_late_moves_its_switch() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0, Channel.CHAT), tp(E.CUSTOMER_MESSAGE, 4, Channel.EMAIL))
    case, out = run(tp(E.CUSTOMER_MESSAGE, 2, Channel.EMAIL), state=case)
    assert out == [
        Contribution(Kind.CHANNEL_SWITCH_RETRACTION, Channel.CHAT, at(2), 2.0, True, at(4)),
        Contribution(Kind.CHANNEL_SWITCH, Channel.CHAT, at(2), value=2.0, multi_channel=True),
    ]
    assert case.path == ((Channel.CHAT, at(0)), (Channel.EMAIL, at(2)))
    _, out = run(tp(E.CUSTOMER_MESSAGE, 3, Channel.EMAIL), state=case)
    assert of_kind(out, Kind.CHANNEL_SWITCH) + of_kind(out, Kind.CHANNEL_SWITCH_RETRACTION) == []


def test_a_channel_used_before_every_other_makes_the_first_one_a_switch() -> None:
    """The switches are the first uses after the case's first one: SMS at -2 makes chat's
    use at 0 the switch."""
    case, _ = run(tp(E.CONTACT_OPENED, 0, Channel.CHAT), tp(E.CUSTOMER_MESSAGE, 3, Channel.EMAIL))
    _, out = run(tp(E.CUSTOMER_MESSAGE, -2, Channel.SMS), state=case)
    assert of_kind(out, Kind.CHANNEL_SWITCH) == [
        Contribution(
            Kind.CHANNEL_SWITCH, Channel.CHAT, at(-2), value=3.0, multi_channel=True, ref_at=at(0)
        ),
    ]
    assert of_kind(out, Kind.CHANNEL_SWITCH_RETRACTION) == []


def test_path_is_in_event_time_order() -> None:
    case, _ = run(tp(E.PAGE_VIEW, 5, Channel.WEB), tp(E.CONTACT_OPENED, 10, Channel.CHAT))
    assert case.channels == (Channel.WEB, Channel.CHAT)


def test_ivr_entry_escape_and_answered_call() -> None:
    case, out = run(
        tp(E.CONTACT_OPENED, 0, Channel.IVR),
        tp(E.BOT_RESPONSE, 1, Channel.IVR),
        tp(E.IVR_ESCAPE, 2, Channel.IVR),
        tp(E.QUEUE_ENTERED, 3, Channel.PHONE),
        tp(E.AGENT_RESPONSE, 6, Channel.PHONE),
    )
    assert of_kind(out, Kind.IVR_ENTERED) == [Contribution(Kind.IVR_ENTERED, Channel.IVR, T0)]
    assert of_kind(out, Kind.IVR_ESCAPE) == [
        Contribution(Kind.IVR_ESCAPE, Channel.IVR, at(2), ref_at=T0)
    ]
    assert of_kind(out, Kind.CALL_ANSWERED) == [
        Contribution(Kind.CALL_ANSWERED, Channel.PHONE, at(6))
    ]
    summary = summarize(case)
    assert (summary.ivr_entered, summary.ivr_escaped, summary.abandoned) == (True, True, False)


def test_an_earlier_sign_of_the_ivr_known_late_moves_the_entry_and_its_escape() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0, Channel.PHONE), tp(E.IVR_ESCAPE, 3, Channel.IVR))
    case, out = run(tp(E.BOT_RESPONSE, 1, Channel.IVR), state=case)
    ivr = Channel.IVR
    assert [c for c in out if c.channel is ivr] == [
        Contribution(Kind.IVR_ENTERED_RETRACTION, ivr, at(1), ref_at=at(3)),
        Contribution(Kind.IVR_ENTERED, ivr, at(1)),
        Contribution(Kind.IVR_ESCAPE_RETRACTION, ivr, at(1), ref_at=at(3)),
        Contribution(Kind.IVR_ESCAPE, ivr, at(1), ref_at=at(1)),
    ]
    assert case.ivr_entered_at == at(1)


def test_an_escape_implies_the_ivr_was_entered_and_counts_once() -> None:
    _, out = run(
        tp(E.CONTACT_OPENED, 0, Channel.PHONE),
        tp(E.IVR_ESCAPE, 1, Channel.PHONE),
        tp(E.IVR_ESCAPE, 2, Channel.PHONE),
    )
    assert of_kind(out, Kind.IVR_ENTERED) == [Contribution(Kind.IVR_ENTERED, Channel.IVR, at(1))]
    assert of_kind(out, Kind.IVR_ESCAPE) == [
        Contribution(Kind.IVR_ESCAPE, Channel.IVR, at(1), ref_at=at(1))
    ]


def test_abandoned_then_answered_calls_and_outbound_callbacks() -> None:
    case, out = run(
        tp(E.CONTACT_OPENED, 0, Channel.PHONE),
        tp(E.CALL_ABANDONED, 2, Channel.PHONE),
        tp(E.AGENT_RESPONSE, 30, Channel.PHONE),  # a callback: no inbound call waited
        tp(E.CUSTOMER_MESSAGE, 60, Channel.PHONE),
        tp(E.AGENT_RESPONSE, 61, Channel.PHONE),
        tp(E.AGENT_RESPONSE, 62, Channel.PHONE),  # same call, after a transfer
    )
    assert [c.kind for c in out if c.kind in {Kind.CALL_ABANDONED, Kind.CALL_ANSWERED}] == [
        Kind.CALL_ABANDONED,
        Kind.CALL_ANSWERED,
    ]
    assert (case.calls_abandoned, case.calls_answered) == (1, 1)
    assert summarize(case).abandoned is True


def test_a_call_known_after_its_answer_counts_as_answered() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 6, Channel.PHONE))
    assert of_kind(out, Kind.CALL_ANSWERED) == []  # no call was known to wait
    case, out = run(tp(E.CUSTOMER_MESSAGE, 5, Channel.PHONE), state=case)
    assert of_kind(out, Kind.CALL_ANSWERED) == [
        Contribution(Kind.CALL_ANSWERED, Channel.PHONE, at(5), ref_at=at(6))
    ]
    assert case.calls_answered == 1


def test_an_abandonment_known_late_takes_the_answer_back() -> None:
    """By event time the call at 5 was abandoned at 6: the agent's answer at 7 answered none."""
    case, _ = run(tp(E.CONTACT_OPENED, 5, Channel.PHONE), tp(E.AGENT_RESPONSE, 7, Channel.PHONE))
    assert case.calls_answered == 1
    case, out = run(tp(E.CALL_ABANDONED, 6, Channel.PHONE), state=case)
    assert out == [
        Contribution(Kind.CALL_ABANDONED, Channel.PHONE, at(6)),
        Contribution(Kind.CALL_ANSWERED_RETRACTION, Channel.PHONE, at(6), ref_at=at(7)),
    ]
    assert (case.calls_answered, case.calls_abandoned) == (0, 1)


def test_a_call_waiting_in_a_state_saved_before_voice_events_were_kept_is_answered() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0, Channel.PHONE))
    saved = faust_json.loads(faust_json.dumps(case))
    del saved["voice"]
    older = CaseState.from_dict(saved | {"call_waiting": True, "calls_answered": 0})
    _, out = run(tp(E.AGENT_RESPONSE, 2, Channel.PHONE), state=older)
    assert of_kind(out, Kind.CALL_ANSWERED) == [
        Contribution(Kind.CALL_ANSWERED, Channel.PHONE, at(2))
    ]


def test_abandon_on_a_non_voice_channel_is_not_a_call() -> None:
    _, out = run(tp(E.CONTACT_OPENED, 0), tp(E.CALL_ABANDONED, 1))
    assert of_kind(out, Kind.CALL_ABANDONED) == []


def test_sla_timer_breaches_once_at_the_deadline() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0))
    assert sla_check(case, at(4)) == (case, None)
    assert sla_check(case, at(5))[1] is None  # answering exactly at the deadline meets it
    opened = case
    case, breach = sla_check(case, at(5) + timedelta(seconds=1))
    assert breach == Contribution(Kind.SLA_BREACH, Channel.CHAT, at(5), case_id="case-1")
    assert case.sla_breached is True
    assert case.version == opened.version + 1  # its fact supersedes the one before
    assert sla_check(case, at(60))[1] is None
    _, out = run(tp(E.AGENT_RESPONSE, 20), state=case)
    assert of_kind(out, Kind.SLA_BREACH) == []


def test_sla_not_breached_when_answered_in_time() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 3))
    assert sla_check(case, at(60))[1] is None
    assert summarize(case).sla_breached is False


def test_a_case_resolved_without_an_agent_response_breaches_at_its_deadline() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0), tp(E.BOT_RESPONSE, 1), tp(E.CASE_RESOLVED, 2))
    assert sla_check(case, at(5))[1] is None
    breach = Contribution(Kind.SLA_BREACH, Channel.CHAT, at(5), case_id="case-1")
    assert sla_check(case, at(5) + timedelta(seconds=1))[1] == breach


def test_late_response_without_timer_still_breaches_at_the_deadline() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 7))
    breach = Contribution(Kind.SLA_BREACH, Channel.CHAT, at(5), case_id="case-1")
    assert of_kind(out, Kind.SLA_BREACH) == [breach]
    assert sla_check(case, at(60))[1] is None


def test_an_earlier_answer_known_late_becomes_the_first_response() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 4), tp(E.AGENT_RESPONSE, 3))
    assert case.first_response_at == at(3)
    assert summarize(case).frt_s == 180.0
    # The windows' FRT moves too: the 240 s they were given is taken back from its windows.
    assert of_kind(out, Kind.FRT) + of_kind(out, Kind.FRT_RETRACTION) == [
        Contribution(Kind.FRT, Channel.CHAT, at(4), 240.0, multi_channel=False),
        Contribution(Kind.FRT, Channel.CHAT, at(3), 180.0, multi_channel=False),
        Contribution(Kind.FRT_RETRACTION, Channel.CHAT, at(3), 240.0, False, ref_at=at(4)),
    ]
    assert of_kind(out, Kind.FRT_RETRACTION)[0].window_at == at(4)
    assert of_kind(out, Kind.SLA_BREACH) + of_kind(out, Kind.SLA_BREACH_CORRECTION) == []


def test_an_frt_moves_to_the_multi_channel_split_when_the_case_uses_a_second_channel() -> None:
    """Counted single-channel; the case then uses email: the FRT moves to the multi-channel split,
    filed under its own windows, and is taken back from there when an earlier answer comes."""
    case, _ = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 4))
    case, out = run(tp(E.CUSTOMER_MESSAGE, 5, Channel.EMAIL), state=case)
    assert of_kind(out, Kind.FRT_BECAME_MULTI) == [
        Contribution(Kind.FRT_BECAME_MULTI, Channel.CHAT, at(5), 240.0, True, ref_at=at(4))
    ]
    assert case.frt_multi is True
    case, out = run(tp(E.AGENT_RESPONSE, 3), tp(E.CUSTOMER_MESSAGE, 6, Channel.SMS), state=case)
    assert of_kind(out, Kind.FRT_RETRACTION) == [
        Contribution(Kind.FRT_RETRACTION, Channel.CHAT, at(3), 240.0, True, ref_at=at(4))
    ]
    assert of_kind(out, Kind.FRT) == [
        Contribution(Kind.FRT, Channel.CHAT, at(3), 180.0, multi_channel=True)
    ]
    assert of_kind(out, Kind.FRT_BECAME_MULTI) == []  # a third channel: multi-channel already


def test_an_frt_counted_before_the_split_was_kept_stays_out_of_it() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 4))
    case.frt_multi = None  # as read from a state saved before
    case, out = run(tp(E.CUSTOMER_MESSAGE, 5, Channel.EMAIL), state=case)
    assert of_kind(out, Kind.FRT_BECAME_MULTI) == [] and case.frt_multi is None


def test_kept_csat_answers_move_when_the_case_uses_a_second_channel() -> None:
    """Each answer moves on its own channel, filed under its own windows; once moved they are no
    longer kept, so a third channel moves nothing."""
    case, _ = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 4))
    for answer in (("fb-1", at(10), Channel.CHAT, 5), ("fb-2", at(12), Channel.WEB, 2)):
        kept = keep_single_channel_answer(case, *answer)
        assert kept is not None
        case = kept
    case, out = run(tp(E.CUSTOMER_MESSAGE, 20, Channel.EMAIL), state=case)
    assert of_kind(out, Kind.CSAT_BECAME_MULTI) == [
        Contribution(Kind.CSAT_BECAME_MULTI, Channel.CHAT, at(20), 5.0, True, ref_at=at(10)),
        Contribution(Kind.CSAT_BECAME_MULTI, Channel.WEB, at(20), 2.0, True, ref_at=at(12)),
    ]
    assert case.single_csat == ()
    _, out = run(tp(E.CUSTOMER_MESSAGE, 30, Channel.SMS), state=case)
    assert of_kind(out, Kind.CSAT_BECAME_MULTI) == []


def test_a_second_use_of_the_same_channel_moves_no_kept_answer() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0))
    kept = keep_single_channel_answer(case, "fb-1", at(10), Channel.CHAT, 3)
    assert kept is not None
    case, out = run(tp(E.CUSTOMER_MESSAGE, 20), tp(E.QUEUE_ENTERED, 21, Channel.EMAIL), state=kept)
    assert of_kind(out, Kind.CSAT_BECAME_MULTI) == []  # the system's queueing is no channel used
    assert case.single_csat == (("fb-1", at(10), Channel.CHAT, 3),)


def test_keeping_an_answer_is_idempotent_bounded_and_leaves_the_version() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0))
    kept = keep_single_channel_answer(case, "fb-1", at(10), Channel.CHAT, 3)
    assert kept is not None and kept is not case and case.single_csat == ()
    assert kept.version == case.version  # the case's facts do not change
    assert keep_single_channel_answer(kept, "fb-1", at(10), Channel.CHAT, 3) is kept  # a replay
    for n in range(2, MAX_KEPT_ANSWERS + 1):
        more = keep_single_channel_answer(kept, f"fb-{n}", at(10), Channel.CHAT, 3)
        assert more is not None
        kept = more
    assert len(kept.single_csat) == MAX_KEPT_ANSWERS
    assert keep_single_channel_answer(kept, "fb-past", at(10), Channel.CHAT, 3) is None


def test_an_answer_in_time_known_after_a_late_one_undoes_the_breach() -> None:
    case, out = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 7))
    assert of_kind(out, Kind.SLA_BREACH) == [
        Contribution(Kind.SLA_BREACH, Channel.CHAT, at(5), case_id="case-1")
    ]
    case, out = run(tp(E.AGENT_RESPONSE, 4), state=case)
    correction = Contribution(Kind.SLA_BREACH_CORRECTION, Channel.CHAT, at(4), -1.0, ref_at=at(5))
    assert out == [
        Contribution(Kind.FRT_RETRACTION, Channel.CHAT, at(4), 420.0, False, ref_at=at(7)),
        Contribution(Kind.FRT, Channel.CHAT, at(4), 240.0, multi_channel=False),
        correction,
    ]
    assert correction.window_at == at(5)  # the windows that counted the breach
    assert (summarize(case).sla_breached, summarize(case).frt_s) == (False, 240.0)
    assert sla_check(case, at(60))[1] is None
    _, out = run(tp(E.CUSTOMER_MESSAGE, 30), state=case)
    assert of_kind(out, Kind.SLA_BREACH) == []


def test_a_first_answer_in_time_known_after_the_breach_timer_undoes_the_breach() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0))
    case, breach = sla_check(case, at(6))
    assert breach is not None and case.sla_breached
    case, out = run(tp(E.AGENT_RESPONSE, 5), state=case)  # exactly at the deadline meets it
    assert of_kind(out, Kind.FRT) == [
        Contribution(Kind.FRT, Channel.CHAT, at(5), value=300.0, multi_channel=False)
    ]
    assert of_kind(out, Kind.SLA_BREACH_CORRECTION) == [
        Contribution(Kind.SLA_BREACH_CORRECTION, Channel.CHAT, at(5), -1.0, ref_at=at(5))
    ]
    assert case.sla_breached is False


def test_an_earlier_answer_still_after_the_deadline_keeps_the_breach() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 9))
    case, out = run(tp(E.AGENT_RESPONSE, 6), state=case)
    assert [c.kind for c in out] == [Kind.FRT_RETRACTION, Kind.FRT]
    assert (case.first_response_at, case.sla_breached) == (at(6), True)


def test_apply_does_not_touch_its_input() -> None:
    case, _ = run(tp(E.CONTACT_OPENED, 0))
    before = copy.copy(case)  # a snapshot: the fields hold immutable values
    apply(case, tp(E.CUSTOMER_MESSAGE, 1, Channel.EMAIL))
    sla_check(case, at(10))
    assert case == before


def test_journey_stage_is_that_of_the_latest_event() -> None:
    case, _ = run(
        tp(E.CONTACT_OPENED, 0, stage=JourneyStage.SUPPORT),
        tp(E.PURCHASE, 9, stage=JourneyStage.PURCHASE),
        tp(E.CUSTOMER_MESSAGE, 5, stage=JourneyStage.ONBOARDING),
    )
    assert (case.journey_stage, case.last_event_at) == (JourneyStage.PURCHASE, at(9))


def test_state_round_trips_through_the_changelog_json() -> None:
    """The cases table's changelog holds Faust's JSON of the dataclasses (see streams.case_log)."""
    case, _ = run(
        tp(E.CONTACT_OPENED, 0, Channel.IVR),
        tp(E.IVR_ESCAPE, 1, Channel.IVR),
        tp(E.AGENT_RESPONSE, 3, Channel.PHONE),
        tp(E.CASE_RESOLVED, 10),
        tp(E.CASE_REOPENED, 20),
    )
    assert CaseState.from_dict(faust_json.loads(faust_json.dumps(case))) == case
    held, _ = run(tp(E.AGENT_RESPONSE, 3))
    assert held.held
    assert CaseState.from_dict(faust_json.loads(faust_json.dumps(held))) == held
    keeping = keep_single_channel_answer(case, "fb-1", at(40), Channel.EMAIL, 4)
    assert keeping is not None and keeping.single_csat
    assert CaseState.from_dict(faust_json.loads(faust_json.dumps(keeping))) == keeping


def test_a_state_saved_before_frt_splits_and_status_times_were_kept_is_read() -> None:
    """Its FRT is taken back from the totals only, as the split it was counted in is unknown."""
    case, _ = run(tp(E.CONTACT_OPENED, 0), tp(E.AGENT_RESPONSE, 4), tp(E.CASE_RESOLVED, 30))
    saved = faust_json.loads(faust_json.dumps(case))
    del saved["frt_multi"], saved["resolved_changed_at"]
    older = CaseState.from_dict(saved)
    assert (older.frt_multi, older.resolved_changed_at, older.resolved) == (None, None, True)
    _, out = run(tp(E.AGENT_RESPONSE, 3), state=older)
    assert of_kind(out, Kind.FRT_RETRACTION) == [
        Contribution(Kind.FRT_RETRACTION, Channel.CHAT, at(3), 240.0, None, ref_at=at(4))
    ]


def test_summary_row() -> None:
    case, _ = run(
        tp(E.CONTACT_OPENED, 0, Channel.CHAT),
        tp(E.AGENT_RESPONSE, 2, Channel.CHAT),
        tp(E.CUSTOMER_MESSAGE, 3, Channel.EMAIL),
        tp(E.CASE_RESOLVED, 30, Channel.EMAIL, actor=Actor.AGENT),
    )
    summary = summarize(case)
    assert summary.to_dict() == {
        "case_id": "case-1",
        "customer_id": "cust-1",
        "first_channel": "chat",
        "opened_at": "2024-05-06T10:00:00+00:00",
        "first_response_at": "2024-05-06T10:02:00+00:00",
        "frt_s": 120.0,
        "resolved_at": "2024-05-06T10:30:00+00:00",
        "ttr_s": 1800.0,
        "customer_contacts": 2,
        "channels": ["chat", "email"],
        "multi_channel": True,
        "fcr": False,
        "reopened": False,
        "sla_deadline": "2024-05-06T10:05:00+00:00",
        "sla_breached": False,
        "abandoned": False,
        "ivr_entered": False,
        "ivr_escaped": False,
        "version": 4,
    }


def test_summary_of_an_unopened_case() -> None:
    case, _ = run(tp(E.AGENT_RESPONSE, 3))
    summary = summarize(case)
    assert (summary.opened_at, summary.frt_s, summary.fcr, summary.version) == (None, None, None, 1)


def test_apply_and_the_sla_timer_leave_the_given_state_as_it_was() -> None:
    """The outbox keeps the state an event was applied to until the batch's writes are made."""
    case, _ = run(tp(E.CONTACT_OPENED, 0))
    before = copy.copy(case)
    answered, _ = apply(case, tp(E.AGENT_RESPONSE, 2))
    breached, _ = sla_check(case, at(6))
    assert case == before
    assert (answered.version, breached.version) == (case.version + 1, case.version + 1)
    assert answered.first_response_at == at(2) and case.first_response_at is None
    assert breached.sla_breached and not case.sla_breached
