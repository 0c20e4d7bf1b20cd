"""The benchmark report: targets judged as stated, files written as the table shows them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench.report import Figure, Result, markdown, write


def test_a_figure_is_held_against_its_target_in_the_stated_direction() -> None:
    assert Figure("rate", 50_000, "events/s", ">= 50000").met is True
    assert Figure("rate", 49_999, "events/s", ">= 50000").met is False
    assert Figure("p99", 2.0, "s", "<= 2.0").met is True
    assert Figure("p99", 2.1, "s", "<= 2.0").met is False
    assert Figure("p99", None, "s", "<= 2.0").met is None
    assert Figure("stage", 3.0, "µs").met is None


def test_markdown_lists_every_figure_with_its_verdict_then_the_notes() -> None:
    result = Result("core", "no broker", params={"events": 10}, seconds=3.2)
    result.add("events/s", 1234.5, "events/s", ">= 50000")
    result.add("codec per event", 0.25, "µs")
    result.notes.append("codec is fastest")
    info = {"commit": "abc1234", "cores": 2, "cpu": "Test CPU", "python": "3.11.7"}

    text = markdown([result], info, datetime(2026, 11, 25, 6, 30, tzinfo=UTC))

    assert text.splitlines()[2:] == [
        "Run 2026-11-25 06:30 UTC at commit `abc1234` on 2 x Test CPU, Python 3.11.7. "
        "Made by `python -m bench`.",
        "",
        "| scenario | figure | value | unit | target | |",
        "|---|---|---:|---|---|---|",
        "| core | events/s | 1,234 | events/s | >= 50000 | **missed** |",
        "| core | codec per event | 0.25 | µs |  |  |",
        "",
        "## core: no broker",
        "",
        "Parameters: events=10; took 3 s.",
        "",
        "- codec is fastest",
    ]


def test_write_puts_the_same_figures_in_json_and_markdown(tmp_path: Path) -> None:
    result = Result("codec", "avro")
    result.add("decode", 10.5, "µs/record")

    path = write([result], datetime(2026, 11, 25, tzinfo=UTC), tmp_path)

    saved = json.loads((tmp_path / "latest.json").read_text())
    assert saved["results"][0]["figures"] == [
        {"name": "decode", "value": 10.5, "unit": "µs/record", "target": "", "met": None}
    ]
    assert saved["machine"]["cores"] >= 1
    assert "| codec | decode | 10.5 | µs/record |  |  |" in path.read_text()
