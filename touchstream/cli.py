"""The ``touchstream`` command. Each command's work lives in the module named after it; this file
only wires them into one Typer app."""

from __future__ import annotations

import typer

from sinks.migrate import migrate_command
from sinks.replay import replay_command
from sinks.sink import sink_command
from sinks.sql import sql_command
from touchstream.alerts import alerts_app
from touchstream.collector.command import collector_command
from touchstream.generator import generate_command
from touchstream.local import local_app
from touchstream.producer import produce_command
from touchstream.worker import worker_command

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(local_app, name="local")
app.add_typer(alerts_app, name="alerts")
app.command("worker")(worker_command)
app.command("collector")(collector_command)
app.command("generate")(generate_command)
app.command("produce")(produce_command)
app.command("migrate")(migrate_command)
app.command("sink")(sink_command)
app.command("sql")(sql_command)
app.command("replay")(replay_command)


if __name__ == "__main__":
    app()
