from __future__ import annotations

import pytest

from streams.webhook import backoff_s, retryable


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_s(n, cap_s=5.0) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


@pytest.mark.parametrize(
    ("status", "again"),
    [(500, True), (503, True), (429, True), (408, True), (400, False), (401, False), (404, False)],
)
def test_only_failures_that_may_pass_are_retried(status: int, again: bool) -> None:
    assert retryable(status) is again
