"""The collector's ASGI app (Starlette): ``POST /v1/touchpoints`` and ``POST /v1/feedback`` with
one item (a JSON object) or a batch (a JSON array), ``/healthz``, ``/readyz`` and ``/metrics``.

Answers: 202 with a result per item when any was accepted, 422 with the same when none was,
400 for a body that is not JSON (dead-lettered whole) or an empty batch, 401 without a known API
key, 413 over the body or batch limit, 503 when the broker did not acknowledge (nothing of the
request is answered as accepted then; posting it again is safe, ids deduplicate downstream).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.validation import Rejection
from touchstream.collector.auth import parse_api_keys, presented_key, source_of
from touchstream.collector.intake import (
    BodyProblem,
    Kind,
    Post,
    answer,
    dead_letter,
    messages,
    read_items,
)
from touchstream.collector.kafka_out import KafkaSender, Outgoing, Sender, SendFailed
from touchstream.collector.limits import BodyTooLarge, read_capped
from touchstream.collector.metrics import CollectorMetrics
from touchstream.settings import Settings

log = logging.getLogger(__name__)
ROUTES = frozenset({"/v1/touchpoints", "/v1/feedback", "/healthz", "/readyz", "/metrics"})


def create_app(settings: Settings, sender: Sender | None = None) -> Starlette:
    """``sender`` defaults to aiokafka on the settings' brokers. Raises ValueError when the API
    keys setting is empty or malformed: a collector nobody may post to is a mistake."""
    keys = parse_api_keys(settings.collector_api_keys.get_secret_value())
    out = sender or KafkaSender(settings)
    metrics = CollectorMetrics()

    def error(status: int, reason: str, detail: str, request_id: str = "") -> JSONResponse:
        content = {"error": reason, "detail": detail}
        if request_id:
            content["request_id"] = request_id
        return JSONResponse(content, status)

    async def deliver(batch: list[Outgoing]) -> bool:
        try:
            with metrics.produce_seconds.time():
                await out.send_all(batch)
        except SendFailed as exc:
            log.warning("broker did not acknowledge %d messages: %s", len(batch), exc)
            return False
        return True

    unavailable = "the broker did not acknowledge; post again (ids are deduplicated)"

    async def post(request: Request, kind: Kind) -> Response:
        key = presented_key(request.headers)
        source = source_of(key, keys) if key else None
        if source is None:
            response = error(401, "unauthorized", "a known API key in Authorization: Bearer")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        try:
            body = await read_capped(request, settings.collector_max_body_bytes)
        except BodyTooLarge as exc:
            return error(413, "body_too_large", str(exc))
        post = Post(kind, source, uuid.uuid4().hex[:16], datetime.now(UTC))
        items = read_items(body, post, settings.collector_max_batch_items)
        if isinstance(items, BodyProblem):
            if not items.dead_letter:
                return error(items.status, items.reason, items.detail)
            rejection = Rejection(items.reason, items.detail)
            if not await deliver([dead_letter(body, -1, rejection, post, settings)]):
                return error(503, "unavailable", unavailable)
            metrics.rejected.labels(kind, items.reason).inc()
            return error(items.status, items.reason, items.detail, post.request_id)
        if not await deliver(messages(items, post, settings)):
            return error(503, "unavailable", unavailable)
        for item in items:
            if isinstance(item.outcome, Rejection):
                metrics.rejected.labels(kind, str(item.outcome.reason)).inc()
            else:
                metrics.accepted.labels(kind).inc()
        status, content = answer(items, post)
        return JSONResponse(content, status)

    async def touchpoints(request: Request) -> Response:
        return await post(request, "touchpoint")

    async def feedback(request: Request) -> Response:
        return await post(request, "feedback")

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        if await out.ready():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "broker unreachable"}, 503)

    async def metrics_page(_: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await out.start()
        try:
            yield
        finally:
            await out.stop()

    return Starlette(
        routes=[
            Route("/v1/touchpoints", touchpoints, methods=["POST"]),
            Route("/v1/feedback", feedback, methods=["POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_page),
        ],
        middleware=[
            # Outermost, so that it also counts the answers CORS gives by itself (preflights).
            Middleware(_CountRequests, metrics=metrics),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.collector_cors_origins),
                allow_methods=["POST"],
                allow_headers=["authorization", "content-type", "x-api-key"],
                max_age=600,
            ),
        ],
        lifespan=lifespan,
    )


class _CountRequests:
    """Requests by route and status. Unknown paths count as one route, so scanners cannot grow
    the metric's label set."""

    def __init__(self, app: ASGIApp, metrics: CollectorMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = scope["path"] if scope["path"] in ROUTES else "other"

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.metrics.requests.labels(route, str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, counting_send)
