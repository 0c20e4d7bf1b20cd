"""The cyclic garbage collector's thresholds for the long-running processes, worker and sink.

CPython's default (700, 10, 10) ran 13 full collections in a worker's 35,000 events, 140 ms
each, as every one scans the whole heap, the tables' state included: 2.1-2.3 s of its 9 s of
CPU. A young generation of 10,000 objects still ran about 280 collections of it, and 25 of the
middle one, in 175,000 events: a batch's own objects (its events, records and sends, alive until
the batch is done) crossed the threshold mid-batch, so each collection walked them and moved
them on, to be walked again. At 100,000, more than a batch holds: 14 and 1, GC 2.1 -> 0.8 s of
about 21 s of CPU (gc.callbacks). The sink holds a batch of rows until it is inserted in the
same way: writing the facts of 20,000 generated journeys, it ran 11 full collections, 1.0 s of
GC in 5.6 s of CPU, on the default thresholds; on these, 0.15 s. A young collection takes about
50 ms now; the objects it holds between them are some tens of MB.
"""

from __future__ import annotations

import gc

THRESHOLDS = (100_000, 10, 10)


def set_thresholds() -> None:
    gc.set_threshold(*THRESHOLDS)
