"""`touchstream worker`: the Faust worker of streams.app, with Touchstream's settings."""

from __future__ import annotations

import gc
import sys

import typer

# CPython's default (700, 10, 10) ran 13 full collections in a worker's 35,000 events, 140 ms
# each, as every one scans the whole heap, the tables' state included: 2.1-2.3 s of its 9 s of
# CPU. With these: 2 full collections, 0.46 s of GC in all (gc.callbacks, bench "worker" load).
# The young generation holds up to this many objects between collections, a few MB.
GC_THRESHOLDS = (10_000, 10, 10)


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
    gc.set_threshold(*GC_THRESHOLDS)
    sys.argv = ["touchstream worker", "worker", "--loglevel", loglevel]
    app.main()
