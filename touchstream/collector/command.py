"""`touchstream collector`: serve the HTTP collector with uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from touchstream.collector.app import create_app
from touchstream.settings import load_settings
from touchstream.topics import ensure_topics


def collector_command(
    host: str | None = typer.Option(None, help="bind address [TOUCHSTREAM_COLLECTOR_HOST]"),
    port: int | None = typer.Option(None, help="port [TOUCHSTREAM_COLLECTOR_PORT]"),
) -> None:
    """Accept touchpoints and feedback over HTTP and produce them to Kafka."""
    settings = load_settings()
    try:
        app = create_app(settings)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    ensure_topics(settings)
    uvicorn.run(
        app,
        host=host or settings.collector_host,
        port=port or settings.collector_port,
        # Per-request lines would cost more than the request; /metrics counts them instead.
        access_log=False,
        server_header=False,
    )
