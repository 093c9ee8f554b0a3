"""`graphkit load rdap`: RDAP answers (RFC 9083) for domains, IP networks, autnums, entities
and name servers, and ipwhois `lookup_rdap` results.

A file holds one object, a list of them, search results, or one object per line. Domains
go through parsers.registration (contacts by role, redaction); networks become Netblocks
(CIDRs from `cidr0_cidrs`, else the start/end range as the covering CIDR list) with
ALLOCATED_TO their holder; autnums become ASNs with OPERATED_BY.

Holder of a network or AS: an entity with the registrant role, or one of vCard kind
"org". Other entities are contacts (role accounts such as ARIN's "Abuse"/"NOC", people):
they name no owner, and as Organizations they would join unrelated networks.

An answer to an address query names the address in its links' `value` (the request URI);
that address gets IN_NETBLOCK to the most specific of the network's CIDRs.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from graphkit.ingest import bounded
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.model import times
from graphkit.model.records import EdgeRecord, NodeRecord, Record
from graphkit.parsers.prefixes import PREFIX_TABLE_REGISTRY, as_name_records
from graphkit.parsers.registration import (
    Contact,
    Notes,
    Registration,
    epp_status,
    organization_node,
    registration_records,
    usable_organization,
)

MAX_DOCUMENT_BYTES = bounded.DOCUMENT_LIMIT  # a larger file is read as JSON lines, one at a time
TOO_LARGE = f"larger than {MAX_DOCUMENT_BYTES >> 20} MiB"
SEARCH_RESULTS = (
    "domainSearchResults",
    "nameserverSearchResults",
    "entitySearchResults",
    "autnumSearchResults",
    "ipSearchResults",
    "networkSearchResults",
)
DOMAIN_EVENTS = {"registration": "created", "expiration": "expires", "last changed": "updated"}
REGISTRIES = {
    "whois.arin.net": "ARIN",
    "whois.ripe.net": "RIPE",
    "whois.apnic.net": "APNIC",
    "whois.lacnic.net": "LACNIC",
    "whois.afrinic.net": "AFRINIC",
}
_IANA_ID = re.compile(r"iana", re.I)


class RdapError(ValueError):
    """An object that cannot be read; the message says why."""


class PartlyRead(RdapError):
    """One part of an answer cannot be read; `records` are those of its other parts."""

    def __init__(self, reason: str, records: list[Record]) -> None:
        super().__init__(reason)
        self.records = records


_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address as registries write it. ARIN zero-pads IPv4 octets ('074.125.000.000'); they
    are decimal, not octal, and Python refuses leading zeros, so each octet is read as a number
    (an octet above 255 is still refused)."""
    text = text.strip()
    if _DOTTED_QUAD.fullmatch(text):
        text = ".".join(str(int(octet)) for octet in text.split("."))
    return ipaddress.ip_address(text)


def ip_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A strict CIDR, its address read by ip_address."""
    prefix, slash, length = text.strip().partition("/")
    return ipaddress.ip_network(f"{ip_address(prefix)}{slash}{length}", strict=True)


# --- jCard ------------------------------------------------------------------------------


def vcard(entity: dict[str, Any]) -> dict[str, Any]:
    """fn, org, kind, emails and country of an entity's jCard (RFC 7095)."""
    found: dict[str, Any] = {"emails": []}
    array = entity.get("vcardArray")
    if not (isinstance(array, list) and len(array) == 2 and isinstance(array[1], list)):
        return found
    for prop in array[1]:
        if not (isinstance(prop, list) and len(prop) >= 4 and isinstance(prop[0], str)):
            continue
        name, params, value = prop[0].lower(), prop[1] if isinstance(prop[1], dict) else {}, prop[3]
        if name in ("fn", "kind") and isinstance(value, str):
            found.setdefault(name, value.strip())
        elif name == "org":
            text = value[0] if isinstance(value, list) and value else value
            if isinstance(text, str):
                found.setdefault("org", text.strip())
        elif name == "email" and isinstance(value, str):
            found["emails"].append(value.strip())
        elif name == "adr":
            country = params.get("cc") or (value[6] if isinstance(value, list) and len(value) > 6 else None)
            if isinstance(country, str) and country.strip():
                found.setdefault("country", country.strip())
    return found


