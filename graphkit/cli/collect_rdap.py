"""`graphkit collect rdap ADDRESSES_OR_DOMAINS...`: ask the registries now, record what they said."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from graphkit.cli.collect import EmitArg, InputArg, deliver, read_targets
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format, print_rows
from graphkit.collectors.rdap import ASN_METHODS, REPORT_COLUMNS, RdapCollector, RdapSettings, default_cache_dir
from graphkit.errors import GraphkitError

ALL_FAILED_EXIT = 3


def collect_rdap(
    ctx: typer.Context,
    targets: Annotated[
        Optional[list[str]],
        typer.Argument(help="IP addresses, domain names or AS numbers (AS13335).", show_default=False),
    ] = None,
    input_file: InputArg = None,
    emit: EmitArg = None,
    cache: Annotated[
        Optional[Path],
        typer.Option(
            "--cache",
            envvar="GRAPHKIT_RDAP_CACHE",
            help=f"Folder of cached answers (default {default_cache_dir()}). Env: GRAPHKIT_RDAP_CACHE.",
            show_default=False,
        ),
    ] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ask again even when an answer is cached.")] = False,
    rate: Annotated[float, typer.Option("--rate", min=0, help="Lookups per second at most (0: no limit).")] = 1.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Further attempts after a failure that may pass.")
    ] = 3,
    backoff: Annotated[
        float, typer.Option("--backoff", min=0, help="Seconds before the first retry, doubled each time.")
    ] = 2.0,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for each request.")] = 15.0,
    bootstrap: Annotated[
        Optional[str],
        typer.Option(
            "--bootstrap",
            envvar="GRAPHKIT_RDAP_BOOTSTRAP",
            help="IANA RDAP bootstrap registry (file or URL) for domains and AS numbers "
            "(default https://data.iana.org/rdap/{dns,asn}.json). Env: GRAPHKIT_RDAP_BOOTSTRAP.",
            show_default=False,
        ),
    ] = None,
    mirror: Annotated[
        Optional[str],
        typer.Option(
            "--mirror",
            envvar="GRAPHKIT_RDAP_MIRROR",
            help="Send every request for https://HOST/PATH to MIRROR/HOST/PATH (a caching proxy or test server). "
            "Env: GRAPHKIT_RDAP_MIRROR.",
            show_default=False,
        ),
    ] = None,
    asn_dns: Annotated[
        Optional[str],
        typer.Option(
            "--asn-dns",
            envvar="GRAPHKIT_ASN_DNS",
            help="HOST[:PORT] of the DNS server for the Team Cymru ASN lookups of addresses "
            "(default: the system resolver). Env: GRAPHKIT_ASN_DNS.",
            show_default=False,
        ),
    ] = None,
    asn_methods: Annotated[
        str, typer.Option("--asn-methods", help="ipwhois ASN lookup methods to try, in order (dns, whois, http).")
    ] = ",".join(ASN_METHODS),
    follow_related: Annotated[
        bool,
        typer.Option("--follow-related", help="Also fetch the registrar's answer that a registry's answer links to."),
    ] = False,
    fmt: FormatArg = Format.table,
) -> None:
    """Look up addresses (through ipwhois, with its ASN data), domains and AS numbers (through the
    IANA bootstrap registry) over RDAP, and load what the registries say.

    Answers are cached (--cache) and loadable with `graphkit load rdap`; lookups are rate
    limited (--rate) and retried with backoff (--retries, --backoff). One row per target;
    a target that fails is reported and the others still load. Exit status 0 when some
    target was collected, 3 when none was, 1 for a usage error."""
    wanted = _targets(targets or [], input_file)
    methods = tuple(m.strip() for m in asn_methods.split(",") if m.strip())
    if not methods or set(methods) - set(ASN_METHODS):
        raise GraphkitError(f"--asn-methods takes some of {', '.join(ASN_METHODS)}")
    if timeout <= 0:  # typer's min= cannot exclude 0
        raise GraphkitError("--timeout must be positive")
    settings = RdapSettings(
        cache_dir=cache or default_cache_dir(),
        rate=rate,
        retries=retries,
        backoff=backoff,
        timeout=timeout,
        bootstrap=bootstrap,
        mirror=mirror,
        asn_dns=asn_dns,
        asn_methods=methods,
        refresh=refresh,
        follow_related=follow_related,
    )
    collection = RdapCollector(settings).collect(wanted)
    source = collection.source()
    written, where = deliver(collection.records, source, emit, store_options(ctx))
    print_rows(REPORT_COLUMNS, [r.row() for r in collection.reports], fmt)
    errors = collection.errors
    typer.echo(
        f"{len(collection.reports)} targets, {len(errors)} failed, {written} records {where} ({source.key})", err=True
    )
    if errors and len(errors) == len(collection.reports):
        raise typer.Exit(ALL_FAILED_EXIT)


def _targets(given: list[str], input_file: Path | None) -> list[str]:
    wanted = read_targets(given, input_file)
    if not wanted:
        raise GraphkitError("nothing to look up: give ADDRESSES_OR_DOMAINS or --input FILE")
    return list(dict.fromkeys(wanted))
