"""The optional outbound hook: every alert POSTed as JSON to the URL in settings, retried with a
capped exponential backoff until the receiver takes it.

Delivery is at least once: the alerts agent commits an alert's offset only after its POST
succeeded, so a worker that dies mid-retry sends it again after the restart. Each POST carries the
alert id as ``Idempotency-Key`` for receivers that drop repeats. Retrying is for failures that may
pass (network errors, timeouts, 408, 429, 5xx); any other answer means the receiver will never
take this alert, so it is counted and skipped rather than holding back every later alert. Logs
name the alert id only: the alert may carry a customer's comment.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from prometheus_client import Counter

log = logging.getLogger(__name__)

POSTS = Counter("touchstream_alert_webhook_posts_total", "Alert webhook POST attempts", ["outcome"])
_RETRYABLE = frozenset({408, 429})


def backoff_s(attempt: int, cap_s: float) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, ...): 0.5, 1, 2, ... up
    to ``cap_s``."""
    return float(min(cap_s, 0.5 * 2 ** (attempt - 1)))


def retryable(status: int) -> bool:
    return status in _RETRYABLE or status >= 500


async def deliver(
    session: aiohttp.ClientSession, url: str, alert: dict[str, Any], cap_s: float
) -> int:
    """POSTs ``alert`` until it is taken or refused for good; returns the attempts made."""
    attempt = 0
    while True:
        attempt += 1
        try:
            # No redirects: a 307 or 308 would post the alert, comment and all, wherever it says.
            async with session.post(
                url,
                json=alert,
                headers={"Idempotency-Key": alert["alert_id"]},
                allow_redirects=False,
            ) as answer:
                status = answer.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            status, failure = 0, type(exc).__name__
        else:
            failure = f"HTTP {status}"
            if status < 300:
                POSTS.labels("delivered").inc()
                return attempt
            if not retryable(status):
                POSTS.labels("refused").inc()
                log.error("alert webhook refused alert %s: %s", alert["alert_id"], failure)
                return attempt
        POSTS.labels("retried").inc()
        wait = backoff_s(attempt, cap_s)
        log.warning(
            "alert webhook: %s for alert %s, retry %d in %.1f s",
            failure,
            alert["alert_id"],
            attempt,
            wait,
        )
        await asyncio.sleep(wait)
