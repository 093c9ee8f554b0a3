"""The `graphkit` command: a thin layer over the library."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Optional

import typer

from graphkit import __version__
from graphkit.backends.store import open_store
from graphkit.cli.options import DatabaseArg, FormatArg, PasswordArg, StoreArg, UserArg, store_options
from graphkit.cli.output import Format, print_rows
from graphkit.errors import GraphkitError
from graphkit.query.stats import graph_stats

HELP = """\
Turn DNS records, DNS lookup logs, WHOIS/RDAP registrants and hosting operators into a
graph, and ask it who is connected to whom through shared infrastructure.

\b
Start here:  graphkit demo            (loads a worked case and prints its findings)
Then:        graphkit load KIND FILES  (load your own data; see `graphkit load --help`)
             graphkit query list       (the canned questions; `graphkit query run NAME`)

\b
The graph lives in an embedded store (a file, default ./graphkit.lbdb) unless --store
or GRAPHKIT_STORE names a Neo4j URI (bolt://host:7687 with NEO4J_USERNAME/NEO4J_PASSWORD).
"""

app = typer.Typer(
    help=HELP, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False, rich_markup_mode=None
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"graphkit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = None,
) -> None:
    """graphkit: infrastructure investigations as a graph."""


@app.command()
def stats(
    store: StoreArg = None,
    user: UserArg = None,
    password: PasswordArg = None,
    database: DatabaseArg = None,
    fmt: FormatArg = Format.table,
) -> None:
    """Count nodes per label, relationships per type, lookups and sources."""
    backend = open_store(store_options(store, user, password, database), read_only=True)
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


COMMAND_MODULES = (
    "load",
    "load_dns",
    "load_logs",
    "load_registry",
    "collect",
    "collect_dns",
    "collect_rdap",
    "query",
    "export",
    "neo4j_browser",
    "demo",
    "schema",
)


def register_commands() -> None:
    """Each module adds its commands to `app` when imported, in this order (the order of --help)."""
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"graphkit.cli.{name}")


def main(argv: list[str] | None = None) -> None:
    """Entry point (argv: the arguments, default sys.argv[1:]): user errors are one line on
    stderr and a non-zero exit, never a traceback. Always ends in SystemExit."""
    register_commands()

    try:
        app(args=argv, prog_name="graphkit")
    except GraphkitError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: still one line, the traceback on request
        if os.environ.get("GRAPHKIT_DEBUG"):
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (GRAPHKIT_DEBUG=1 shows the traceback)", err=True)
        sys.exit(2)
