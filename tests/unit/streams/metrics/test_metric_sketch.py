import json
import random

import pytest
from faust.utils import json as faust_json

from streams.metrics.sketch import QuantileSketch, exact_quantile, nearest_rank


def sketch_of(values: list[float], alpha: float = 0.01) -> QuantileSketch:
    sketch = QuantileSketch(alpha)
    for value in values:
        sketch.add(value)
    return sketch


def test_empty_sketch() -> None:
    sketch = QuantileSketch()
    assert (sketch.count, sketch.quantile(0.5)) == (0, None)
    assert exact_quantile([], 0.5) is None


def test_nearest_rank_definition() -> None:
    values = [float(v) for v in range(10, 0, -1)]  # 1..10, unsorted
    assert [exact_quantile(values, q) for q in (0.0, 0.5, 0.9, 0.99, 1.0)] == [1, 5, 9, 10, 10]
    assert [exact_quantile([60.0, 3600.0], q) for q in (0.5, 0.9)] == [60.0, 3600.0]
    assert nearest_rank(0.5, 4) == 1
    assert nearest_rank(0.9, 70) == 62  # ceil(63.0): not 63, as 0.9 * 70 in floats would give
    with pytest.raises(ValueError):
        nearest_rank(1.5, 4)


def test_the_extremes_are_exact_and_every_estimate_lies_between_them() -> None:
    """Twenty FRTs of exactly 300 s meet a 300 s standard; a bucket's representative (301.9)
    would not. The p90 of two FRTs, 14,401 and 14,450 s, is above a 14,400 s standard."""
    assert sketch_of([300.0] * 20).quantile(0.9) == 300.0
    assert sketch_of([299.0]).quantile(0.9) == 299.0
    assert sketch_of([14401.0, 14450.0]).quantile(0.9) == 14450.0
    three = sketch_of([14401.0, 14420.0, 14450.0]).quantile(0.5)
    assert three is not None and 14401.0 <= three <= 14450.0


def test_extremes_survive_merge_copy_and_json_and_are_unknown_in_an_older_saved_form() -> None:
    merged = sketch_of([5.0, 700.0])
    merged.merge(sketch_of([0.0, 9000.0]))
    restored = QuantileSketch.from_dict(json.loads(json.dumps(merged.copy().to_dict())))
    assert [restored.quantile(q) for q in (0.0, 1.0)] == [0.0, 9000.0]
    older = {k: v for k, v in sketch_of([5.0, 700.0]).to_dict().items() if k not in ("min", "max")}
    estimate = QuantileSketch.from_dict(older).quantile(1.0)  # the bucket's representative
    assert estimate is not None and estimate != 700.0 and abs(estimate - 700.0) <= 0.01 * 700.0


def test_zero_is_exact() -> None:
    sketch = sketch_of([0.0, 0.0, 0.0, 10.0])
    assert sketch.quantile(0.5) == 0.0
    assert sketch.quantile(1.0) == pytest.approx(10.0, rel=0.01)


def test_single_value_within_alpha() -> None:
    estimate = sketch_of([42.0]).quantile(0.99)
    assert estimate is not None
    assert abs(estimate - 42.0) <= 0.01 * 42.0


def test_negative_values_are_rejected() -> None:
    with pytest.raises(ValueError):
        QuantileSketch().add(-1.0)


@pytest.mark.parametrize("alpha", [0.01, 0.05])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_relative_error_bound_on_random_data(alpha: float, seed: int) -> None:
    rng = random.Random(seed)
    # FRT-like: mostly seconds to hours, a few exact zeros
    values = [0.0 if rng.random() < 0.02 else rng.lognormvariate(4.0, 2.0) for _ in range(5000)]
    sketch = sketch_of(values, alpha)
    for q in (0.5, 0.9, 0.99):
        exact = exact_quantile(values, q)
        estimate = sketch.quantile(q)
        assert exact is not None and estimate is not None
        assert abs(estimate - exact) <= alpha * exact


def test_merge_is_the_sketch_of_the_union() -> None:
    rng = random.Random(7)
    a = [rng.expovariate(1 / 300) for _ in range(800)] + [0.0]
    b = [rng.expovariate(1 / 30) for _ in range(300)]
    merged = sketch_of(a)
    merged.merge(sketch_of(b))
    assert merged.to_dict() == sketch_of(a + b).to_dict()
    assert merged.count == 1101


def test_merge_needs_the_same_alpha() -> None:
    with pytest.raises(ValueError):
        QuantileSketch(0.01).merge(QuantileSketch(0.02))


def test_round_trip_through_json() -> None:
    sketch = sketch_of([0.0, 1.0, 1.0, 250.0, 3600.0])
    data = json.loads(json.dumps(sketch.to_dict()))
    assert data["zeros"] == 1
    assert sum(data["buckets"].values()) == 4
    restored = QuantileSketch.from_dict(data)
    assert restored.to_dict() == sketch.to_dict()
    assert [restored.quantile(q) for q in (0.25, 0.5, 1.0)] == [
        sketch.quantile(q) for q in (0.25, 0.5, 1.0)
    ]


