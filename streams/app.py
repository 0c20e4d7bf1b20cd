"""The Faust app: its topics and tables. Agents and timers live in ``streams.agents`` and are
registered by importing ``streams.worker``.

Every topic outside the app carries Confluent-framed Avro (``schemas.codec``), so the app reads
and writes raw bytes and decodes itself: an undecodable record becomes a dead letter, not a
crashed agent. The internal contributions topic is JSON, keyed by channel.
"""

from __future__ import annotations

import faust

from streams.faust_config import faust_settings
from streams.raw_schema import RawSchema
from touchstream.settings import get_settings

settings = get_settings()
app = faust.App(settings.app_id, **faust_settings(settings))

_PARTITIONS = settings.topic_partitions


def _raw_topic(name: str) -> faust.TopicT:
    return app.topic(name, partitions=_PARTITIONS, schema=RawSchema())


touchpoints_topic = _raw_topic(settings.topic_touchpoints)
feedback_topic = _raw_topic(settings.topic_feedback)
deadletter_topic = _raw_topic(settings.topic_deadletter)
alerts_topic = _raw_topic(settings.topic_alerts)
windows_topic = _raw_topic(settings.topic_windows)
touchpoint_facts_topic = _raw_topic(settings.topic_fact_touchpoints)
feedback_facts_topic = _raw_topic(settings.topic_fact_feedback)
case_facts_topic = _raw_topic(settings.topic_fact_cases)
contributions_topic = app.topic(
    f"{settings.app_id}-contributions",
    partitions=_PARTITIONS,
    key_serializer="raw",
    value_serializer="json",
    internal=True,
)

# Timers may not write tables (Faust needs the partition of the event being processed), so
# they send a tick to every partition of this topic; the agent that reads it does the writes,
# for the keys of that partition.
ticks_topic = app.topic(
    f"{settings.app_id}-ticks", partitions=_PARTITIONS, value_serializer="json", internal=True
)

# case_id -> CaseEntry (state + applied event ids). Co-partitioned with both input topics,
# which are keyed by case_id, so feedback of a case finds its state on the same worker.
cases = app.Table("cases", default=None, partitions=_PARTITIONS)
# event_id / feedback_id -> [event time (epoch s), partition], for ids that belong to no case
# state: pure browsing and feedback. Expired after settings.dedup_ttl_s of event time.
seen = app.Table("seen", default=None, partitions=_PARTITIONS)
# case_id -> SLA deadline (ISO), for cases still waiting for their first agent response: the
# breach timer's work list, so it never scans every case.
awaiting_response = app.Table("awaiting-response", default=None, partitions=_PARTITIONS)
# channel -> ChannelWindows: the open windows of that channel.
channel_windows = app.Table("channel-windows", default=None, partitions=_PARTITIONS)
