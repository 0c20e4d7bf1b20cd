"""cx.alerts -> the outbound webhook, when ``alert_webhook_url`` is set (see streams.webhook)."""

from __future__ import annotations

import logging

import aiohttp
from faust import StreamT

from schemas import codec
from schemas.records import Alert
from streams.alerts import alert_json
from streams.app import alerts_topic, app
from streams.webhook import deliver
from touchstream.settings import get_settings

settings = get_settings()
log = logging.getLogger(__name__)

# Unset or empty (compose passes an empty value for "no webhook"): no agent.
URL = settings.alert_webhook_url.get_secret_value() if settings.alert_webhook_url else ""

if URL:

    @app.agent(alerts_topic)
    async def forward_alerts(stream: StreamT[bytes]) -> None:
        timeout = aiohttp.ClientTimeout(total=settings.alert_webhook_timeout_s)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async for event in stream.events():
                try:
                    alert = codec.decode_as(event.value, Alert)
                except codec.DecodeError as exc:
                    log.error("not an alert at offset %d: %s", event.message.offset, exc.reason)
                    continue
                await deliver(session, URL, alert_json(alert), settings.alert_webhook_max_backoff_s)
