"""A small mergeable quantile sketch for durations (FRT, TTR): a DDSketch-style log histogram.

Rank definition (the nearest rank, numpy's ``method="inverted_cdf"``): the q-quantile of n
values, 0 <= q <= 1, is the smallest of them such that at least q * n of the values are at or
below it: the value at 1-based rank ``ceil(q * n)`` (the smallest for q = 0) of the values sorted
ascending. A p90 is thus a response time that 90 % of the cases met, and with few values the
slow ones show: the p90 of two FRTs is the larger. The BI views use the same definition
(``sinks/migrations/0010_nearest_rank_percentiles.sql``). ``exact_quantile`` computes it exactly;
the sketch estimates the same ranked value.

Estimator (Masson, Rim and Lee, "DDSketch", VLDB 2019). With gamma = (1 + alpha) / (1 - alpha), a
value x > 0 is counted in bucket i = ceil(log_gamma(x)), which holds the values in
(gamma^(i-1), gamma^i]. The estimate of the ranked value is the representative of its bucket,
2 * gamma^i / (gamma + 1), which is within relative error alpha of every value in the bucket:
|estimate - exact| <= alpha * exact, for any q and any data. The sketch also keeps the exact
smallest and largest value: the ranks that fall on them are exact, and every estimate is clamped
between them (which only brings it nearer: twenty FRTs of exactly 300 s have a p90 of 300, not
the bucket's 301.9, so a 300 s standard is met). Zero (a valid FRT: an answer at the opening
instant) has its own exact counter. Negative values are rejected: durations here are clamped at
zero before they reach a sketch, so a negative one is a bug upstream.

Merging adds the bucket counts, so the merge of two sketches is exactly the sketch of the union.

Taking a value back (``remove``: a first response or resolution found, from a record that came
late, not to be the first after all) takes one from its bucket. The sketch cannot tell which of
its other values is then the smallest or largest, so a value taken out at or beyond an extreme
leaves that extreme unknown, and estimates on that side are the bucket's representative, still
within alpha, until the sketch is empty again. A sketch remembers the range of what was taken
out of it, so that merging it (a batch's pane into its windows) takes the same extremes away
from the sketch it is merged into.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache

from streams.metrics.jsonable import JsonDict

DEFAULT_ALPHA = 0.01


# q is read in millionths, so that ceil(q * n) is integer arithmetic: 0.9 * 70 is
# 63.00000000000001 in floating point, whose ceiling would be rank 64.
_PARTS = 1_000_000


def nearest_rank(q: float, n: int) -> int:
    """The 0-based rank of the q-quantile of n >= 1 values (see the module docstring)."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} is outside [0, 1]")
    return max(-(-round(q * _PARTS) * n // _PARTS) - 1, 0)


def exact_quantile(values: Sequence[float], q: float) -> float | None:
    """The exact q-quantile under the sketch's rank definition; None for no values."""
    if not values:
        return None
    return sorted(values)[nearest_rank(q, len(values))]


@cache
def _gammas(alpha: float) -> tuple[float, float]:
    """gamma and its log for relative accuracy ``alpha``."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"relative accuracy {alpha} is outside (0, 1)")
    gamma = (1.0 + alpha) / (1.0 - alpha)
    return gamma, math.log(gamma)


class QuantileSketch:
    """Counts of values per log bucket; add, merge and quantile estimates within alpha."""

    __slots__ = (
        "_buckets",
        "_count",
        "_gamma",
        "_gone_high",
        "_gone_low",
        "_log_gamma",
        "_max",
        "_min",
        "_saved",
        "_zeros",
        "alpha",
    )

    def __init__(self, alpha: float = DEFAULT_ALPHA) -> None:
        self.alpha = alpha
        # Every window accumulator holds two sketches, and a batch makes one per pane it touches.
        self._gamma, self._log_gamma = _gammas(alpha)
        self._zeros = 0
        self._buckets: dict[int, int] = {}
        # Kept, not summed: accumulators ask every sketch for it when they are saved, merged
        # and emitted (286,000 times in scenario core's 86,000 events).
        self._count = 0
        # The exact extremes (inf and -inf when empty, so that min and max need no test); None
        # when unknown: a value at an extreme was taken out, or restored from a form saved before
        # extremes were kept.
        self._min: float | None = math.inf
        self._max: float | None = -math.inf
        # The smallest and largest value taken out, kept for ``merge``; not saved.
        self._gone_low = math.inf
        self._gone_high = -math.inf
        # ``to_dict``'s form until the next change: a window's sketches change far less often
        # than its counts, and the whole window is saved after every batch that changes it.
        self._saved: JsonDict | None = None

    @property
    def count(self) -> int:
        return self._count

    @property
    def empty(self) -> bool:
        """Nothing added nor taken out: merging it changes nothing. (The count does not tell: a
        batch's pane that took one value out and added another has a count of 0.)"""
        return not (self._zeros or self._buckets or self._took_out)

    @property
    def _took_out(self) -> bool:
        return self._gone_low <= self._gone_high

    def add(self, value: float) -> None:
        if value < 0.0:
            raise ValueError(f"negative value {value}: the sketch holds durations")
        if self._min is not None and value < self._min:
            self._min = value
        if self._max is not None and value > self._max:
            self._max = value
        self._count += 1
        self._saved = None
        if value == 0.0:
            self._zeros += 1
            return
        index = self._index(value)
        self._buckets[index] = self._buckets.get(index, 0) + 1

    def remove(self, value: float) -> None:
        """Takes back one ``add(value)``. In a sketch that does not hold ``value`` (a batch's
        pane) its bucket goes below zero, to be subtracted where the pane is merged."""
        if value < 0.0:
            raise ValueError(f"negative value {value}: the sketch holds durations")
        self._count -= 1
        self._saved = None
        if value == 0.0:
            self._zeros -= 1
        else:
            index = self._index(value)
            left = self._buckets.get(index, 0) - 1
            if left:
                self._buckets[index] = left
            else:
                del self._buckets[index]
        self._gone_low = min(self._gone_low, value)
        self._gone_high = max(self._gone_high, value)
        # Only a value at an extreme can have been it; one beyond was never held here (a pane's).
        if value == self._min:
            self._min = None
        if value == self._max:
            self._max = None
        self._settle_extremes()

    def _index(self, value: float) -> int:
        return math.ceil(math.log(value) / self._log_gamma)

    def _settle_extremes(self) -> None:
        """After values were taken out: an emptied sketch starts afresh, and zeros, counted
        exactly, still tell the minimum."""
        if not (self._zeros or self._buckets):
            self._min, self._max = math.inf, -math.inf
        elif self._zeros > 0:
            self._min = 0.0

    def merge(self, other: QuantileSketch) -> None:
        """Adds ``other``'s counts into this sketch, and takes out what it took out; both must
        have the same alpha."""
        if other.alpha != self.alpha:
            raise ValueError(f"cannot merge sketches of alpha {self.alpha} and {other.alpha}")
        took_out = other._took_out
        if took_out:
            # Judged before other's values come in: they are not what other took out.
            if self._zeros or self._buckets:
                if self._min is not None and other._gone_low <= self._min:
                    self._min = None
                if self._max is not None and other._gone_high >= self._max:
                    self._max = None
            self._gone_low = min(self._gone_low, other._gone_low)
            self._gone_high = max(self._gone_high, other._gone_high)
        self._min = _either(min, self._min, other._min)
        self._max = _either(max, self._max, other._max)
        self._zeros += other._zeros
        self._count += other._count
        self._saved = None
        for index, count in other._buckets.items():
            total = self._buckets.get(index, 0) + count
            if total:
                self._buckets[index] = total
            else:
                del self._buckets[index]
        if took_out:
            self._settle_extremes()

    def copy(self) -> QuantileSketch:
        twin = QuantileSketch(self.alpha)
        twin._zeros, twin._count = self._zeros, self._count
        twin._min, twin._max = self._min, self._max
        twin._gone_low, twin._gone_high = self._gone_low, self._gone_high
        twin._buckets = dict(self._buckets)
        return twin

    def quantile(self, q: float) -> float | None:
        """The estimate of the q-quantile; None for an empty sketch."""
        n = self.count
        if n == 0:
            return None
        rank = nearest_rank(q, n)
        low, high = self._min, self._max
        if rank == 0 and low is not None:
            return low
        if rank == n - 1 and high is not None:
            return high
        seen = self._zeros
        if rank < seen:
            return 0.0
        for index in sorted(self._buckets):
            seen += self._buckets[index]
            if rank < seen:
                estimate = 2.0 * self._gamma**index / (self._gamma + 1.0)
                if low is not None:
                    estimate = max(estimate, low)
                return estimate if high is None else min(estimate, high)
        raise AssertionError("rank below count always falls in a bucket")

    def to_dict(self) -> JsonDict:
        """Shared with the previous call while unchanged: not to be mutated. The buckets keep
        their int indexes, which Faust's JSON writes as strings (``from_dict`` reads both), in
        no particular order: a copy (0.2 µs for 20 buckets) instead of a sorted, stringified
        one (3 µs); a copy nonetheless, as the value may be serialised after later changes."""
        if self._saved is None:
            buckets = dict(self._buckets)
            self._saved = {
                "alpha": self.alpha,
                "zeros": self._zeros,
                "buckets": buckets,
                "min": _finite(self._min),
                "max": _finite(self._max),
            }
        return self._saved

    @classmethod
    def from_dict(cls, data: JsonDict) -> QuantileSketch:
        sketch = cls(data["alpha"])
        sketch._zeros = data["zeros"]
        sketch._buckets = {int(index): count for index, count in data["buckets"].items()}
        sketch._count = sketch._zeros + sum(sketch._buckets.values())
        if sketch._count:
            sketch._min, sketch._max = data.get("min"), data.get("max")
        return sketch


def _finite(extreme: float | None) -> float | None:
    """An extreme as saved: None when unknown or when the sketch is empty."""
    return extreme if extreme is not None and math.isfinite(extreme) else None


def _either(
    pick: Callable[[float, float], float], a: float | None, b: float | None
) -> float | None:
    """``pick`` of two extremes; unknown (None) if either is."""
    return None if a is None or b is None else pick(a, b)
