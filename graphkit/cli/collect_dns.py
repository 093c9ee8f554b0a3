"""`graphkit collect dns NAMES...`: resolve names now and record what the name server said."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from graphkit.cli.collect import EmitArg, InputArg, check_emit, deliver, read_targets
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format, print_rows
from graphkit.errors import GraphkitError
from graphkit.model import names

UNANSWERED_EXIT = 3


def collect_dns(
    ctx: typer.Context,
    targets: Annotated[
        Optional[list[str]], typer.Argument(help="Names to resolve.", metavar="NAMES", show_default=False)
    ] = None,
    input_file: InputArg = None,
    follow: Annotated[
        int, typer.Option("--follow", min=0, help="Also resolve NS/MX/CNAME targets, this many levels deep.")
    ] = 0,
    nameserver: Annotated[
        Optional[list[str]],
        typer.Option(
            "--nameserver", help="Name server IP to ask (repeatable; default: the system resolver).", show_default=False
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Name server port.")] = 53,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Queries in flight at once.")] = 20,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for each attempt.")] = 3.0,
    retries: Annotated[int, typer.Option("--retries", min=0, help="Further attempts after a timeout.")] = 2,
    emit: EmitArg = None,
    fmt: FormatArg = Format.table,
) -> None:
    """Resolve A, AAAA, CNAME, NS, MX, TXT and SOA for each name, and PTR for every address found.

    Prints one row per name queried: the records its answers gave, and how its queries ended
    (answered, NXDOMAIN, no answer, SERVFAIL, timeout, unreachable, other). Answers load into
    the store, or go to --emit FILE. Exit status 0 when every query got a reply (whatever its
    rcode), 3 when some got none (timeouts, unreachable server) - what did answer is still
    recorded - and 1 for a usage error.
    """
    from graphkit.collectors.dns import REPORT_COLUMNS, DnsSettings, collect

    wanted = _targets(targets or [], input_file)
    if timeout <= 0:  # typer's min= cannot exclude 0
        raise GraphkitError("--timeout must be positive")
    check_emit(emit)
    try:
        settings = DnsSettings(nameserver or [], port, timeout, retries, concurrency, follow)
        collection = collect(wanted, settings)
    except names.InvalidName as exc:
        raise GraphkitError(f"--nameserver: {exc}") from None
    source = collection.source(str(input_file) if input_file else None, settings)
    written, where = deliver(collection.records, source, emit, store_options(ctx))
    print_rows(REPORT_COLUMNS, [r.row() for r in collection.reports.values()], fmt)
    for rejected in collection.rejected[:10]:
        typer.echo(f"  rejected answer: {rejected}", err=True)
    totals = collection.totals()
    queries = totals.get("queries", 0)
    typer.echo(
        f"{len(collection.reports)} names, {queries} queries, {written} records {where} ({source.key})", err=True
    )
    if collection.unanswered:
        typer.echo(f"{collection.unanswered} queries got no reply (timeout or unreachable server)", err=True)
        raise typer.Exit(UNANSWERED_EXIT)


def _targets(given: list[str], input_file: Path | None) -> list[str]:
    wanted: list[str] = []
    for value in read_targets(given, input_file):
        try:
            wanted.append(names.domain(value))
        except names.InvalidName as exc:
            typer.echo(f"skipped: {exc}", err=True)
    if not wanted:
        raise GraphkitError("no names to resolve: give NAMES or --input FILE")
    return list(dict.fromkeys(wanted))
