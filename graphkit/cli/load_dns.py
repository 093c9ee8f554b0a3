"""`graphkit load zone` and `graphkit load pdns`: DNS records from zone files and passive DNS."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from graphkit.cli.load import BatchArg, FilesArg, StrictArg, run_load
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format
from graphkit.errors import GraphkitError
from graphkit.ingest import DEFAULT_BATCH
from graphkit.model.names import InvalidName

OriginArg = Annotated[
    Optional[str],
    typer.Option(
        "--origin",
        help="Origin for relative names (default: the file's $ORIGIN or SOA owner, else its name, "
        "e.g. example.com.zone or db.example.com).",
        show_default=False,
    ),
]


def load_zone(
    ctx: typer.Context,
    files: FilesArg,
    origin: OriginArg = None,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load DNS zone files (RFC 1035 master files; partial zones are fine).

    A, AAAA, CNAME, NS, MX, SRV, PTR, SOA and SPF TXT records become relationships; every
    other type is counted in the summary. A syntax error rejects that whole file (with its
    line) and nothing from it is written; the other files still load. A record whose data
    its type refuses (say an address out of range) is rejected alone, with its line.
    Exit status 1 if any file was rejected whole.
    """
    from graphkit.parsers.zone import ZoneParser

    try:
        parser = ZoneParser(origin)
    except InvalidName as exc:
        raise GraphkitError(f"--origin: {exc}") from None
    run_load(parser, files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)


def load_pdns(
    ctx: typer.Context,
    files: FilesArg,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load passive DNS JSON lines: CIRCL Common Output Format, Farsight DNSDB v1 lines or
    v2 SAF streams. time_first/time_last become first_seen/last_seen, count the observation count."""
    from graphkit.parsers.pdns import PdnsParser

    run_load(PdnsParser(), files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)
