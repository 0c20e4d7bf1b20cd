"""clickhouse-connect clients for the three ClickHouse users the settings name."""

from __future__ import annotations

from typing import Literal

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from touchstream.security import clickhouse_tls
from touchstream.settings import Settings

Role = Literal["admin", "writer", "bi"]


def credentials(settings: Settings, role: Role) -> tuple[str, str]:
    user: str = getattr(settings, f"clickhouse_{role}_user")
    password = getattr(settings, f"clickhouse_{role}_password").get_secret_value()
    return user, password


def connect(settings: Settings, role: Role, database: str | None = None) -> Client:
    """``database`` None means the settings' database; the admin passes "default" before that
    database exists."""
    user, password = credentials(settings, role)
    return clickhouse_connect.get_client(
        host=settings.clickhouse_host,
        port=settings.clickhouse_port,
        username=user,
        password=password,
        database=database or settings.clickhouse_database,
        **clickhouse_tls(settings),
    )
