"""`graphkit collect dns NAMES...`: resolve names now and record what the name server said."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from graphkit.cli.collect import collect_app, deliver, read_targets
from graphkit.cli.options import DatabaseArg, FormatArg, PasswordArg, StoreArg, UserArg, store_options
from graphkit.cli.output import Format, print_rows
from graphkit.collectors.dns import REPORT_COLUMNS, DnsSettings, collect
from graphkit.errors import GraphkitError
from graphkit.model import names

UNANSWERED_EXIT = 3


@collect_app.command("dns")
def collect_dns(
    targets: Annotated[
        Optional[list[str]], typer.Argument(help="Names to resolve.", metavar="NAMES", show_default=False)
    ] = None,
    input_file: Annotated[
        Optional[Path],
        typer.Option("--input", "-i", help="File of names, one a line ('#' starts a comment).", show_default=False),
    ] = None,
    follow: Annotated[
        int, typer.Option("--follow", help="Also resolve NS/MX/CNAME targets, this many levels deep.")
    ] = 0,
    nameserver: Annotated[
        Optional[list[str]],
        typer.Option(
            "--nameserver", help="Name server IP to ask (repeatable; default: the system resolver).", show_default=False
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Name server port.")] = 53,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Queries in flight at once.")] = 20,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for each attempt.")] = 3.0,
    retries: Annotated[int, typer.Option("--retries", help="Further attempts after a timeout.")] = 2,
    emit: Annotated[
        Optional[Path],
        typer.Option(
            "--emit",
            help="Write the records to this JSON-lines file (for `graphkit load records`) instead of the store.",
            show_default=False,
        ),
    ] = None,
    store: StoreArg = None,
    user: UserArg = None,
    password: PasswordArg = None,
    database: DatabaseArg = None,
    fmt: FormatArg = Format.table,
) -> None:
    """Resolve A, AAAA, CNAME, NS, MX, TXT and SOA for each name, and PTR for every address found.

    Prints one row per name queried: the records its answers gave, and how its queries ended
    (answered, NXDOMAIN, no answer, SERVFAIL, timeout, unreachable, other). Answers load into
    the store, or go to --emit FILE. Exit status 0 when every query got a reply (whatever its
    rcode), 3 when some got none (timeouts, unreachable server) - what did answer is still
    recorded - and 1 for a usage error.
    """
    wanted = _targets(targets or [], input_file)
    for label, value, low in (("--port", port, 1), ("--concurrency", concurrency, 1), ("--retries", retries, 0)):
        if value < low or (label == "--port" and value > 65535):
            raise GraphkitError(f"{label} {value} is out of range")
    if timeout <= 0 or follow < 0:
        raise GraphkitError("--timeout must be positive and --follow not negative")
    if emit is not None and not emit.resolve().parent.is_dir():
        raise GraphkitError(f"--emit {emit}: no such folder")
    try:
        settings = DnsSettings(nameserver or [], port, timeout, retries, concurrency, follow)
        collection = collect(wanted, settings)
    except names.InvalidName as exc:
        raise GraphkitError(f"--nameserver: {exc}") from None
    source = collection.source(str(input_file) if input_file else None, settings)
    written, where = deliver(collection.records, source, emit, store_options(store, user, password, database))
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
