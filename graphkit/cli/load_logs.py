"""`graphkit load KIND FILES...` for the lookup logs (zeek, bind, csv-log, eve, dnsmasq, route53, umbrella,
dnstap, sysmon, windns, log): lookups -> LOOKED_UP edges.

Lookups are counted per (client, name, qtype, UTC day) within each file before anything
is written; answers in the log become RESOLVES_TO / ALIAS_OF observations.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from graphkit.backends.store import StoreOptions
from graphkit.cli.load import BatchArg, FilesArg, StrictArg, run_load
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format
from graphkit.errors import GraphkitError
from graphkit.ingest import DEFAULT_BATCH
from graphkit.model import times

if TYPE_CHECKING:
    from graphkit.ingest.context import Parser
    from graphkit.ingest.lookups.aggregator import LookupOptions

SinceArg = Annotated[
    Optional[str],
    typer.Option(
        "--since",
        help="Count only lookups at or after this time (ISO 8601 or epoch; a date means its start).",
        show_default=False,
    ),
]
UntilArg = Annotated[
    Optional[str],
    typer.Option(
        "--until",
        help="Count only lookups up to this time, inclusive (a date means its whole day).",
        show_default=False,
    ),
]
KeepLocalArg = Annotated[
    bool,
    typer.Option(
        "--keep-local",
        help="Keep mDNS (.local), LLMNR, NetBIOS and other multicast lookups (skipped and counted by default).",
    ),
]
ObserverArg = Annotated[
    Optional[str],
    typer.Option(
        "--observer", help="The server or sensor that wrote the log (stored on the Source).", show_default=False
    ),
]
ClientSideArg = Annotated[
    Optional[str],
    typer.Option(
        "--client-side",
        help="What the client addresses are, stored on the Source: 'resolver' (an authoritative server's log) or "
        "'stub' (a resolver's or a sensor's log). Default: inferred from the recursion-desired flag.",
        show_default=False,
    ),
]


TzArg = Annotated[
    Optional[str],
    typer.Option(
        "--tz",
        help="Zone of the log's local-time stamps: UTC (default), +03:00 or a name like Europe/Moscow.",
        show_default=False,
    ),
]


def _zone(tz: str | None) -> tzinfo:
    from graphkit.parsers.bind import parse_zone

    try:
        return parse_zone(tz)
    except ValueError as exc:
        raise GraphkitError(str(exc)) from None


def _instant(text: str | None, *, end: bool) -> float | None:
    """Epoch seconds; a bare date is the start of that day (--since) or of the next (--until)."""
    if text is None:
        return None
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise GraphkitError(f"not a date: {value!r}") from None
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return (start + timedelta(days=1 if end else 0)).timestamp()
    try:
        iso = times.from_text(value)
    except times.InvalidTime as exc:
        raise GraphkitError(f"--{'until' if end else 'since'}: {exc}") from None
    seconds = datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    return seconds + 1 if end else seconds  # --until is inclusive, to the second


def _options(
    since: str | None, until: str | None, keep_local: bool, observer: str | None, client_side: str | None
) -> LookupOptions:
    from graphkit.ingest.lookups.aggregator import LookupOptions

    start, stop = _instant(since, end=False), _instant(until, end=True)
    if start is not None and stop is not None and stop <= start:
        raise GraphkitError("--until is before --since")
    return LookupOptions(
        since=start, until=stop, keep_local=keep_local, observer=observer or None, client_side=client_side or None
    )


# How a lookup-log command loads its files: (options, files, store, strict, batch size, format).
LoadLogs = Callable[["LookupOptions", list[Path], StoreOptions, bool, int, Format], None]


def _lookup_command(doc: str, load: LoadLogs) -> Callable[..., None]:
    """`graphkit load KIND`, for a lookup log whose parsers take the shared options only."""

    def command(
        ctx: typer.Context,
        files: FilesArg,
        since: SinceArg = None,
        until: UntilArg = None,
        keep_local: KeepLocalArg = False,
        observer: ObserverArg = None,
        client_side: ClientSideArg = None,
        strict: StrictArg = False,
        batch_size: BatchArg = DEFAULT_BATCH,
        fmt: FormatArg = Format.table,
    ) -> None:
        options = _options(since, until, keep_local, observer, client_side)
        load(options, files, store_options(ctx), strict, batch_size, fmt)

    command.__doc__ = doc
    return command


def _one_parser(module: str, parser: str) -> LoadLogs:
    """Every file read by one parser (its module imported when the command runs: parsers bring pyarrow)."""

    def load(
        options: LookupOptions, files: list[Path], store: StoreOptions, strict: bool, batch_size: int, fmt: Format
    ) -> None:
        make = getattr(importlib.import_module(f"graphkit.parsers.{module}"), parser)
        run_load(make(options), files, store, strict=strict, batch_size=batch_size, fmt=fmt)

    return load


def _zeek_logs(
    options: LookupOptions, files: list[Path], store: StoreOptions, strict: bool, batch_size: int, fmt: Format
) -> None:
    """Zeek's dns, ssl and x509 logs, each by its own parser (see _zeek_parsers)."""
    from graphkit.cli.load import load_files
    from graphkit.parsers.zeek_tls import zeek_log_kind

    parsers = _zeek_parsers(options)
    kinds = {path: zeek_log_kind(path) for path in files}

    def choose(path: Path) -> Parser | str:
        kind = kinds[path]
        if kind not in parsers:
            return f"{path}: {kind}"
        return parsers[kind]

    ordered = sorted(files, key=lambda path: kinds[path] != "x509")  # see _zeek_parsers
    load_files(choose, "zeek", ordered, store, strict=strict, batch_size=batch_size, fmt=fmt)


