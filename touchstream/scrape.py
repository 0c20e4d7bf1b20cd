"""How far each counter of a Prometheus /metrics page has moved: `make demo` prints the
worker's and the sink's, to show every one of them moving."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

# The sample that says how much happened: a counter's total, a histogram's observation count.
MOVED_SAMPLE = {"counter": "_total", "histogram": "_count"}


def counter_totals(url: str, timeout_s: float = 5.0) -> dict[str, float]:
    """Each counter and histogram on the page, summed over its labels."""
    with urllib.request.urlopen(url, timeout=timeout_s) as answer:
        text = answer.read().decode()
    totals = {}
    for family in text_string_to_metric_families(text):
        suffix = MOVED_SAMPLE.get(family.type)
        if suffix is not None:
            wanted = family.name + suffix
            totals[family.name] = sum(s.value for s in family.samples if s.name == wanted)
    return totals
