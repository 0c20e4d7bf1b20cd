"""A TLS-terminating TCP proxy for tests: the local broker and ClickHouse speak plain TCP, so a
proxy with a test CA's server certificate in front of them lets the clients' TLS settings meet a
real TLS server (and, with ``require_client_cert``, a server that wants mutual TLS)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import free_port
from tests.tls import Certs


def server_context(certs: Certs, require_client_cert: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs.server_cert, certs.server_key)
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(certs.ca)
    return context


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@contextmanager
def tls_proxy(
    upstream_port: int, certs: Certs, require_client_cert: bool = False, port: int | None = None
) -> Iterator[int]:
    """TLS on ``port`` (a free one if None) -> plain TCP to 127.0.0.1:``upstream_port``."""
    listen = port or free_port()
    loop = asyncio.new_event_loop()

    async def handle(client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        try:
            upstream_in, upstream_out = await asyncio.open_connection("127.0.0.1", upstream_port)
        except OSError:
            client_out.close()
            return
        await asyncio.gather(_pipe(client_in, upstream_out), _pipe(upstream_in, client_out))

    context = server_context(certs, require_client_cert)
    server = loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", listen, ssl=context))
    thread = threading.Thread(target=loop.run_forever, name="tls-proxy", daemon=True)
    thread.start()
    try:
        yield listen
    finally:

        async def shutdown() -> None:
            server.close()
            connections = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in connections:
                task.cancel()
            await asyncio.gather(*connections, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