def test_round_trip_through_fausts_json() -> None:
    """The worker's tables write Faust's JSON (orjson, int keys allowed)."""
    sketch = sketch_of([0.0, 1.0, 1.0, 250.0, 3600.0])
    restored = QuantileSketch.from_dict(faust_json.loads(faust_json.dumps(sketch.to_dict())))
    assert restored.to_dict() == sketch.to_dict()


def test_a_saved_form_stays_as_it_was_after_later_changes() -> None:
    """A table value may be serialised after the sketch it came from changed again."""
    sketch = sketch_of([1.0, 250.0])
    saved = sketch.to_dict()
    before = json.dumps(saved, sort_keys=True)
    sketch.add(250.0)
    sketch.merge(sketch_of([3600.0]))
    assert json.dumps(saved, sort_keys=True) == before
    assert sketch.to_dict() != saved


def test_the_count_follows_every_change() -> None:
    """The count is kept as values come, not summed from the buckets: each way a sketch gets
    values (add, merge, copy, from_dict) must keep it equal to the buckets' sum."""
    sketch = sketch_of([10.0, 0.0, 500.0])
    sketch.merge(sketch_of([20.0, 0.0]))
    twin = sketch.copy()
    twin.add(7.0)
    restored = QuantileSketch.from_dict(json.loads(json.dumps(twin.to_dict())))
    restored.add(0.0)

    def summed(s: QuantileSketch) -> int:
        data = s.to_dict()
        return int(data["zeros"] + sum(data["buckets"].values()))

    assert [s.count for s in (sketch, twin, restored)] == [5, 6, 7]
    assert [summed(s) for s in (sketch, twin, restored)] == [5, 6, 7]


def counts_of(sketch: QuantileSketch) -> tuple[int, int, dict[int, int]]:
    data = sketch.to_dict()
    return sketch.count, data["zeros"], data["buckets"]


def test_a_value_taken_back_leaves_the_sketch_of_the_rest() -> None:
    sketch = sketch_of([0.0, 0.0, 5.0, 120.0, 120.0, 700.0])
    sketch.remove(120.0)
    sketch.remove(0.0)  # the smallest, but the other zero still tells it
    assert counts_of(sketch) == counts_of(sketch_of([0.0, 5.0, 120.0, 700.0]))
    assert [sketch.quantile(q) for q in (0.0, 1.0)] == [0.0, 700.0]


def test_taking_back_an_extreme_leaves_it_unknown_and_estimates_within_alpha() -> None:
    sketch = sketch_of([5.0, 300.0, 700.0])
    sketch.remove(700.0)
    top = sketch.quantile(1.0)  # 300's bucket representative: the 700 s can no longer show
    assert top is not None and top != 300.0 and abs(top - 300.0) <= 0.01 * 300.0
    assert sketch.quantile(0.0) == 5.0
    assert sketch.to_dict()["max"] is None
    restored = QuantileSketch.from_dict(json.loads(json.dumps(sketch.to_dict())))
    assert [restored.quantile(q) for q in (0.0, 1.0)] == [5.0, top]


def test_a_sketch_emptied_by_taking_back_is_exact_again() -> None:
    sketch = sketch_of([700.0])
    sketch.remove(700.0)
    assert (sketch.count, sketch.quantile(0.5), sketch.to_dict()["max"]) == (0, None, None)
    sketch.add(300.0)
    assert sketch.quantile(0.9) == 300.0


def test_a_pane_that_takes_back_merges_as_the_removal_itself() -> None:
    """A batch's pane took an FRT of 100 s back and added one of 50 s (count 0, not empty):
    merged into its window, the window holds what it would hold had 50 s come instead."""
    pane = QuantileSketch()
    pane.add(50.0)
    pane.remove(100.0)
    assert (pane.count, pane.empty, QuantileSketch().empty) == (0, False, True)
    window = sketch_of([5.0, 100.0, 700.0])
    window.merge(pane)
    assert counts_of(window) == counts_of(sketch_of([5.0, 50.0, 700.0]))
    assert [window.quantile(q) for q in (0.0, 1.0)] == [5.0, 700.0]
    at_the_top = sketch_of([5.0, 100.0])
    at_the_top.merge(pane)  # 100 s was the largest: which of 5 and 50 is now, the window can't tell
    assert at_the_top.quantile(0.0) == 5.0 and at_the_top.to_dict()["max"] is None


def test_a_value_counted_and_taken_back_in_one_pane_leaves_the_window_exact() -> None:
    """An FRT of 240 s and, in the same batch, an earlier answer's 180 s that replaces it."""
    pane = sketch_of([240.0])
    pane.remove(240.0)
    pane.add(180.0)
    fresh = QuantileSketch()
    fresh.merge(pane)
    assert counts_of(fresh) == counts_of(sketch_of([180.0]))
    assert [fresh.quantile(q) for q in (0.0, 0.9)] == [180.0, 180.0]
    window = sketch_of([60.0, 600.0])
    window.merge(pane)
    assert counts_of(window) == counts_of(sketch_of([60.0, 180.0, 600.0]))
    assert [window.quantile(q) for q in (0.0, 1.0)] == [60.0, 600.0]


def test_taking_back_a_negative_value_is_refused() -> None:
    with pytest.raises(ValueError):
        QuantileSketch().remove(-1.0)
