"""Routing data: prefix -> origin AS tables (`graphkit load prefixes`) and AS names (`load asnames`).

Prefix tables are the pyasn / RouteViews format, `prefix/len<TAB>asn` after `;` comments,
and the CAIDA pfx2as variant `network<TAB>len<TAB>asn` (origins joined by `_` or `,`).
By default only the longest prefix holding each address handed to the parser becomes a
Netblock (with IN_NETBLOCK and ANNOUNCED_BY); `load_all` turns every prefix into one.

AS names are pyasn's JSON, number -> "HANDLE - Name, CC" (ARIN style) or "HANDLE Name, CC"
(RIPE style, where nothing marks where the handle ends). The ASN gets `name` (the AS
name, like RDAP's autnum name) and `country`; the organisation becomes an Organization
with OPERATED_BY: the text after " - ", or the whole description when there is no " - ".

The parsers are pure: the addresses and names they match against are handed in by the
command that reads them from the store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from graphkit.ingest import bounded
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.model.records import EdgeRecord, NodeRecord, Record
from graphkit.parsers.prefixmatch import BadPrefix, PrefixTable

PREFIX_TABLE_REGISTRY = "bgp"  # Netblock.registry of prefixes from a routing table
_RIB_TIME = re.compile(rb"\b(?:rib|bview|updates)\.(\d{4})(\d{2})(\d{2})\.(\d{2})(\d{2})")
_COUNTRY = re.compile(r",\s*([A-Za-z]{2})$")
_HANDLE = re.compile(r"^(?=[A-Z0-9-]*[-0-9])[A-Z0-9][A-Z0-9-]*$")  # ALFA-BANK-AS, RIPE-NCC-AS, AS-1234
_NO_ORGANIZATION = re.compile(r"^-?\s*(reserved|unallocated|private use)\b", re.I)
UNKNOWN_COUNTRIES = {"ZZ", "EU", "AP"}


@dataclass(frozen=True)
class AsName:
    name: str
    organization: str | None
    country: str | None


def parse_as_description(text: str) -> AsName:
    """Split "HANDLE - Name, CC" (or "HANDLE Name, CC") into AS name, organisation, country."""
    rest = " ".join(text.split())
    country = None
    found = _COUNTRY.search(rest)
    if found:
        rest = rest[: found.start()].strip()
        code = found.group(1).upper()
        country = None if code in UNKNOWN_COUNTRIES else code
    if not rest:
        return AsName(text.strip(), None, country)
    if _NO_ORGANIZATION.match(rest):
        return AsName(rest, None, country)
    if " - " in rest:
        handle, organization = (part.strip() for part in rest.split(" - ", 1))
        return AsName(handle or organization, organization or None, country)
    first = rest.split(" ", 1)[0]
    name = first if " " in rest and _HANDLE.match(first) else rest
    return AsName(name, rest, country)


def as_name_records(number: int, description: str, source: str | None = None) -> Iterator[Record]:
    """ASN name and country, and its operator as an Organization (OPERATED_BY)."""
    parsed = parse_as_description(description)
    yield NodeRecord("ASN", number, {"name": parsed.name, "country": parsed.country}, source)
    if parsed.organization:
        org = parsed.organization
        yield NodeRecord("Organization", org, {"name": org, "aliases": [org]}, source)
        yield EdgeRecord("OPERATED_BY", "ASN", number, "Organization", org, {}, source)


def parse_origins(text: str) -> tuple[int, ...]:
    """'15169', '13335_1234' (multi-origin), '{1,2}' or '1,2' (AS set) -> AS numbers."""
    parts = [p for p in re.split(r"[_,\s]+", text.strip().strip("{}")) if p]
    numbers = tuple(int(p) for p in parts if p.isdigit())
    if not numbers or len(numbers) != len(parts) or any(n > 0xFFFFFFFF for n in numbers):
        raise ValueError(f"not an AS number: {text[:40]!r}")
    return numbers


def rib_time(comment: bytes) -> str | None:
    """The dump time named in a pyasn header ('; Original file : data/rib.20140513.0600.bz2')."""
    found = _RIB_TIME.search(comment)
    if not found:
        return None
    y, mo, d, h, mi = (int(g) for g in found.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:00Z"


def _prefix_fields(line: bytes) -> tuple[str, int, str]:
    """(network, length, origin text) of a table line."""
    parts = line.decode("ascii").split()
    if len(parts) == 2 and "/" in parts[0]:
        network, _, length = parts[0].partition("/")
        origin = parts[1]
    elif len(parts) == 3:
        network, length, origin = parts
    else:
        raise ValueError("expected 'prefix/len<TAB>asn' or 'network<TAB>len<TAB>asn'")
    if not length.isdigit():
        raise ValueError(f"not a prefix length: {length[:10]!r}")
    return network, int(length), origin


class PrefixesParser:
    kind = "prefixes"

    def __init__(
        self,
        addresses: Iterable[str] = (),
        *,
        load_all: bool = False,
        as_names: Mapping[int, str] | None = None,
        as_names_source: str | None = None,
    ) -> None:
        self.addresses = addresses
        self.load_all = load_all
        self.as_names = as_names or {}
        self.as_names_source = as_names_source

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        table: PrefixTable[tuple[int, ...]] = PrefixTable()
        seen_at: str | None = None
        written: set[str] = set()
        origins: set[int] = set()
        with ctx.open() as stream:
            for line in ctx.lines(stream):
                if not line.strip():
                    continue
                if line.startswith((b";", b"#")):
                    seen_at = seen_at or rib_time(line)
                    continue
                try:
                    network, length, origin = _prefix_fields(line)
                    asns = parse_origins(origin)
                    cidr = table.add(network, length, asns)
                except (ValueError, BadPrefix) as exc:  # UnicodeDecodeError is a ValueError
                    ctx.reject(str(exc), line)
                    continue
                if self.load_all:
                    written.add(cidr)
                    origins.update(asns)
                    yield from self._netblock(cidr, asns, seen_at)
        if not len(table):
            raise FileRejected(None, "no 'prefix<TAB>asn' lines: not a prefix table")
        ctx.counts["prefixes"] = len(table)
        for address in self.addresses:
            match = table.lookup(address)
            if match is None:
                ctx.counts["addresses without a prefix"] += 1
                continue
            ctx.counts["addresses matched"] += 1
            if match.cidr not in written:
                written.add(match.cidr)
                origins.update(match.value)
                yield from self._netblock(match.cidr, match.value, seen_at)
            yield EdgeRecord("IN_NETBLOCK", "IPAddress", address, "Netblock", match.cidr, {})
        for number in sorted(origins):
            description = self.as_names.get(number)
            if description:
                yield from as_name_records(number, description, self.as_names_source)

    @staticmethod
    def _netblock(cidr: str, asns: tuple[int, ...], seen_at: str | None) -> Iterator[Record]:
        version = 6 if ":" in cidr else 4
        yield NodeRecord("Netblock", cidr, {"registry": PREFIX_TABLE_REGISTRY, "version": version})
        seen = {"first_seen": seen_at, "last_seen": seen_at} if seen_at else {}
        for asn in asns:
            yield EdgeRecord("ANNOUNCED_BY", "Netblock", cidr, "ASN", asn, dict(seen))


def read_as_names(data: bytes) -> dict[int, str]:
    """The number -> description map of an asnames JSON file; ValueError when it is not one."""
    doc = json.loads(data)
    if not isinstance(doc, dict):
        raise ValueError("an asnames file is a JSON object of AS number -> description")
    return {int(k): v for k, v in doc.items() if str(k).isdigit() and isinstance(v, str) and v.strip()}


class AsNamesParser:
    kind = "asnames"

    def __init__(self, numbers: Collection[int] | None = None) -> None:
        self.numbers = numbers  # None: every AS in the file

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        with ctx.open(line_limit=None, size_limit=bounded.DOCUMENT_LIMIT) as stream:
            data = stream.read()
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise FileRejected(None, f"not JSON ({str(exc)[:80]})") from None
        if not isinstance(doc, dict):
            raise FileRejected(None, "an asnames file is a JSON object of AS number -> description")
        for key, description in doc.items():
            if not (str(key).isdigit() and int(key) <= 0xFFFFFFFF):
                ctx.reject(f"not an AS number: {str(key)[:20]!r}", f"{key}: {description}")
                continue
            if not isinstance(description, str) or not description.strip():
                ctx.reject("the description must be a non-empty string", f"{key}: {description}")
                continue
            number = int(key)
            if self.numbers is not None and number not in self.numbers:
                ctx.skip("AS not in the graph (--all loads every AS)")
                continue
            ctx.counts["AS names"] += 1
            yield from as_name_records(number, description)
