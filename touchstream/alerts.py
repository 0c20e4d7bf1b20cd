"""``touchstream alerts tail``: the alert topic as on-call staff read it, one coloured line per
alert (time, severity, kind, channel, age, summary), or JSON lines for other tools."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import typer
from kafka import KafkaConsumer, TopicPartition
from rich.console import Console
from rich.text import Text

from schemas import codec
from schemas.records import Alert, AlertKind, AlertStatus, Channel
from streams.alerts import alert_json
from touchstream.kafka_options import consumer_options
from touchstream.settings import Settings, load_settings
from touchstream.since import parse_since

alerts_app = typer.Typer(no_args_is_help=True, help="Read the alerts on-call staff act on.")

SEVERITIES = ("low", "medium", "high")
_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}


@dataclass(frozen=True, slots=True)
class AlertFilter:
    kinds: frozenset[AlertKind] = frozenset()
    channels: frozenset[Channel] = frozenset()
    min_severity: str = "low"
    since: datetime | None = None

    def matches(self, alert: Alert) -> bool:
        severity = alert.severity if alert.severity in SEVERITIES else "high"
        return (
            (not self.kinds or alert.kind in self.kinds)
            and (not self.channels or alert.channel in self.channels)
            and SEVERITIES.index(severity) >= SEVERITIES.index(self.min_severity)
            and (self.since is None or alert.raised_at >= self.since)
        )


def age(seconds: float) -> str:
    if seconds < 0:
        return "ahead"  # event time ahead of this clock: replayed test traffic, clock skew
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size:.0f}{unit} ago"
    return f"{seconds:.0f}s ago"


def render(alert: Alert, now: datetime) -> Text:
    resolved = alert.status is AlertStatus.RESOLVED
    line = Text()
    line.append(f"{alert.raised_at:%Y-%m-%d %H:%M:%S} ")
    line.append(
        f"{'RESOLVED' if resolved else alert.severity.upper():<8} ",
        style="bold green" if resolved else _STYLE.get(alert.severity, "bold red"),
    )
    line.append(f"{alert.kind.value:<22} ", style="bold")
    line.append(f"{alert.channel.value if alert.channel else '-':<9} ", style="cyan")
    line.append(f"{age((now - alert.raised_at).total_seconds()):>9}  ", style="dim")
    line.append(alert.summary)
    return line


def read_alerts(
    settings: Settings, from_start: bool, follow: bool, poll_s: float = 1.0
) -> Iterator[Alert]:
    """Alerts from every partition of the alert topic, from the start or only new ones; without
    ``follow``, stops at the end the topic had when reading began."""
    consumer = KafkaConsumer(**consumer_options(settings), enable_auto_commit=False)
    try:
        partitions = consumer.partitions_for_topic(settings.topic_alerts) or set()
        assigned = [TopicPartition(settings.topic_alerts, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        (consumer.seek_to_beginning if from_start else consumer.seek_to_end)(*assigned)
        ends = consumer.end_offsets(assigned)
        while True:
            for records in consumer.poll(timeout_ms=int(poll_s * 1000)).values():
                for record in records:
                    try:
                        yield codec.decode_as(record.value, Alert)
                    except codec.DecodeError:
                        continue  # not an alert: the worker dead-letters nothing here
            if not follow and all(consumer.position(tp) >= ends[tp] for tp in assigned):
                return
    finally:
        consumer.close()


@alerts_app.command("tail")
def tail_command(
    kind: Annotated[
        list[AlertKind] | None, typer.Option(help="only this kind (repeatable)")
    ] = None,
    channel: Annotated[
        list[Channel] | None, typer.Option(help="only this channel (repeatable)")
    ] = None,
    severity: Annotated[
        str, typer.Option(help="at least this severity: low, medium, high")
    ] = "low",
    since: Annotated[
        str | None,
        typer.Option(help="also show earlier alerts raised since 30m, 2h, 1d or an ISO time"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    follow: Annotated[bool, typer.Option(help="keep waiting for new alerts")] = True,
) -> None:
    """Follow cx.alerts live (from now, or from --since)."""
    if severity not in SEVERITIES:
        raise typer.BadParameter(f"severity must be one of {', '.join(SEVERITIES)}")
    now = datetime.now(UTC)
    wanted = AlertFilter(
        frozenset(kind or ()),
        frozenset(channel or ()),
        severity,
        parse_since(since, now) if since else None,
    )
    console = Console(highlight=False)
    settings = load_settings()
    try:
        for alert in read_alerts(settings, from_start=since is not None, follow=follow):
            if not wanted.matches(alert):
                continue
            if as_json:
                print(json.dumps(alert_json(alert), ensure_ascii=False), flush=True)
            else:
                console.print(render(alert, datetime.now(UTC)), soft_wrap=True)
    except KeyboardInterrupt:
        pass
