"""`touchstream local up|down|status`: the local broker and ClickHouse for dev, demo and tests."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from deploy.local import services
from touchstream.settings import Settings, load_settings

local_app = typer.Typer(no_args_is_help=True, help=__doc__)
console = Console()


def _settings_with_secrets() -> Settings:
    services.ensure_local_secrets(load_settings().state_dir)
    return load_settings()


def show_statuses(statuses: list[services.ServiceStatus]) -> None:
    table = Table("service", "listens on", "pid", "answering")
    for s in statuses:
        table.add_row(s.name, s.address, str(s.pid or "-"), "yes" if s.answering else "no")
    console.print(table)


@local_app.command()
def up() -> None:
    """Start the local broker and ClickHouse in the background and wait until both answer."""
    settings = _settings_with_secrets()
    try:
        statuses = services.up(settings)
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    show_statuses(statuses)
    console.print(f"state, logs and pid files: {settings.state_dir.resolve()}")


@local_app.command()
def down() -> None:
    """Stop what `up` started."""
    stopped = services.down(load_settings())
    console.print(f"stopped: {', '.join(stopped) or 'nothing was running'}")


@local_app.command()
def status() -> None:
    """Show whether each local service runs and answers."""
    statuses = services.status(load_settings())
    show_statuses(statuses)
    if not all(s.answering for s in statuses):
        raise typer.Exit(1)
