"""`graphkit collect`: live collection (DNS, RDAP); results load into --store or go to --emit FILE."""

from __future__ import annotations

import typer

from graphkit.cli.app import app

collect_app = typer.Typer(
    help="Collect live data (DNS, RDAP). Load it straight into the store, or --emit a records file.",
    no_args_is_help=True,
)
app.add_typer(collect_app, name="collect")
