"""The per-partition gauges of the worker's /metrics (consumer lag, stalled), kept to the input
partitions this worker is assigned now: after a rebalance a moved partition is its new worker's
to report, and a stale copy left here would count twice in a sum over workers."""

from __future__ import annotations

import contextlib

from streams import counters
from streams.liveness import Partition


class PartitionGauges:
    def __init__(self) -> None:
        self.reported: set[Partition] = set()

    def publish(self, lags: dict[Partition, int | None], stalled: list[Partition]) -> None:
        """``lags``: every watched partition assigned now (None: lag not known yet)."""
        for tp, lag in lags.items():
            topic, partition = tp[0], str(tp[1])
            if lag is not None:
                counters.LAG.labels(topic, partition).set(lag)
            # 0 too, not only 1: a healthy worker shows a series, so dashboards and alert rules
            # can tell healthy from not scraped.
            counters.STALLED.labels(topic, partition).set(int(tp in stalled))
        for gone in self.reported - lags.keys():
            for gauge in (counters.LAG, counters.STALLED):
                with contextlib.suppress(KeyError):  # a lag never known was never set
                    gauge.remove(gone[0], str(gone[1]))
        self.reported = set(lags)
