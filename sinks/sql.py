"""``touchstream sql "QUERY"``: one query as the read-only BI user, printed as a table."""

from __future__ import annotations

import sys

import typer
from clickhouse_connect.driver.exceptions import DatabaseError
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
    except DatabaseError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        client.close()
    table = Table(*result.column_names)
    for row in result.result_rows:
        table.add_row(*("NULL" if value is None else str(value) for value in row))
    # Piped output has no terminal width to fit; cutting figures to "…" would hide them.
    console = Console() if sys.stdout.isatty() else Console(width=100_000)
    if result.column_names:
        console.print(table)
    console.print(f"{len(result.result_rows)} rows")
