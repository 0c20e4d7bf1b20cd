"""The ``touchstream`` command. Each command's work lives in the module named after it; this file
only wires them into one Typer app."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
