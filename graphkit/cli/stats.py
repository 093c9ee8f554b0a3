"""`graphkit stats`: what the graph holds, counted."""

from __future__ import annotations

import json

import typer

from graphkit.backends.store import open_store
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format, print_rows
from graphkit.query.stats import graph_stats


def stats(ctx: typer.Context, fmt: FormatArg = Format.table) -> None:
    """Count nodes per label, relationships per type, lookups and sources."""
    backend = open_store(store_options(ctx), read_only=True)
    try:
        result = graph_stats(backend)
    finally:
        backend.close()
    if fmt is Format.json:
        typer.echo(json.dumps(result, indent=2, sort_keys=True))
        return
    rows: list[list[object]] = [["node", k, v] for k, v in result["nodes"].items()]
    rows += [["relationship", k, v] for k, v in result["relationships"].items()]
    rows += [["total", "lookups", result["lookups"]], ["total", "sources", result["sources"]]]
    print_rows(["kind", "name", "count"], rows, fmt)
