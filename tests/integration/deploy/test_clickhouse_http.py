"""The local ClickHouse server (deploy/local/clickhouse_http.py) through real clients:
clickhouse-connect and curl, with the features the sink relies on and the read-only BI user."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import clickhouse_connect
import pytest
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError

from touchstream.settings import Settings

pytestmark = pytest.mark.integration


def client(stack: Settings, user: str, password: str, **kwargs: object) -> Client:
    return clickhouse_connect.get_client(
        host=stack.clickhouse_host, port=stack.clickhouse_port, username=user, password=password,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture()
def writer(stack: Settings) -> Client:
    return client(stack, stack.clickhouse_writer_user,
                  stack.clickhouse_writer_password.get_secret_value())


@pytest.fixture()
def bi(stack: Settings) -> Client:
    return client(stack, stack.clickhouse_bi_user, stack.clickhouse_bi_password.get_secret_value())


@pytest.fixture()
def db(writer: Client) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:8]}"
    writer.command(f"CREATE DATABASE {name}")
    yield name
    writer.command(f"DROP DATABASE {name}")


def test_round_trip_of_typed_rows(writer: Client, db: str) -> None:
    writer.command(
        f"CREATE TABLE {db}.facts (id UInt32, channel LowCardinality(String), "
        "at DateTime64(3, 'UTC'), attributes Map(String, String), score Nullable(Float64), "
        "themes Array(String)) ENGINE = MergeTree ORDER BY id"
    )
    at = datetime(2026, 11, 24, 10, 0, 0, 123000, tzinfo=UTC)
    rows = [(i, "chat", at, {"queue": f"q{i % 3}"}, None if i % 2 else i / 2, ["billing"])
            for i in range(5000)]
    writer.insert(f"{db}.facts", rows,
                  column_names=["id", "channel", "at", "attributes", "score", "themes"])
    assert writer.query(f"SELECT count(), sum(id) FROM {db}.facts").result_rows == [
        (5000, sum(range(5000)))]
    first = writer.query(f"SELECT * FROM {db}.facts ORDER BY id LIMIT 2").result_rows
    # clickhouse-connect returns UTC DateTime64 values as naive datetimes, as with a real server.
    assert first[0] == (0, "chat", at.replace(tzinfo=None), {"queue": "q0"}, 0.0, ["billing"])
    assert first[1][4] is None
    frame = writer.query_df(f"SELECT channel, count() AS n FROM {db}.facts GROUP BY channel")
    assert frame.to_dict("records") == [{"channel": "chat", "n": 5000}]
    assert writer.query("SELECT {v:UInt32} * 2", parameters={"v": 21}).result_rows == [(42,)]


def test_replacing_merge_tree_keeps_the_latest_version(writer: Client, db: str) -> None:
    writer.command(f"CREATE TABLE {db}.cases (case_id String, fcr UInt8, version UInt64) "
                   "ENGINE = ReplacingMergeTree(version) ORDER BY case_id")
    writer.insert(f"{db}.cases", [("c1", 1, 1), ("c2", 1, 1)])
    writer.insert(f"{db}.cases", [("c1", 0, 2), ("c1", 1, 1)])
    assert writer.query(f"SELECT case_id, fcr FROM {db}.cases FINAL ORDER BY case_id"
                        ).result_rows == [("c1", 0), ("c2", 1)]


def test_aggregating_view_and_insert_dedup(writer: Client, db: str) -> None:
    """Pins chdb's behaviour: a repeated insert_deduplication_token drops the repeated block
    from the source table, but its materialized view still receives it (so MV rollups double
    on replay: see deploy/local/CLICKHOUSE.md)."""
    writer.command(
        f"CREATE TABLE {db}.fb (id String, channel LowCardinality(String), "
        "at DateTime64(3, 'UTC'), score UInt8) ENGINE = MergeTree ORDER BY (channel, id) "
        "TTL toDateTime(at) + INTERVAL 400 DAY SETTINGS non_replicated_deduplication_window = 100"
    )
    writer.command(
        f"CREATE TABLE {db}.hourly (channel LowCardinality(String), hour DateTime, "
        "n AggregateFunction(count), avg_score AggregateFunction(avg, UInt8), "
        "q AggregateFunction(quantiles(0.5, 0.9), UInt8)) "
        "ENGINE = AggregatingMergeTree ORDER BY (channel, hour)"
    )
    writer.command(
        f"CREATE MATERIALIZED VIEW {db}.hourly_mv TO {db}.hourly AS SELECT channel, "
        "toStartOfHour(at) AS hour, countState() AS n, avgState(score) AS avg_score, "
        f"quantilesState(0.5, 0.9)(score) AS q FROM {db}.fb GROUP BY channel, hour"
    )
    at = datetime(2026, 11, 24, 10, 5, tzinfo=UTC)
    for _ in range(2):
        writer.insert(f"{db}.fb", [("a", "web", at, 5), ("b", "web", at, 3)],
                      settings={"insert_deduplication_token": "batch-1"})
    assert writer.query(f"SELECT count() FROM {db}.fb").result_rows == [(2,)]
    merged = writer.query(f"SELECT countMerge(n), avgMerge(avg_score) FROM {db}.hourly")
    assert merged.result_rows == [(4, 4.0)]


def test_curl_get_and_post(stack: Settings) -> None:
    base = f"http://{stack.clickhouse_host}:{stack.clickhouse_port}/"
    auth = f"{stack.clickhouse_bi_user}:{stack.clickhouse_bi_password.get_secret_value()}"
    get = subprocess.run(["curl", "-sS", "-u", auth, base + "?query=SELECT%201%2B1"],
                         capture_output=True, text=True, check=True)
    assert get.stdout == "2\n"
    post = subprocess.run(["curl", "-sS", "-u", auth, "--data-binary",
                           "SELECT number FROM numbers(2) FORMAT JSONEachRow", base],
                          capture_output=True, text=True, check=True)
    assert post.stdout == '{"number":0}\n{"number":1}\n'
    ping = subprocess.run(["curl", "-sS", base + "ping"], capture_output=True, text=True,
                          check=True)
    assert ping.stdout == "Ok.\n"


def test_errors_are_clickhouse_errors(writer: Client) -> None:
    with pytest.raises(DatabaseError, match="Code: 62"):
        writer.query("SELEC 1")
    with pytest.raises(DatabaseError, match="Code: 81"):
        writer.query("SELECT * FROM no_such_db.no_such_table")


def test_bi_user_reads_but_cannot_write(writer: Client, bi: Client, db: str) -> None:
    writer.command(f"CREATE TABLE {db}.t (a UInt8) ENGINE = MergeTree ORDER BY a")
    writer.insert(f"{db}.t", [(1,)])
    assert bi.query(f"SELECT count() FROM {db}.t").result_rows == [(1,)]
    for statement in (f"INSERT INTO {db}.t VALUES (2)", f"ALTER TABLE {db}.t DELETE WHERE 1",
                      f"DROP TABLE {db}.t", f"CREATE TABLE {db}.u (a UInt8) ENGINE = Memory",
                      f"SELECT 1; DROP TABLE {db}.t"):
        with pytest.raises(DatabaseError, match="Code: 164"):
            bi.command(statement)
    with pytest.raises(DatabaseError, match="Code: 164"):
        bi.insert(f"{db}.t", [(3,)])
    # clickhouse-connect sees the session's readonly setting and refuses first, as it does with
    # a server's readonly profile.
    with pytest.raises(DatabaseError, match=r"Code: 164|Setting readonly is readonly"):
        bi.command(f"DROP TABLE {db}.t", settings={"readonly": 0})
    # A quoted "--" hid the second statement from the server's statement check: the engine
    # refuses it all the same.
    with pytest.raises(DatabaseError, match="Code: 164"):
        bi.command(f"SELECT '--'; INSERT INTO {db}.t VALUES (4)")
    assert writer.query(f"SELECT count() FROM {db}.t").result_rows == [(1,)]


def test_bi_user_cannot_read_files(stack: Settings, bi: Client) -> None:
    secrets = stack.state_dir / "local.env"  # the admin's password, among others
    assert secrets.exists()
    with pytest.raises(DatabaseError, match="Code: 164"):
        bi.query(f"SELECT * FROM file('{secrets}', 'LineAsString')")


def test_wrong_password_is_refused(stack: Settings) -> None:
    with pytest.raises(DatabaseError, match="Code: 516"):
        client(stack, stack.clickhouse_bi_user, "not-the-password")


def test_a_requests_settings_are_its_own(writer: Client) -> None:
    """The server restores each setting a request sets before the next runs, whichever came
    first; asked twice, so that the second time restores from what it remembered."""
    value = "SELECT getSetting('max_result_rows')"
    default = writer.command(value)
    for _ in range(2):
        assert writer.command(value, settings={"max_result_rows": 12345}) == 12345
        assert writer.command(value) == default
    # A request whose later setting fails: its earlier ones are undone too.
    with pytest.raises(DatabaseError, match="Code: 115"):
        writer.command(value, settings={"max_result_rows": 1, "no_such_setting_here": 1})
    assert writer.command(value) == default
