"""`graphkit collect tls TARGETS...`: handshake with servers now and record the certificates they present."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from graphkit.cli.collect import EmitArg, InputArg, check_emit, deliver, read_targets
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format, print_rows
from graphkit.errors import GraphkitError
from graphkit.model import names

FAILED_EXIT = 3


def collect_tls(
    ctx: typer.Context,
    targets: Annotated[
        Optional[list[str]],
        typer.Argument(
            help="Servers: HOST, HOST:PORT, [IPv6]:PORT (port 443 by default).", metavar="TARGETS", show_default=False
        ),
    ] = None,
    input_file: InputArg = None,
    sni: Annotated[
        Optional[str],
        typer.Option(
            "--sni", help="Name to send (SNI); default: the target's name, none for an address.", show_default=False
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Handshakes in flight at once.")] = 20,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for each handshake.")] = 5.0,
    emit: EmitArg = None,
    fmt: FormatArg = Format.table,
) -> None:
    """Complete a TLS handshake with each server and record the chain it presents, trusted or not: the
    certificates (self-signed or expired ones too: that is data), the names and addresses they cover, the
    server's address SERVED_CERT, ISSUED_BY where a certificate's signature verifies. A name is resolved and
    every address asked. Prints a row per address with the outcome (ok, expired, not-yet-valid, timeout,
    refused, unreachable, tls-error, no-address). Exit status 0 when every handshake completed, 3 when some
    did not (what did complete is still recorded), 1 for a usage error."""
    from graphkit.collectors.tls import REPORT_COLUMNS, TlsSettings, collect, parse_target

    wanted = []
    for value in read_targets(targets or [], input_file):
        try:
            wanted.append(parse_target(value))
        except names.InvalidName as exc:
            typer.echo(f"skipped: {exc}", err=True)
    if not wanted:
        raise GraphkitError("no servers to ask: give TARGETS or --input FILE")
    if timeout <= 0:
        raise GraphkitError("--timeout must be positive")
    if sni is not None:
        try:
            sni = names.domain(sni)
        except names.InvalidName as exc:
            raise GraphkitError(f"--sni: {exc}") from None
    check_emit(emit)
    collection = collect(list(dict.fromkeys(wanted)), TlsSettings(timeout, concurrency, sni))
    source = collection.source(str(input_file) if input_file else None)
    written, where = deliver(collection.records, source, emit, store_options(ctx))
    print_rows(REPORT_COLUMNS, [r.row() for r in collection.reports], fmt)
    for report in collection.reports:
        if report.why:
            typer.echo(
                f"  {report.target} ({report.address or 'no address'}): {report.outcome}: {report.why}", err=True
            )
    typer.echo(f"{len(collection.reports)} handshakes, {written} records {where} ({source.key})", err=True)
    if collection.failed:
        typer.echo(f"{collection.failed} handshakes did not complete", err=True)
        raise typer.Exit(FAILED_EXIT)
