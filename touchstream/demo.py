"""`make demo`: the whole flow on this machine, then a per-channel table read from ClickHouse.

Starts the local broker and ClickHouse, migrates, runs a worker and the sink, sends six hours of
generated multi-channel traffic through them, prints the per-channel figures as a dashboard
would read them (as the read-only BI user, from the BI views), and stops everything it started.

Run: python -m touchstream.demo [--cases N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from kafka import KafkaProducer
from rich.console import Console
from rich.table import Table

from deploy.local import services
from sinks.clickhouse import connect
from sinks.migrate import migrate
from touchstream.generator import generate
from touchstream.kafka_options import producer_options
from touchstream.local import show_statuses
from touchstream.producer import produce_lines
from touchstream.scrape import counter_totals
from touchstream.settings import Settings, load_settings
from touchstream.topics import ensure_topics

console = Console()
# Over every case, not the hourly view: a percentile of the whole span is not any mean of the
# hourly ones. Nearest rank, as the views and the stream (streams/metrics/sketch.py).
SUMMARY = """
SELECT first_channel AS channel,
       count() AS cases,
       countIf(frt_s IS NOT NULL) AS answered,
       round(if(answered = 0, NULL,
                arraySort(groupArray(frt_s))[intDiv(90 * answered + 99, 100)]) / 60, 1)
           AS frt_p90_min,
       countIf(sla_breached = 1) AS sla_breaches,
       round(countIf(fcr = 1) * 100 / nullIf(countIf(resolved_at IS NOT NULL), 0), 1) AS fcr_pct
FROM cases FINAL WHERE opened_at IS NOT NULL AND first_channel IS NOT NULL
GROUP BY channel ORDER BY channel
"""
SATISFACTION = """
SELECT channel,
       round(sum(csat_satisfied) * 100 / nullIf(sum(csat_responses), 0), 1) AS csat_pct,
       sum(csat_responses) AS csat_answers,
       round((sum(nps_promoters) - sum(nps_detractors)) * 100 / nullIf(sum(nps_responses), 0), 1)
           AS nps,
       sum(nps_responses) AS nps_answers
