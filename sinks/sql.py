"""``touchstream sql "QUERY"``: one query as the read-only BI user, printed as a table."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from sinks.clickhouse import connect
from touchstream.settings import load_settings


def sql_command(
    query: str = typer.Argument(..., help="one read statement, e.g. of a BI view"),
) -> None:
    """Run QUERY in the Touchstream database as the read-only BI user."""
    client = connect(load_settings(), "bi")
    try:
        result = client.query(query)
    finally:
        client.close()
    table = Table(*result.column_names)
    for row in result.result_rows:
        table.add_row(*("NULL" if value is None else str(value) for value in row))
    Console().print(table)
