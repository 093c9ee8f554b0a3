"""The `graphkit` command: the command tree, put together here in the order of --help, and its
entry point. The command modules import their heavy libraries only when a command runs."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from graphkit.backends.store import redacted_text
from graphkit.cli import (
    analyze,
    collect,
    collect_dns,
    collect_rdap,
    collect_tls,
    demo,
    export,
    load,
    load_dns,
    load_logs,
    load_registry,
    load_tls,
    neo4j_browser,
    query,
    schema,
    stats,
)
from graphkit.cli.options import RootGroup, StoreCommand, StoreGroup, StoreLocationCommand
from graphkit.errors import GraphkitError

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


def _version(value: bool) -> None:
    if value:
        from graphkit import __version__

        typer.echo(f"graphkit {__version__}")
        raise typer.Exit()


def root(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = None,
) -> None:
    """graphkit: infrastructure investigations as a graph."""


app = typer.Typer(
    help=HELP,
    cls=RootGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
app.callback()(root)
app.command("stats", cls=StoreCommand)(stats.stats)
app.command("browser", cls=StoreLocationCommand)(neo4j_browser.browser)
app.command("demo", cls=StoreCommand)(demo.demo)

analyze_app = typer.Typer(
    no_args_is_help=True,
    help="Communities, centrality, components and similarity over a projection of the graph, written back.",
)
analyze_app.command("communities", cls=StoreCommand)(analyze.communities)
analyze_app.command("centrality", cls=StoreCommand)(analyze.centrality)
analyze_app.command("components", cls=StoreCommand)(analyze.components)
analyze_app.command("similarity", cls=StoreCommand)(analyze.similarity)
app.add_typer(analyze_app, name="analyze")

load_app = typer.Typer(help=load.HELP, no_args_is_help=True)
load_app.command("records", cls=StoreCommand)(load.load_records)
load_app.command("stix", cls=StoreCommand)(load.load_stix)
load_app.command("zone", cls=StoreCommand)(load_dns.load_zone)
load_app.command("pdns", cls=StoreCommand)(load_dns.load_pdns)
load_app.command("zeek", cls=StoreCommand)(load_logs.load_zeek)
load_app.command("bind", cls=StoreCommand)(load_logs.load_bind)
load_app.command("csv-log", cls=StoreCommand)(load_logs.load_csv_log)
load_app.command("eve", cls=StoreCommand)(load_logs.load_eve)
load_app.command("dnsmasq", cls=StoreCommand)(load_logs.load_dnsmasq)
load_app.command("route53", cls=StoreCommand)(load_logs.load_route53)
load_app.command("umbrella", cls=StoreCommand)(load_logs.load_umbrella)
load_app.command("dnstap", cls=StoreCommand)(load_logs.load_dnstap)
load_app.command("sysmon", cls=StoreCommand)(load_logs.load_sysmon)
load_app.command("windns", cls=StoreCommand)(load_logs.load_windns)
load_app.command("log", cls=StoreCommand)(load_logs.load_log)
load_app.command("rdap", cls=StoreCommand)(load_registry.load_rdap)
load_app.command("whois", cls=StoreCommand)(load_registry.load_whois)
load_app.command("prefixes", cls=StoreCommand)(load_registry.load_prefixes)
load_app.command("asnames", cls=StoreCommand)(load_registry.load_asnames)
load_app.command("attributions", cls=StoreCommand)(load_registry.load_attributions)
load_app.command("certs", cls=StoreCommand)(load_tls.load_certs)
load_app.command("crtsh", cls=StoreCommand)(load_tls.load_crtsh)
app.add_typer(load_app, name="load")

collect_app = typer.Typer(help=collect.HELP, no_args_is_help=True)
collect_app.command("dns", cls=StoreCommand)(collect_dns.collect_dns)
collect_app.command("rdap", cls=StoreCommand)(collect_rdap.collect_rdap)
collect_app.command("tls", cls=StoreCommand)(collect_tls.collect_tls)
app.add_typer(collect_app, name="collect")

query_app = typer.Typer(help=query.HELP, no_args_is_help=True)
query_app.command("list")(query.list_queries)
query_app.command("show")(query.show)
query_app.command("run", cls=StoreCommand)(query.run)
query_app.command("check")(query.check)
app.add_typer(query_app, name="query")

export_app = typer.Typer(help=export.HELP, cls=StoreGroup, invoke_without_command=True)
export_app.callback()(export.export_subgraph)
export_app.command("bulk", cls=StoreCommand)(export.bulk)
app.add_typer(export_app, name="export")

schema_app = typer.Typer(help=schema.HELP, no_args_is_help=True)
schema_app.command("show")(schema.show)
schema_app.command("cypher")(schema.cypher)
schema_app.command("ddl")(schema.ddl)
schema_app.command("upgrade")(schema.upgrade)
app.add_typer(schema_app, name="schema")


def main(argv: list[str] | None = None) -> None:
    """Entry point (argv: the arguments, default sys.argv[1:]): user errors are one line on
    stderr and a non-zero exit, never a traceback. Always ends in SystemExit."""
    try:
        app(args=argv, prog_name="graphkit")
    except GraphkitError as exc:
        typer.echo(f"error: {redacted_text(str(exc))}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: still one line, the traceback on request
        if os.environ.get("GRAPHKIT_DEBUG"):
            raise
        message = redacted_text(f"{type(exc).__name__}: {exc}")  # a library's message may hold a store URI
        typer.echo(f"internal error: {message} (GRAPHKIT_DEBUG=1 shows the traceback)", err=True)
        sys.exit(2)
