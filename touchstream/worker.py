"""`touchstream worker`: the Faust worker of streams.app, with Touchstream's settings."""

from __future__ import annotations

import sys

import typer

from touchstream.gc_thresholds import set_thresholds


def worker_command(
    loglevel: str = typer.Option("info", "--loglevel", "-l", help="Faust log level"),
) -> None:
    """Run a stream worker: validate, follow cases, compute windows, raise alerts."""
    import mode.loop

    from touchstream.settings import get_settings
    from touchstream.topics import ensure_topics

    settings = get_settings()
    # Before the app is imported: Faust picks its loop from ``--loop`` at import time only.
    mode.loop.use(settings.worker_loop)
    from streams.text.language import load_model
    from streams.worker import app

    load_model()

    # Created up front with the configured partition count: Faust would create the input
    # topics with its own defaults if a producer had not created them yet.
    ensure_topics(settings)
    set_thresholds()
    sys.argv = ["touchstream worker", "worker", "--loglevel", loglevel]
    app.main()
