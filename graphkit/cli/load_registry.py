"""`graphkit load rdap|whois|prefixes|asnames|attributions`: who stands behind names and addresses.

The prefixes and asnames loaders read the store before they parse (the addresses to match,
the ASNs to name, the files loaded before); the parsers themselves stay pure. Each loaded
file is remembered by its Source node (path and sha256), which is how a later
`load prefixes` finds the AS names, and `load prefixes --refresh` finds the tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from graphkit.backends.store import StoreOptions, open_store
from graphkit.cli.load import BatchArg, FilesArg, StrictArg, load_app, run_load
from graphkit.cli.options import DatabaseArg, FormatArg, PasswordArg, StoreArg, UserArg, store_options
from graphkit.cli.output import Format
from graphkit.errors import GraphkitError, StoreUnavailable
from graphkit.ingest import inputs
from graphkit.ingest.writer import DEFAULT_BATCH
from graphkit.parsers.attributions import AttributionsParser
from graphkit.parsers.prefixes import AsNamesParser, PrefixesParser, read_as_names
from graphkit.parsers.rdap import RdapParser
from graphkit.parsers.whois import WhoisParser

AllArg = Annotated[bool, typer.Option("--all", help="Load every entry, not only those that match the graph.")]
OptionalFilesArg = Annotated[
    Optional[list[Path]], typer.Argument(help="Input files (gzip is detected).", show_default=False)
]


def store_rows(options: StoreOptions, cypher: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
    """Rows of a read query on the store (an embedded store that does not exist yet is empty)."""
    try:
        backend = open_store(options)
    except StoreUnavailable:
        if options.is_neo4j:
            raise
        return []
    try:
        backend.ensure_schema()
        return backend.query(cypher, params or {}).rows
    finally:
        backend.close()


def loaded_files(options: StoreOptions, kind: str) -> list[tuple[str, Path]]:
    """(Source id, path) of the files of one kind loaded before that are still where they were."""
    rows = store_rows(
        options,
        "MATCH (s:Source) WHERE s.kind = $kind RETURN s.id, s.path, s.sha256, s.loaded_at ORDER BY s.loaded_at, s.id",
        {"kind": kind},
    )
    found = []
    for source, path, sha256, _ in rows:
        file = Path(path) if path else None
        if file and file.is_file() and inputs.sha256_of(file) == sha256:
            found.append((source, file))
        else:
            typer.echo(f"note: {kind} file {path} (source {source}) is gone or changed; load it again", err=True)
    return found


def _as_names(options: StoreOptions) -> tuple[dict[int, str], str | None]:
    """The AS names of the asnames file loaded last, and its Source id."""
    for source, path in reversed(loaded_files(options, "asnames")):
        try:
            with inputs.open_binary(path)[0] as stream:
                return read_as_names(stream.read()), source
        except ValueError:
            continue
    return {}, None


def load_prefix_tables(
    files: list[Path],
    options: StoreOptions,
    *,
    load_all: bool = False,
    batch_size: int = DEFAULT_BATCH,
    fmt: Format = Format.table,
) -> None:
    addresses = [row[0] for row in store_rows(options, "MATCH (i:IPAddress) RETURN i.address")]
    names, names_source = _as_names(options)
    parser = PrefixesParser(addresses, load_all=load_all, as_names=names, as_names_source=names_source)
    run_load(
        parser, files, options.store, options.user, options.password, options.database, batch_size=batch_size, fmt=fmt
    )


def refresh_prefixes(options: StoreOptions, fmt: Format = Format.table) -> None:
    """Match the addresses loaded since against every prefix table loaded before."""
    tables = [path for _, path in loaded_files(options, "prefixes")]
    if not tables:
        raise GraphkitError("no prefix table loaded yet: graphkit load prefixes FILE")
    load_prefix_tables(tables, options, fmt=fmt)


@load_app.command("rdap")
def load_rdap(
    files: FilesArg,
    store: StoreArg = None,
    user: UserArg = None,
    password: PasswordArg = None,
    database: DatabaseArg = None,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load RDAP answers (JSON: one object, a list, JSON lines, or ipwhois lookup_rdap output).

    Domains give registrant/administrative/technical Organizations, contact Emails, the
    Registrar and name servers; IP networks give Netblocks ALLOCATED_TO their holder;
    autnums give ASNs OPERATED_BY theirs. Redacted and privacy-proxy contacts never become
    Organizations (Domain.redacted_roles says which were withheld)."""
    run_load(RdapParser(), files, store, user, password, database, strict=strict, batch_size=batch_size, fmt=fmt)


@load_app.command("whois")
def load_whois(
    files: FilesArg,
    store: StoreArg = None,
    user: UserArg = None,
    password: PasswordArg = None,
    database: DatabaseArg = None,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load raw port-43 WHOIS answers for domains (thick registrar and thin registry formats)."""
    run_load(WhoisParser(), files, store, user, password, database, strict=strict, batch_size=batch_size, fmt=fmt)


@load_app.command("prefixes")
def load_prefixes(
    files: OptionalFilesArg = None,
    load_all: AllArg = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Match addresses loaded since against the tables loaded before.")
    ] = False,
    store: StoreArg = None,
    user: UserArg = None,
    password: PasswordArg = None,
    database: DatabaseArg = None,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load a prefix -> origin AS table (pyasn/RouteViews `prefix/len<TAB>asn`, `;` comments, gzip).

    By default only the longest prefix holding each IPAddress in the graph becomes a Netblock
    (IN_NETBLOCK, ANNOUNCED_BY its ASN, named from an asnames file loaded before or after).
    Addresses loaded later: run it again, or `graphkit load prefixes --refresh`.
    --all loads every prefix."""
    options = store_options(store, user, password, database)
    if refresh:
        if files:
            raise GraphkitError("--refresh takes no files: it re-reads the tables loaded before")
        refresh_prefixes(options, fmt)
        return
    if not files:
        raise GraphkitError("no prefix table given (or use --refresh)")
    load_prefix_tables(files, options, load_all=load_all, batch_size=batch_size, fmt=fmt)


@load_app.command("asnames")
def load_asnames(
    files: FilesArg,
    load_all: AllArg = False,
    store: StoreArg = None,
    user: UserArg = None,
    password: PasswordArg = None,
    database: DatabaseArg = None,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load AS names (pyasn JSON: AS number -> "HANDLE - Name, CC"): each ASN in the graph gets
    its name and country, and its organisation as OPERATED_BY. ASNs that prefix tables bring in
    later are named then. --all loads every AS in the file."""
    options = store_options(store, user, password, database)
    numbers = None if load_all else {int(row[0]) for row in store_rows(options, "MATCH (a:ASN) RETURN a.number")}
    run_load(AsNamesParser(numbers), files, store, user, password, database, batch_size=batch_size, fmt=fmt)


@load_app.command("attributions")
def load_attributions(
    files: FilesArg,
    store: StoreArg = None,
    user: UserArg = None,
    password: PasswordArg = None,
    database: DatabaseArg = None,
    strict: StrictArg = False,
    fmt: FormatArg = Format.table,
) -> None:
    """Load an analyst's attributions: CSV `address_or_cidr,organization,role,note` (header optional)
    -> ATTRIBUTED_TO from the IPAddress or Netblock, with the file as the source."""
    run_load(AttributionsParser(), files, store, user, password, database, strict=strict, fmt=fmt)
