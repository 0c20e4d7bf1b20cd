from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from streams.webhook import backoff_s, deliver, retryable


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_s(n, cap_s=5.0) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


@pytest.mark.parametrize(
    ("status", "again"),
    [(500, True), (503, True), (429, True), (408, True), (400, False), (401, False), (404, False)],
)
def test_only_failures_that_may_pass_are_retried(status: int, again: bool) -> None:
    assert retryable(status) is again


def test_a_redirect_is_not_followed() -> None:
    """A 307 or 308 would re-post the alert, comment and all, wherever it points."""
    hits: list[str] = []

    async def moved(request: web.Request) -> web.Response:
        hits.append("moved")
        raise web.HTTPTemporaryRedirect("/elsewhere")

    async def elsewhere(request: web.Request) -> web.Response:
        hits.append("elsewhere")
        return web.Response(status=200)

    async def run() -> int:
        app = web.Application()
        app.router.add_post("/hook", moved)
        app.router.add_post("/elsewhere", elsewhere)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession() as session:
                url = f"http://127.0.0.1:{port}/hook"
                return await deliver(session, url, {"alert_id": "a1"}, cap_s=0.01)
        finally:
            await runner.cleanup()

    assert asyncio.run(run()) == 1  # refused for good: a 3xx is no delivery
    assert hits == ["moved"]