load_zeek = _lookup_command(
    """Load Zeek dns.log, ssl.log and x509.log (TSV with any field order and header blocks, or JSON lines; gzip
    is detected; told apart by #path or their fields). dns.log: lookups counted per client, name, type and UTC
    day; answers become RESOLVES_TO / ALIAS_OF. x509.log: certificates. ssl.log: SERVED_CERT, REQUESTED_TLS (SNI)
    and JA3/JA4 fingerprints; older logs name certificates by file id: give their x509.log in the same command.""",
    _zeek_logs,
)


def _zeek_parsers(options: LookupOptions) -> dict[str, Parser]:
    """A parser per Zeek log, by its #path. An older ssl.log names its certificates by the file
    ids its x509.log gives: x509 logs load first, and their ids stay for the command's ssl logs."""
    from graphkit.parsers.zeek import ZeekParser
    from graphkit.parsers.zeek_tls import FileIds, ZeekSslParser, ZeekX509Parser

    file_ids = FileIds()
    return {"dns": ZeekParser(options), "ssl": ZeekSslParser(options, file_ids), "x509": ZeekX509Parser(file_ids)}


load_eve = _lookup_command(
    """Load Suricata EVE JSON (dns events, v1, v2 and v3): each question of a query is a lookup;
    answer events give RESOLVES_TO / ALIAS_OF; other event types are counted, not read.""",
    _one_parser("eve", "EveParser"),
)
load_route53 = _lookup_command(
    """Load AWS Route 53 Resolver query logs (JSON lines as delivered to S3/Firehose, CloudWatch
    exports, or one JSON document): each record is a lookup by srcaddr; blocked queries' answers are not linked.""",
    _one_parser("route53", "Route53Parser"),
)
load_umbrella = _lookup_command(
    """Load Cisco Umbrella DNS logs (CSV, log format versions 2-13): lookups by internal IP; a query
    seen only by the shared egress address is counted, not made a lookup.""",
    _one_parser("umbrella", "UmbrellaParser"),
)
load_dnstap = _lookup_command(
    """Load dnstap files (Frame Streams, as BIND, Unbound, Knot Resolver, CoreDNS, dnsdist write them):
    CLIENT_QUERY and AUTH_QUERY messages are lookups (with --client-side resolver: the resolver's own queries
    upstream, RESOLVER_QUERY and FORWARDER_QUERY, and AUTH_QUERY); responses give answers; the writer's identity
    is the observer.""",
    _one_parser("dnstap", "DnstapParser"),
)