def _roles(entity: dict[str, Any]) -> list[str]:
    roles = entity.get("roles")
    return [r.lower() for r in roles if isinstance(r, str)] if isinstance(roles, list) else []


def _entities(obj: dict[str, Any]) -> list[dict[str, Any]]:
    found = obj.get("entities")
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def _text(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


# --- domains ----------------------------------------------------------------------------


def _registrar(entity: dict[str, Any], reg: Registration) -> None:
    card = vcard(entity)
    reg.registrar = card.get("org") or card.get("fn") or reg.registrar
    for public in entity.get("publicIds") or []:
        if isinstance(public, dict) and _IANA_ID.search(str(public.get("type", ""))):
            ident = str(public.get("identifier", "")).strip()
            if ident.isdigit():
                reg.registrar_iana_id = int(ident)
    reg.registrar_whois_server = _text(entity, "port43") or reg.registrar_whois_server


def _contacts(entities: list[dict[str, Any]], reg: Registration, notes: Notes, depth: int = 0) -> None:
    for entity in entities:
        roles = _roles(entity)
        if "registrar" in roles:
            _registrar(entity, reg)  # its nested abuse contact is the registrar's, not the domain's
            continue
        card = vcard(entity)
        if not (card.get("fn") or card.get("org") or card["emails"]):
            notes.skip("entity without contact data (only a handle)")
        for role in roles:
            reg.contacts.append(
                Contact(
                    role=role,
                    name=card.get("fn"),
                    organization=card.get("org"),
                    emails=card["emails"],
                    country=card.get("country"),
                    name_is_organization=card.get("kind", "").lower() in ("org", "group"),
                )
            )
        if depth < 3:
            _contacts(_entities(entity), reg, notes, depth + 1)


def _redacted_members(obj: dict[str, Any], reg: Registration) -> None:
    """RFC 9537 `redacted` members that name a contact role."""
    for item in obj.get("redacted") or []:
        if not isinstance(item, dict):
            continue
        label = json.dumps(item.get("name", "")).lower()
        for word, role in (("registrant", "registrant"), ("admin", "administrative"), ("tech", "technical")):
            if word in label:
                reg.redacted_roles.add(role)


def domain_records(obj: dict[str, Any], notes: Notes) -> Iterator[Record]:
    name = _text(obj, "ldhName") or _text(obj, "unicodeName")
    if not name:
        raise RdapError("domain object without ldhName")
    reg = Registration(name)
    for event in obj.get("events") or []:
        field = DOMAIN_EVENTS.get(str(event.get("eventAction", "")).lower()) if isinstance(event, dict) else None
        if field:
            try:
                setattr(reg, field, times.from_text(str(event.get("eventDate", ""))))
            except times.InvalidTime as exc:
                notes.skip(f"unreadable event date ({exc})")
    reg.status = [s for s in (epp_status(x) for x in obj.get("status") or [] if isinstance(x, str)) if s]
    _contacts(_entities(obj), reg, notes)
    _redacted_members(obj, reg)
    glue: list[Record] = []
    for server in obj.get("nameservers") or []:
        if isinstance(server, dict) and _text(server, "ldhName"):
            reg.nameservers.append(str(server["ldhName"]))
            glue.extend(_glue(server))
    yield from registration_records(reg, notes)
    yield from glue


def _glue(server: dict[str, Any]) -> Iterator[Record]:
    name = str(server.get("ldhName"))
    addresses = server.get("ipAddresses")
    if not isinstance(addresses, dict):
        return
    for version in ("v4", "v6"):
        for address in addresses.get(version) or []:
            if isinstance(address, str):
                yield EdgeRecord("RESOLVES_TO", "Domain", name, "IPAddress", address, {})


def nameserver_records(obj: dict[str, Any], notes: Notes) -> Iterator[Record]:
    if not _text(obj, "ldhName"):
        raise RdapError("nameserver object without ldhName")
    notes.counts["name servers"] += 1
    yield NodeRecord("Domain", str(obj["ldhName"]), {})
    yield from _glue(obj)


# --- networks and autnums ---------------------------------------------------------------


def _holders(obj: dict[str, Any], notes: Notes) -> Iterator[tuple[str, str]]:
    """(organisation name, role) of the entities that hold a network or AS."""
    for entity in _entities(obj):
        card, roles = vcard(entity), _roles(entity)
        is_org = card.get("kind", "").lower() == "org"
        if "registrant" not in roles and not is_org:
            notes.skip("network/AS contact (not its holder)")
            continue
        name = usable_organization(card.get("org") or card.get("fn"), notes)
        if not name:
            notes.skip("holder entity without a usable name")
            continue
        for role in (roles or ["registrant"]) if is_org else ["registrant"]:
            yield name, role


def _cidrs(obj: dict[str, Any]) -> list[str]:
    found = []
    for item in obj.get("cidr0_cidrs") or []:
        if not isinstance(item, dict):
            continue
        prefix, length = item.get("v4prefix") or item.get("v6prefix"), item.get("length")
        try:
            found.append(str(ip_network(f"{prefix}/{int(str(length))}")))
        except (ValueError, TypeError) as exc:
            raise RdapError(f"bad cidr0_cidrs entry {json.dumps(item)[:80]} ({exc})") from None
    if found:
        return found
    start, end = _text(obj, "startAddress"), _text(obj, "endAddress")
    if not (start and end):
        raise RdapError("ip network without cidr0_cidrs or startAddress/endAddress")
    try:
        first, last = ip_address(start), ip_address(end)
        return [str(n) for n in ipaddress.summarize_address_range(first, last)]  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise RdapError(f"bad address range {start} - {end} ({exc})") from None


def _registry(obj: dict[str, Any]) -> str | None:
    port43 = (_text(obj, "port43") or "").lower()
    if port43 in REGISTRIES:
        return REGISTRIES[port43]
    for notice in obj.get("notices") or []:
        lines = notice.get("description") if isinstance(notice, dict) else None
        if isinstance(lines, list) and lines and "objects returned came from source" in str(lines[0]).lower():
            return str(lines[-1]).strip() or None
    return port43 or None


def queried_address(obj: dict[str, Any]) -> str | None:
    """The address an answer was for: links carry the request URI in `value` (RFC 9083 4.2)."""
    for link in obj.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "self" and isinstance(link.get("value"), str):
            path = unquote(urlsplit(link["value"]).path)
            if "/ip/" in path:
                try:
                    return str(ipaddress.ip_address(path.rsplit("/ip/", 1)[1]))
                except ValueError:
                    return None
    return None


def _containing(address: str, cidrs: list[str]) -> str | None:
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return None
    holding = [n for n in map(ipaddress.ip_network, cidrs) if addr.version == n.version and addr in n]
    return str(max(holding, key=lambda n: n.prefixlen)) if holding else None


def network_records(
    obj: dict[str, Any], notes: Notes, *, query: str | None = None, holder: str | None = None
) -> Iterator[Record]:
    cidrs = _cidrs(obj)
    props = {
        "name": _text(obj, "name"),
        "handle": _text(obj, "handle"),
        "parent_handle": _text(obj, "parentHandle"),
        "country": _text(obj, "country"),
        "registry": _registry(obj),
    }
    props = {k: v for k, v in props.items() if v}
    holders = list(_holders(obj, notes))
    if holder:
        holders.append((holder, "registrant"))
    origins = [n for n in obj.get("arin_originas0_originautnums") or [] if isinstance(n, int)]
    notes.counts["networks"] += 1
    for cidr in cidrs:
        yield NodeRecord("Netblock", cidr, {**props, "version": 6 if ":" in cidr else 4})
        for name, role in holders:
            yield organization_node(name)
            yield EdgeRecord("ALLOCATED_TO", "Netblock", cidr, "Organization", name, {"role": role})
        for asn in origins:
            yield EdgeRecord("ANNOUNCED_BY", "Netblock", cidr, "ASN", asn, {})
    address = query or queried_address(obj)
    inside = _containing(address, cidrs) if address else None
    if address and inside:
        yield EdgeRecord("IN_NETBLOCK", "IPAddress", address, "Netblock", inside, {})


def _autnum_number(obj: dict[str, Any]) -> int:
    start, end = obj.get("startAutnum"), obj.get("endAutnum")
    if isinstance(start, int) and (end is None or end == start):
        return start
    if isinstance(start, int):
        raise RdapError(f"autnum range AS{start}-AS{end} (one ASN per object is loaded)")
    handle = _text(obj, "handle") or ""
    if re.fullmatch(r"(?i)as\d+", handle):
        return int(handle[2:])
    raise RdapError("autnum object without startAutnum")


def autnum_records(obj: dict[str, Any], notes: Notes, *, holder: str | None = None) -> Iterator[Record]:
    number = _autnum_number(obj)
    props = {"name": _text(obj, "name"), "handle": _text(obj, "handle"), "country": _text(obj, "country")}
    notes.counts["autnums"] += 1
    yield NodeRecord("ASN", number, {k: v for k, v in props.items() if v})
    names = dict.fromkeys([name for name, _ in _holders(obj, notes)] + ([holder] if holder else []))
    for name in names:
        yield organization_node(name)
        yield EdgeRecord("OPERATED_BY", "ASN", number, "Organization", name, {})


def entity_records(obj: dict[str, Any], notes: Notes) -> Iterator[Record]:
    """A top-level entity: an organisation with the networks and autnums it holds."""
    card = vcard(obj)
    holder = usable_organization(card.get("org") or card.get("fn"), notes)
    if holder:
        notes.counts["entities"] += 1
        yield organization_node(holder)
    for network in obj.get("networks") or []:
        if isinstance(network, dict):
            yield from network_records(network, notes, holder=holder)
    for autnum in obj.get("autnums") or []:
        if isinstance(autnum, dict):
            yield from autnum_records(autnum, notes, holder=holder)


# --- ipwhois lookup_rdap output ---------------------------------------------------------


def _ipwhois_entity(handle: str, parsed: dict[str, Any], roles: list[str] | None) -> dict[str, Any]:
    """An RDAP entity from ipwhois' own form of one (its `objects` values)."""
    if isinstance(parsed.get("raw"), dict):
        entity = dict(parsed["raw"])
    else:
        found = parsed.get("contact")
        contact: dict[str, Any] = found if isinstance(found, dict) else {}
        props: list[list[Any]] = [["version", {}, "text", "4.0"]]
        if contact.get("name"):
            props.append(["fn", {}, "text", str(contact["name"])])
        if contact.get("kind"):
            props.append(["kind", {}, "text", str(contact["kind"])])
        for email in contact.get("email") or []:
            if isinstance(email, dict) and email.get("value"):
                props.append(["email", {}, "text", str(email["value"])])
        entity = {"handle": handle, "vcardArray": ["vcard", props]}
    entity["roles"] = roles if roles is not None else parsed.get("roles") or []
    return entity


def _ipwhois_network(result: dict[str, Any]) -> dict[str, Any]:
    """The RDAP network object of a lookup_rdap result, with fetched entities filled in."""
    found = result.get("objects")
    objects: dict[str, Any] = found if isinstance(found, dict) else {}
    raw = result.get("raw")
    if isinstance(raw, dict) and raw.get("objectClassName") == "ip network":
        network = dict(raw)
        entities = []
        for entity in _entities(raw):
            handle = entity.get("handle")
            fetched = objects.get(handle) if isinstance(handle, str) else None
            if isinstance(handle, str) and "vcardArray" not in entity and isinstance(fetched, dict):
                entity = _ipwhois_entity(handle, fetched, _roles(entity))
            entities.append(entity)
        network["entities"] = entities
        return network
    parsed = result.get("network")
    if not isinstance(parsed, dict):
        raise RdapError("ipwhois result without a network")
    network = {
        "objectClassName": "ip network",
        "handle": parsed.get("handle"),
        "name": parsed.get("name"),
        "country": parsed.get("country"),
        "parentHandle": parsed.get("parent_handle"),
        "startAddress": parsed.get("start_address"),
        "endAddress": parsed.get("end_address"),
        "entities": [_ipwhois_entity(h, o, None) for h, o in objects.items() if isinstance(o, dict)],
    }
    cidrs = [c.strip() for c in str(parsed.get("cidr") or "").split(",") if c.strip()]
    network["cidr0_cidrs"] = [_cidr0(c) for c in cidrs]
    if not network["cidr0_cidrs"]:
        del network["cidr0_cidrs"]
    return network


def _cidr0(cidr: str) -> dict[str, Any]:
    prefix, _, length = cidr.partition("/")
    return {"v6prefix" if ":" in prefix else "v4prefix": prefix, "length": int(length) if length.isdigit() else None}


def ipwhois_records(result: dict[str, Any], notes: Notes) -> Iterator[Record]:
    """The RIR's network, then the origin AS and its prefix: two lookups in one answer, so a
    bad network keeps the AS part (PartlyRead)."""
    query = result.get("query") if isinstance(result.get("query"), str) else None
    try:
        network = _ipwhois_network(result)
        if not network.get("port43") and isinstance(result.get("asn_registry"), str):
            network.setdefault("port43", f"whois.{result['asn_registry'].replace('ripencc', 'ripe')}.net")
        allocated = set(_cidrs(network))
        records = list(network_records(network, notes, query=query))
    except RdapError as exc:
        records = list(_ipwhois_asn_records(result, notes, query, set()))
        raise PartlyRead(str(exc), records) from None
    yield from records
    yield from _ipwhois_asn_records(result, notes, query, allocated)


def _ipwhois_asn_records(
    result: dict[str, Any], notes: Notes, query: str | None, allocated: set[str]
) -> Iterator[Record]:
    numbers = [int(n) for n in str(result.get("asn") or "").split() if n.isdigit()]
    country = result.get("asn_country_code") if isinstance(result.get("asn_country_code"), str) else None
    description = result.get("asn_description") if isinstance(result.get("asn_description"), str) else None
    prefixes = [c.strip() for c in str(result.get("asn_cidr") or "").split(",") if "/" in c]
    for number in numbers:
        yield NodeRecord("ASN", number, {"country": country} if country else {})
        if description and description.strip() and description.strip().upper() != "NA":
            yield from as_name_records(number, description)
    for prefix in prefixes:
        try:
            cidr = str(ip_network(prefix))
        except ValueError:
            notes.skip("unreadable asn_cidr")
            continue
        if cidr not in allocated:  # the same CIDR as the RIR's network keeps the RIR as its registry
            yield NodeRecord("Netblock", cidr, {"registry": PREFIX_TABLE_REGISTRY, "version": 6 if ":" in cidr else 4})
        for number in numbers:
            yield EdgeRecord("ANNOUNCED_BY", "Netblock", cidr, "ASN", number, {})
        if query and _containing(query, [cidr]):
            yield EdgeRecord("IN_NETBLOCK", "IPAddress", query, "Netblock", cidr, {})


# --- documents --------------------------------------------------------------------------

CONVERTERS = {
    "domain": domain_records,
    "ip network": network_records,
    "autnum": autnum_records,
    "entity": entity_records,
    "nameserver": nameserver_records,
}


def is_ipwhois_result(doc: dict[str, Any]) -> bool:
    return "objectClassName" not in doc and "network" in doc and ("query" in doc or "asn" in doc)


def document_records(doc: Any, notes: Notes) -> Iterator[Record]:
    """Records of one JSON document: an RDAP object, search results, an ipwhois result, or a list."""
    if isinstance(doc, list):
        for item in doc:
            yield from document_records(item, notes)
        return
    if not isinstance(doc, dict):
        raise RdapError("not an RDAP object (expected a JSON object)")
    if "errorCode" in doc and "objectClassName" not in doc:
        notes.skip(f"RDAP error answer {doc.get('errorCode')}")
        return
    if "services" in doc or ("dns" in doc and "ipv4" in doc):
        notes.skip("IANA RDAP bootstrap registry (no registration data)")
        return
    if is_ipwhois_result(doc):
        yield from ipwhois_records(doc, notes)
        return
    found = [key for key in SEARCH_RESULTS if isinstance(doc.get(key), list)]
    if found:
        for key in found:
            yield from document_records(doc[key], notes)
        return
    kind = str(doc.get("objectClassName", "")).lower()
    convert = CONVERTERS.get(kind)
    if convert is None:
        raise RdapError(f"unknown objectClassName {kind!r}" if kind else "not an RDAP object (no objectClassName)")
    yield from convert(doc, notes)


def _describe(doc: Any) -> str:
    if isinstance(doc, dict):
        what = doc.get("objectClassName") or ("ipwhois result" if is_ipwhois_result(doc) else "object")
        name = doc.get("ldhName") or doc.get("handle") or doc.get("query") or ""
        return f"{what} {name}".strip()
    return json.dumps(doc)[:80]


class RdapParser:
    kind = "rdap"

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        with ctx.open(line_limit=None) as stream:
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
        documents = _documents(data, ctx) if len(data) <= MAX_DOCUMENT_BYTES else _json_lines(ctx)
        for line, doc in documents:
            for item in doc if isinstance(doc, list) else [doc]:
                try:
                    records = list(document_records(item, ctx))
                except RdapError as exc:
                    ctx.reject(str(exc), _describe(item), line=line)
                    if not isinstance(exc, PartlyRead):
                        continue
                    records = exc.records
                yield from records


def _documents(data: bytes, ctx: ParseContext) -> list[tuple[int | None, Any]]:
    """The whole file as one JSON document, else one document per line (JSON lines)."""
    try:
        return [(None, json.loads(data))]
    except (ValueError, RecursionError) as exc:
        whole = exc
    docs: list[tuple[int | None, Any]] = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            docs.append((number, json.loads(line)))
        except (ValueError, RecursionError) as exc:
            if not docs:  # not even the first line reads: not JSON at all
                raise FileRejected(None, f"not JSON ({str(whole)[:80]})") from None
            ctx.reject(f"not JSON ({str(exc)[:80]})", line, line=number)
    if not docs:
        raise FileRejected(None, f"not JSON ({str(whole)[:80]})")
    return docs


def _json_lines(ctx: ParseContext) -> Iterator[tuple[int | None, Any]]:
    """A file too large to read whole, as JSON lines read one at a time."""
    read_one = False
    with ctx.open(line_limit=MAX_DOCUMENT_BYTES) as stream:
        for line in ctx.lines(stream):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except (ValueError, RecursionError) as exc:
                if not read_one:
                    raise FileRejected(ctx.line, f"{TOO_LARGE} and not JSON lines: too large to read whole") from None
                ctx.reject(f"not JSON ({str(exc)[:80]})", line)
                continue
            read_one = True
            yield ctx.line, doc
    if not read_one:
        raise FileRejected(None, f"{TOO_LARGE} and has no JSON lines: too large to read whole")
