"""Migrations apply once and in order, and the BI user reads the views but changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from clickhouse_connect.driver.exceptions import DatabaseError
from typer.testing import CliRunner

from sinks.clickhouse import connect
from sinks.migrate import migrate, migration_files
from tests.integration.sinks.support import drop_database, own_database
from tests.unit.sinks.records import T0
from touchstream.cli import app
from touchstream.settings import Settings

pytestmark = pytest.mark.integration

VIEWS = ("channel_satisfaction_hourly", "channel_response_times_hourly", "sla_breaches",
         "open_cases", "feedback_themes_daily", "channel_activity_hourly")
TABLES = ("touchpoints", "feedback", "cases", "window_results", "alerts", "dead_letters")
# 164: READONLY (the local server, and a readonly profile); 497: ACCESS_DENIED (grants).
REFUSED = r"Code: (164|497)"


@pytest.fixture(scope="module")
def settings(stack: Settings) -> Iterator[Settings]:
    settings = own_database(stack, "migrate")
    yield settings
    drop_database(settings)


def test_migrate_applies_each_file_once(settings: Settings) -> None:
    names = [name for name, _ in migration_files()]
    assert names == sorted(names) and names[0].startswith("0001_")
    assert migrate(settings) == names
    assert migrate(settings) == []
    admin = connect(settings, "admin")
    recorded = admin.query("SELECT name FROM schema_migrations ORDER BY name").result_rows
    present = {row[0] for row in admin.query("SHOW TABLES").result_rows}
    admin.close()
    assert [row[0] for row in recorded] == names
    assert set(VIEWS) | set(TABLES) <= present


def test_ttl_comes_from_the_settings(stack: Settings) -> None:
    settings = own_database(stack, "ttl").model_copy(update={"facts_ttl_days": 30})
    try:
        migrate(settings)
        admin = connect(settings, "admin")
        ddl = admin.command("SHOW CREATE TABLE touchpoints")
        admin.close()
        assert "toIntervalDay(30)" in str(ddl)
    finally:
        drop_database(settings)


def test_bi_user_reads_the_views_and_cannot_change_anything(settings: Settings) -> None:
    migrate(settings)
    bi = connect(settings, "bi")
    try:
        for view in VIEWS:
            assert bi.query(f"SELECT count() FROM {view}").result_rows == [(0,)]
        db = settings.clickhouse_database
        for statement in (
            f"INSERT INTO {db}.feedback (feedback_id) VALUES ('x')",
            f"ALTER TABLE {db}.cases DELETE WHERE 1",
            f"ALTER TABLE {db}.cases ADD COLUMN x UInt8",
            f"DROP TABLE {db}.alerts",
            f"DROP VIEW {db}.open_cases",
            f"DROP DATABASE {db}",
        ):
            with pytest.raises(DatabaseError, match=REFUSED):
                bi.command(statement)
        with pytest.raises(DatabaseError, match=REFUSED):
            bi.insert("dead_letters", [("t", 0, 0, "r", "d", "", T0)],
                      column_names=["topic", "partition", "offset", "reason", "detail",
                                    "payload", "dead_at"])
    finally:
        bi.close()
    admin = connect(settings, "admin")
    assert admin.query("SELECT count() FROM feedback").result_rows == [(0,)]
    assert "open_cases" in {row[0] for row in admin.query("SHOW TABLES").result_rows}
    admin.close()


def test_sql_command_prints_a_table_as_the_bi_user(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(settings)
    monkeypatch.setenv("TOUCHSTREAM_CLICKHOUSE_DATABASE", settings.clickhouse_database)
    runner = CliRunner()
    shown = runner.invoke(app, ["sql", "SELECT name FROM schema_migrations ORDER BY name"])
    assert shown.exit_code == 0, shown.output
    applied = len(migration_files())
    assert "0004_bi_views" in shown.output and shown.output.rstrip().endswith(f"{applied} rows")
    refused = runner.invoke(app, ["sql", "DROP TABLE cases"])
    assert refused.exit_code == 1 and re.search(REFUSED, refused.output)
