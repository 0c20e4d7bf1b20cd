"""Versioned ClickHouse DDL: ``sinks/migrations/NNNN_name.sql``, applied in name order, each once,
as the admin user. ``schema_migrations`` records what was applied, so running again is a no-op.
Statements use IF NOT EXISTS, so a run interrupted inside a file can simply be repeated.

Files are ``string.Template`` text: ``${database}`` and ``${facts_ttl_days}`` come from the
settings. Passwords never do: the users are created here, in code, from their SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import logging
import re
from importlib import resources
from string import Template

import typer
from clickhouse_connect.driver.client import Client

from sinks.clickhouse import connect
from touchstream.settings import Settings, load_settings

log = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Storages in which CREATE USER can create a user (system.user_directories.type).
_WRITABLE_USER_STORAGES = ("local_directory", "replicated", "memory")


def migration_files() -> list[tuple[str, str]]:
    """(name, text) of every migration, in the order they apply."""
    folder = resources.files("sinks.migrations")
    files = [f for f in folder.iterdir() if f.name.endswith(".sql")]
    files.sort(key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text()) for f in files]


def statements(text: str, settings: Settings) -> list[str]:
    """The statements of one file: comment lines dropped, split at semicolons ending a line."""
    sql = Template(text).substitute(
        database=settings.clickhouse_database, facts_ttl_days=settings.facts_ttl_days
    )
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*$", body, flags=re.MULTILINE) if s.strip()]


def migrate(settings: Settings) -> list[str]:
    """Creates the database, applies the migrations not applied yet, and provisions the writer
    and BI users. Returns the names applied by this run."""
    database = settings.clickhouse_database
    for name in (database, settings.clickhouse_writer_user, settings.clickhouse_bi_user):
        if not _IDENTIFIER.match(name):
            raise ValueError(f"{name!r} is not a plain ClickHouse identifier")
    admin = connect(settings, "admin", database="default")
    try:
        admin.command(f"CREATE DATABASE IF NOT EXISTS {database}")
        admin.command(
            f"CREATE TABLE IF NOT EXISTS {database}.schema_migrations "
            "(name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) "
            "ENGINE = MergeTree ORDER BY name"
        )
        done = {
            row[0]
            for row in admin.query(f"SELECT name FROM {database}.schema_migrations").result_rows
        }
        applied = []
        for name, text in migration_files():
            if name in done:
                continue
            for statement in statements(text, settings):
                admin.command(statement)
            admin.insert(f"{database}.schema_migrations", [(name,)], column_names=["name"])
            log.info("applied migration %s", name)
            applied.append(name)
        provision_users(admin, settings)
        return applied
    finally:
        admin.close()


def provision_users(admin: Client, settings: Settings) -> None:
    """The writer may INSERT and SELECT in the database, the BI user only SELECT. Only a SHA-256
    digest of each password reaches the server, so no query log holds a password.

    A server whose users all come from configuration files (the local chdb server reads its users
    file, written by ``touchstream local up``) has no storage CREATE USER could write to: then
    this is skipped with a log line."""
    writable = admin.query(
        "SELECT count() FROM system.user_directories WHERE type IN {types:Array(String)}",
        parameters={"types": list(_WRITABLE_USER_STORAGES)},
    ).result_rows[0][0]
    if not writable:
        log.info(
            "this ClickHouse server does not support access management (users come from "
            "its configuration files); not creating the writer and BI users"
        )
        return
    database = settings.clickhouse_database
    for user, secret, grant, role in (
        (
            settings.clickhouse_writer_user,
            settings.clickhouse_writer_password,
            "INSERT, SELECT",
            "WRITER",
        ),
        (settings.clickhouse_bi_user, settings.clickhouse_bi_password, "SELECT", "BI"),
    ):
        if not secret.get_secret_value():
            # A user with an empty password would be open to anyone who reaches the server.
            raise SystemExit(
                f"refusing to create ClickHouse user {user} with an empty password: "
                f"set TOUCHSTREAM_CLICKHOUSE_{role}_PASSWORD"
            )
        digest = hashlib.sha256(secret.get_secret_value().encode()).hexdigest()
        admin.command(f"CREATE USER IF NOT EXISTS {user} IDENTIFIED WITH sha256_hash BY '{digest}'")
        # The password may have changed since the user was created.
        admin.command(f"ALTER USER {user} IDENTIFIED WITH sha256_hash BY '{digest}'")
        admin.command(f"GRANT {grant} ON {database}.* TO {user}")
        log.info("user %s: %s on %s.*", user, grant, database)


def migrate_command() -> None:
    """Create or upgrade the ClickHouse database, tables, views and users."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    applied = migrate(load_settings())
    typer.echo(f"applied: {', '.join(applied)}" if applied else "up to date")
