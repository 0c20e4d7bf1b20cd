"""A test-side reference: per-channel tumbling-hour figures computed straight from the input
records, written independently of streams.metrics from the definitions in domain.md.

Attribution follows the stream's documented rules: a touchpoint counts on its own channel at its
own time; a survey answer on its channel at submitted_at; a case's first response time on the
channel of its contact_opened, in the window of the first agent_response, and its resolution
(count and time to resolution) there too, in the window of the first case_resolved. "First" is
by event time. A first response is multi-channel when its case used two or more channels in
all (domain.md's channel switching), before or after it. Asked to, it splits CSAT answers the
same way, those of cases known when they were read (opened, and using a channel): a caller
that asks makes sure each answer is read after its case's touchpoints.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any


def hour_of(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


@dataclass
class HourFigures:
    touchpoints: int = 0
    contacts_opened: int = 0
    csat: list[int] = field(default_factory=list)
    nps: list[int] = field(default_factory=list)
    ces: list[int] = field(default_factory=list)
    frt: list[float] = field(default_factory=list)
    frt_multi: list[float] = field(default_factory=list)  # of cases that used 2+ channels
    frt_single: list[float] = field(default_factory=list)
    ttr: list[float] = field(default_factory=list)
    split_csat: bool = False
    csat_multi: list[int] = field(default_factory=list)  # of known cases that used 2+ channels
    csat_single: list[int] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        csat_ok = sum(1 for s in self.csat if s >= 4)
        promoters = sum(1 for s in self.nps if s >= 9)
        detractors = sum(1 for s in self.nps if s <= 6)
        split = {
            f"csat_{part}_{figure}": value
            for part, scores in (("multi", self.csat_multi), ("single", self.csat_single))
            for figure, value in (
                ("responses", len(scores)),
                ("satisfied", sum(1 for s in scores if s >= 4)),
            )
        }
        return (split if self.split_csat else {}) | {
            "touchpoints": self.touchpoints,
            "contacts_opened": self.contacts_opened,
            "csat_responses": len(self.csat),
            "csat_satisfied": csat_ok,
            "csat_pct": csat_ok * 100 / len(self.csat) if self.csat else None,
            "nps_responses": len(self.nps),
            "nps": (promoters - detractors) * 100 / len(self.nps) if self.nps else None,
            "ces_responses": len(self.ces),
            "ces_avg": sum(self.ces) / len(self.ces) if self.ces else None,
            "frt_count": len(self.frt),
            "frt_multi_avg_s": _mean(self.frt_multi),
            "frt_single_avg_s": _mean(self.frt_single),
            "resolved": len(self.ttr),
            "ttr_count": len(self.ttr),
        }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def nearest_rank_quantile(values: list[float], q: float) -> float:
    """The smallest value with at least q of the values at or below it (domain.md leaves the
    estimator to the code; this is the stream's and the BI views')."""
    ordered = sorted(values)
    return ordered[max(math.ceil(round(q * 100) * len(ordered) / 100) - 1, 0)]


def reference(
    touchpoints: list[dict[str, Any]], feedback: list[dict[str, Any]], split_csat: bool = False
) -> dict[tuple[str, datetime], HourFigures]:
    """(channel, hour) -> figures, from valid, de-duplicated records."""
    hours: dict[tuple[str, datetime], HourFigures] = defaultdict(
        partial(HourFigures, split_csat=split_csat)
    )
    opened: dict[str, tuple[str, datetime]] = {}
    answered: set[str] = set()
    resolved: set[str] = set()
    # A case's channels: those of its customers', agents' and bots' events (not its systems').
    channels: dict[str, set[str]] = defaultdict(set)
    frts: list[tuple[HourFigures, str, float]] = []
    for tp in sorted(touchpoints, key=lambda t: t["occurred_at"]):
        at: datetime = tp["occurred_at"]
        hours[(tp["channel"], hour_of(at))].touchpoints += 1
        case = tp.get("case_id") or ""
        if case and tp["actor"] != "system":
            channels[case].add(tp["channel"])
        kind = tp["event_type"]
        if kind == "contact_opened":
            hours[(tp["channel"], hour_of(at))].contacts_opened += 1
            opened.setdefault(case, (tp["channel"], at))
            continue
        if case not in opened:
            continue
        channel, opened_at = opened[case]
        seconds = max(0.0, (at - opened_at).total_seconds())
        if kind == "agent_response" and tp["actor"] == "agent" and case not in answered:
            answered.add(case)
            hours[(channel, hour_of(at))].frt.append(seconds)
            frts.append((hours[(channel, hour_of(at))], case, seconds))
        elif kind == "case_resolved" and case not in resolved:
            resolved.add(case)
            hours[(channel, hour_of(at))].ttr.append(seconds)
    for figures, case, seconds in frts:
        (figures.frt_multi if len(channels[case]) >= 2 else figures.frt_single).append(seconds)
    for fb in feedback:
        figures = hours[(fb["channel"], hour_of(fb["submitted_at"]))]
        getattr(figures, fb["survey"]).append(fb["score"])
        case = fb.get("case_id")
        if fb["survey"] == "csat" and case and case in opened and channels[case]:
            split = figures.csat_multi if len(channels[case]) >= 2 else figures.csat_single
            split.append(fb["score"])
    return hours