load_sysmon = _lookup_command(
    """Load Windows Sysmon event 22 (DNS queries) from EVTX files or their JSON/XML exports (evtx_dump,
    Winlogbeat, Get-WinEvent, wevtutil): lookups by the computer (a Host, by name); results give answers.""",
    _one_parser("sysmon", "SysmonParser"),
)


def load_windns(
    ctx: typer.Context,
    files: FilesArg,
    tz: TzArg = None,
    day_first: Annotated[
        bool,
        typer.Option("--day-first", help="Debug log dates with slashes are day/month/year (the server's locale)."),
    ] = False,
    since: SinceArg = None,
    until: UntilArg = None,
    keep_local: KeepLocalArg = False,
    observer: ObserverArg = None,
    client_side: ClientSideArg = None,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load Windows DNS Server logs: the analytical event log (EVTX or its exports; QUERY_RECEIVED events are
    lookups, responses' messages give answers) and the text debug log (received queries are lookups)."""
    from graphkit.parsers.windns import WindnsParser

    options = _options(since, until, keep_local, observer, client_side)
    parser = WindnsParser(options, zone=_zone(tz), day_first=day_first)
    run_load(parser, files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)


def load_bind(
    ctx: typer.Context,
    files: FilesArg,
    tz: TzArg = None,
    year: Annotated[
        Optional[int], typer.Option("--year", help="Year of syslog-style stamps, which carry none.", show_default=False)
    ] = None,
    day: Annotated[
        Optional[str],
        typer.Option(
            "--date",
            help="Day (YYYY-MM-DD) of lines with no time at all "
            "(BIND without print-time); otherwise they are rejected.",
            show_default=False,
        ),
    ] = None,
    since: SinceArg = None,
    until: UntilArg = None,
    keep_local: KeepLocalArg = False,
    observer: ObserverArg = None,
    client_side: ClientSideArg = None,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load BIND 9.9-9.18 query logs (`client ... query: NAME IN TYPE ...`). Stamps are read as UTC
    unless --tz is given; the server address at the end of each line is the Source's observer."""
    from graphkit.parsers.bind import BindParser

    zone = _zone(tz)
    try:
        the_day = date.fromisoformat(day) if day else None
    except ValueError as exc:
        raise GraphkitError(str(exc)) from None
    parser = BindParser(_options(since, until, keep_local, observer, client_side), zone=zone, year=year, day=the_day)
    run_load(parser, files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)


def load_csv_log(
    ctx: typer.Context,
    files: FilesArg,
    columns: Annotated[
        Optional[str],
        typer.Option(
            "--columns",
            help="Header of each column: ts=…,client=…,qname=…[,qtype=…][,server=…]. "
            "Default: common names (timestamp, client_ip, query, qtype, ...).",
            show_default=False,
        ),
    ] = None,
    delimiter: Annotated[
        Optional[str],
        typer.Option(
            "--delimiter",
            help="Field delimiter (default: the first of , TAB ; | in the header). 'tab' for TAB.",
            show_default=False,
        ),
    ] = None,
    since: SinceArg = None,
    until: UntilArg = None,
    keep_local: KeepLocalArg = False,
    observer: ObserverArg = None,
    client_side: ClientSideArg = None,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load other lookup logs: delimited text with a header row (--columns maps it); timestamps
    as epoch seconds/milliseconds or ISO 8601 (UTC when no zone is given)."""
    from graphkit.parsers.csvlog import CsvLogParser, parse_columns

    try:
        mapping = parse_columns(columns) if columns else None
    except ValueError as exc:
        raise GraphkitError(str(exc)) from None
    sep = "\t" if delimiter in ("tab", "\\t") else delimiter
    if sep is not None and len(sep) != 1:
        raise GraphkitError("--delimiter must be one character (or 'tab')")
    parser = CsvLogParser(_options(since, until, keep_local, observer, client_side), columns=mapping, delimiter=sep)
    run_load(parser, files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)


def load_dnsmasq(
    ctx: typer.Context,
    files: FilesArg,
    tz: TzArg = None,
    year: Annotated[
        Optional[int],
        typer.Option(
            "--year",
            help="Year of the first line (the lines carry none). Default: from the file's modification time.",
            show_default=False,
        ),
    ] = None,
    since: SinceArg = None,
    until: UntilArg = None,
    keep_local: KeepLocalArg = False,
    observer: ObserverArg = None,
    client_side: ClientSideArg = None,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load dnsmasq `log-queries` logs (and Pi-hole's pihole.log): `query[TYPE] NAME from CLIENT`
    lines are lookups; reply/cached lines give answers; answers dnsmasq made up itself are not linked."""
    from graphkit.parsers.dnsmasq import DnsmasqParser

    parser = DnsmasqParser(_options(since, until, keep_local, observer, client_side), zone=_zone(tz), year=year)
    run_load(parser, files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)


def load_log(
    ctx: typer.Context,
    files: FilesArg,
    tz: TzArg = None,
    year: Annotated[
        Optional[int],
        typer.Option("--year", help="Year of stamps that carry none (dnsmasq, BIND via syslog).", show_default=False),
    ] = None,
    since: SinceArg = None,
    until: UntilArg = None,
    keep_local: KeepLocalArg = False,
    observer: ObserverArg = None,
    client_side: ClientSideArg = None,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load lookup logs of any kind graphkit reads (Zeek dns.log, and its ssl.log and x509.log; BIND, EVE, dnstap,
    dnsmasq, Route 53, Umbrella, Sysmon, Windows DNS Server, CSV with a known header), told apart by their first bytes
    and lines; says which it chose per file, and refuses a file it cannot tell (then name the kind: graphkit load
    KIND)."""
    from graphkit.cli.load import load_files
    from graphkit.parsers.bind import BindParser
    from graphkit.parsers.csvlog import CsvLogParser
    from graphkit.parsers.detect import detect
    from graphkit.parsers.dnsmasq import DnsmasqParser
    from graphkit.parsers.dnstap import DnstapParser
    from graphkit.parsers.eve import EveParser
    from graphkit.parsers.route53 import Route53Parser
    from graphkit.parsers.sysmon import SysmonParser
    from graphkit.parsers.umbrella import UmbrellaParser
    from graphkit.parsers.windns import WindnsParser
    from graphkit.parsers.zeek_tls import zeek_log_kind

    zone = _zone(tz)
    options = _options(since, until, keep_local, observer, client_side)
    zeek = _zeek_parsers(options)
    parsers: dict[str, Parser] = {
        "bind": BindParser(options, zone=zone, year=year),
        "eve": EveParser(options),
        "dnsmasq": DnsmasqParser(options, zone=zone, year=year),
        "route53": Route53Parser(options),
        "umbrella": UmbrellaParser(options),
        "dnstap": DnstapParser(options),
        "sysmon": SysmonParser(options),
        "windns": WindnsParser(options, zone=zone),
        "csv-log": CsvLogParser(options),
    }

    found = {path: detect(path) for path in files if str(path) != "-"}
    zeek_kinds = {path: zeek_log_kind(path) for path, seen in found.items() if seen.kind == "zeek"}

    def choose(path: Path) -> Parser | str:
        if str(path) == "-":
            return "standard input: its kind cannot be told without reading it; name it (graphkit load KIND -)"
        seen = found[path]
        if seen.unsupported:
            return f"{path}: {seen.why}"
        if seen.kind is None:
            return f"{path}: cannot tell which log this is ({seen.why}); name its kind: graphkit load KIND"
        typer.echo(f"{path}: read as {seen.why} (graphkit load {seen.kind})", err=True)
        return zeek[zeek_kinds[path]] if seen.kind == "zeek" else parsers[seen.kind]

    ordered = sorted(files, key=lambda path: zeek_kinds.get(path) != "x509")  # see _zeek_parsers
    load_files(choose, "log", ordered, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)
