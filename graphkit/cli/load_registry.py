"""`graphkit load rdap|whois|prefixes|asnames|attributions`: who stands behind names and addresses.

The prefixes and asnames loaders match against what the store holds already
(graphkit.ingest.loaded reads it); the parsers themselves stay pure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from graphkit.backends.store import StoreOptions
from graphkit.cli.load import BatchArg, FilesArg, StrictArg, run_load
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format
from graphkit.errors import GraphkitError
from graphkit.ingest import DEFAULT_BATCH

AllArg = Annotated[bool, typer.Option("--all", help="Load every entry, not only those that match the graph.")]
OptionalFilesArg = Annotated[
    Optional[list[Path]], typer.Argument(help="Input files (gzip is detected).", show_default=False)
]


def _note(text: str) -> None:
    typer.echo(f"note: {text}", err=True)


def load_prefix_tables(
    files: list[Path],
    options: StoreOptions,
    *,
    load_all: bool = False,
    batch_size: int = DEFAULT_BATCH,
    fmt: Format = Format.table,
) -> None:
    from graphkit.ingest import loaded
    from graphkit.parsers.prefixes import PrefixesParser, read_as_names

    addresses = loaded.addresses(options)
    names, names_source = loaded.newest(options, "asnames", read_as_names, _note) or ({}, None)
    parser = PrefixesParser(addresses, load_all=load_all, as_names=names, as_names_source=names_source)
    run_load(parser, files, options, batch_size=batch_size, fmt=fmt)


def refresh_prefixes(options: StoreOptions, fmt: Format = Format.table) -> None:
    """Match the addresses loaded since against every prefix table loaded before."""
    from graphkit.ingest import loaded

    tables = [path for _, path in loaded.files(options, "prefixes", _note)]
    if not tables:
        raise GraphkitError("no prefix table loaded yet: graphkit load prefixes FILE")
    load_prefix_tables(tables, options, fmt=fmt)


def load_rdap(
    ctx: typer.Context,
    files: FilesArg,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load RDAP answers (JSON: one object, a list, JSON lines, or ipwhois lookup_rdap output).

    Domains give registrant/administrative/technical Organizations, contact Emails, the
    Registrar and name servers; IP networks give Netblocks ALLOCATED_TO their holder;
    autnums give ASNs OPERATED_BY theirs. Redacted and privacy-proxy contacts never become
    Organizations (Domain.redacted_roles says which were withheld)."""
    from graphkit.parsers.rdap import RdapParser

    run_load(RdapParser(), files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)


def load_whois(
    ctx: typer.Context,
    files: FilesArg,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load raw port-43 WHOIS answers for domains (thick registrar and thin registry formats)."""
    from graphkit.parsers.whois import WhoisParser

    run_load(WhoisParser(), files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)


def load_prefixes(
    ctx: typer.Context,
    files: OptionalFilesArg = None,
    load_all: AllArg = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Match addresses loaded since against the tables loaded before.")
    ] = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load a prefix -> origin AS table (pyasn/RouteViews `prefix/len<TAB>asn`, `;` comments, gzip).

    By default only the longest prefix holding each IPAddress in the graph becomes a Netblock
    (IN_NETBLOCK, ANNOUNCED_BY its ASN, named from an asnames file loaded before or after).
    Addresses loaded later: run it again, or `graphkit load prefixes --refresh`.
    --all loads every prefix."""
    options = store_options(ctx)
    if refresh:
        if files:
            raise GraphkitError("--refresh takes no files: it re-reads the tables loaded before")
        refresh_prefixes(options, fmt)
        return
    if not files:
        raise GraphkitError("no prefix table given (or use --refresh)")
    load_prefix_tables(files, options, load_all=load_all, batch_size=batch_size, fmt=fmt)


def load_asnames(
    ctx: typer.Context,
    files: FilesArg,
    load_all: AllArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load AS names (pyasn JSON: AS number -> "HANDLE - Name, CC"): each ASN in the graph gets
    its name and country, and its organisation as OPERATED_BY. ASNs that prefix tables bring in
    later are named then. --all loads every AS in the file."""
    from graphkit.ingest import loaded
    from graphkit.parsers.prefixes import AsNamesParser

    options = store_options(ctx)
    numbers = None if load_all else loaded.asns(options)
    run_load(AsNamesParser(numbers), files, options, batch_size=batch_size, fmt=fmt)


def load_attributions(
    ctx: typer.Context,
    files: FilesArg,
    strict: StrictArg = False,
    fmt: FormatArg = Format.table,
) -> None:
    """Load an analyst's attributions: CSV `address_or_cidr,organization,role,note` (header optional)
    -> ATTRIBUTED_TO from the IPAddress or Netblock, with the file as the source."""
    from graphkit.parsers.attributions import AttributionsParser

    run_load(AttributionsParser(), files, store_options(ctx), strict=strict, fmt=fmt)
