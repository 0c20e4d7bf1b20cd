"""Shared by the sink's integration tests: per-test databases, clients, rows through the sink."""

from __future__ import annotations

import uuid
from typing import Any

from clickhouse_connect.driver.client import Client

from schemas.codec import frame
from sinks.batch import Row
from sinks.clickhouse import connect
from sinks.sink import to_row
from touchstream.settings import Settings


def own_database(stack: Settings, prefix: str) -> Settings:
    return stack.model_copy(update={"clickhouse_database": f"{prefix}_{uuid.uuid4().hex[:8]}"})


def rows(records: list[tuple[str, dict[str, Any]]]) -> dict[str, list[Row]]:
    """(subject, datum) pairs -> rows per table, exactly as the sink maps records it consumed."""
    by_table: dict[str, list[Row]] = {}
    for offset, (subject, datum) in enumerate(records):
        table, row = to_row("test", 0, offset, frame(subject, datum))
        by_table.setdefault(table, []).append(row)
    return by_table


def query(client: Client, sql: str) -> list[dict[str, Any]]:
    result = client.query(sql)
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def drop_database(settings: Settings) -> None:
    admin = connect(settings, "admin", database="default")
    admin.command(f"DROP DATABASE IF EXISTS {settings.clickhouse_database}")
    admin.close()
