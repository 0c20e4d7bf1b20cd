"""`touchstream worker`: the Faust worker of streams.app, with Touchstream's settings."""

from __future__ import annotations

import gc
import sys

import typer

# CPython's default (700, 10, 10) ran 13 full collections in a worker's 35,000 events, 140 ms
# each, as every one scans the whole heap, the tables' state included: 2.1-2.3 s of its 9 s of
# CPU. A young generation of 10,000 objects still ran about 280 collections of it, and 25 of the
# middle one, in 175,000 events: a batch's own objects (its events, records and sends, alive
# until the batch is done) crossed the threshold mid-batch, so each collection walked them and
# moved them on, to be walked again. At 100,000, more than a batch holds: 14 and 1, GC 2.1 ->
# 0.8 s of about 21 s of CPU (gc.callbacks). A young collection takes about 50 ms now; the objects
# it holds between them are some tens of MB.
GC_THRESHOLDS = (100_000, 10, 10)


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