FROM channel_satisfaction_hourly GROUP BY channel ORDER BY channel
"""
CURL_QUERY = (
    "SELECT channel, sum(csat_satisfied) * 100 / sum(csat_responses) AS csat_pct "
    "FROM channel_satisfaction_hourly GROUP BY channel FORMAT PrettyCompact"
)


def start(command: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "touchstream.cli", command],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for_worker(log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while "Worker ready" not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start; see {log}")
        time.sleep(0.2)


def wait_for_cases(settings: Settings, expected: int, timeout_s: float = 180) -> int:
    bi = connect(settings, "bi")
    deadline = time.monotonic() + timeout_s
    seen = 0
    while time.monotonic() < deadline:
        seen = int(bi.query("SELECT count() FROM cases FINAL").result_rows[0][0])
        if seen >= expected:
            break
        time.sleep(1)
    return seen


def print_table(settings: Settings) -> None:
    bi = connect(settings, "bi")
    times = {row[0]: (row[1], *row[3:]) for row in bi.query(SUMMARY).result_rows}
    satisfaction = {row[0]: row[1:] for row in bi.query(SATISFACTION).result_rows}
    table = Table(
        "channel",
        "cases",
        "CSAT % (n)",
        "NPS (n)",
        "FRT p90 (min)",
        "SLA breaches",
        "FCR %",
        title="Touchstream: the last six hours per channel, read from ClickHouse",
    )
    for channel in sorted(times.keys() | satisfaction.keys()):
        cases, frt_p90, breaches, fcr = times.get(channel, (0, None, 0, None))
        csat, csat_answers, nps, nps_answers = satisfaction.get(channel, (None, 0, None, 0))
        table.add_row(
            channel,
            str(cases),
            _with_answers(csat, csat_answers),
            _with_answers(nps, nps_answers),
            *(("-" if v is None else str(v)) for v in (frt_p90, breaches, fcr)),
        )
    console.print(table)
    console.print(
        "FRT p90: the time 90 % of the channel's answered cases were answered within; "
        "channel_response_times_hourly holds it per hour. (n): the survey answers behind a "
        "figure; a handful of them says little."
    )


def _with_answers(figure: float | None, answers: int) -> str:
    return "-" if figure is None else f"{figure} ({answers})"


def print_metrics(settings: Settings) -> None:
    """How far each Touchstream counter on the worker's and the sink's /metrics moved."""
    table = Table("process", "metric", "moved by", title="Counters on /metrics during the demo")
    pages = {"worker": settings.worker_web_port, "sink": settings.sink_metrics_port}
    for process, port in pages.items():
        totals = counter_totals(f"http://127.0.0.1:{port}/metrics")
        faust = {n: total for n, total in totals.items() if n.startswith("touchstream_faust_")}
        for name, total in sorted(totals.items()):
            if name.startswith("touchstream_") and name not in faust:
                table.add_row(process, name, f"{total:,.0f}" if total else "[yellow]0[/yellow]")
        if faust:
            moved = sum(1 for total in faust.values() if total)
            table.add_row(
                process,
                "touchstream_faust_* (Faust's own sensor)",
                f"{moved} of {len(faust)} moved",
            )
    console.print(table)
    console.print("0: nothing of that kind happened (no ClickHouse error, no webhook set, ...)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=400)
    cases = parser.parse_args().cases
    services.ensure_local_secrets(load_settings().state_dir)
    settings = load_settings()
    show_statuses(services.up(settings))
    state = settings.state_dir
    processes: list[subprocess.Popen[bytes]] = []
    try:
        admin = connect(settings, "admin", database="default")
        # Each demo starts from an empty database: the broker's memory is empty too.
        admin.command(f"DROP DATABASE IF EXISTS `{settings.clickhouse_database}`")
        migrate(settings)
        ensure_topics(settings)
        (state / "worker.log").unlink(missing_ok=True)
        processes.append(start("worker", state / "worker.log"))
        wait_for_worker(state / "worker.log")
        processes.append(start("sink", state / "sink.log"))
        console.print(f"worker and sink running (logs in {state}); sending traffic...")
        records = list(generate(seed=1, cases=cases, span=timedelta(hours=6)))
        lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
        summary = produce_lines(lines, settings, "demo", report=False)
        console.print(
            f"produced {dict(summary.produced)}; dead-lettered "
            f"{sum(summary.dead_lettered.values())} bad records "
            f"({dict(summary.dead_lettered)})"
        )
        # The first records again, and bytes no codec reads: the worker drops the copies as
        # duplicates and dead-letters the bytes, so those counters move on /metrics too.
        produce_lines(lines[:50], settings, "demo-replay", report=False)
        producer = KafkaProducer(**producer_options(settings))
        producer.send(settings.topic_touchpoints, b"\x00not avro").get(timeout=30)
        producer.close()
        opened = {
            r["case_id"]
            for r in records
            if isinstance(r, dict) and r.get("event_type") == "contact_opened"
        }
        landed = wait_for_cases(settings, len(opened) - summary.dead_lettered.total())
        console.print(f"{landed} cases in ClickHouse")
        time.sleep(2 * settings.sink_batch_seconds)
        print_table(settings)
        print_metrics(settings)
        password_var = "TOUCHSTREAM_CLICKHOUSE_BI_PASSWORD"
        console.print(
            "\nQuery it yourself as the read-only BI user (while `touchstream local up` "
            "runs; the password is in "
            f"{state / 'local.env'}):",
            markup=False,
        )
        console.print(
            f"  curl -u {settings.clickhouse_bi_user}:${password_var} "
            f"'http://{settings.clickhouse_host}:{settings.clickhouse_port}/"
            f'?database={settings.clickhouse_database}\' --data-binary "{CURL_QUERY}"',
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    finally:
        for process in processes:
            os.killpg(process.pid, 15)
            process.wait(30)
        services.down(settings)
        console.print("stopped the worker, the sink and the local services")


if __name__ == "__main__":
    main()
