"""One DNS resource record -> graph observations: the single mapping shared by the zone
loader, the passive DNS loader and the live collector, so all three say the same thing.

| type        | observation                                                      |
|-------------|------------------------------------------------------------------|
| A, AAAA     | RESOLVES_TO owner -> address                                     |
| CNAME       | ALIAS_OF owner -> target                                         |
| NS          | USES_NAMESERVER owner -> name server                             |
| MX          | USES_MAIL_SERVER owner -> exchange, with preference              |
| SRV         | USES_SERVICE_HOST owner -> target, with priority, weight, port   |
| TXT, SPF    | SPF policies: SPF_INCLUDES (include:, redirect=), SPF_ALLOWS (ip4:, ip6:) |
| PTR         | POINTER_TO address -> name, for in-addr.arpa / ip6.arpa owners   |
| SOA         | USES_NAMESERVER owner -> primary server; HAS_CONTACT_EMAIL (role soa) |

Every other type maps to nothing; callers count it. Names come out canonical; a name that
cannot be a Domain raises names.InvalidName (the caller rejects the record with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.reversename

from graphkit.model import names
from graphkit.model.records import EdgeRecord, Record
from graphkit.model.schema import SCHEMA
from graphkit.parsers import spf

Note = Callable[[str], None]  # told about each part of a record that maps to nothing, with why

MAPPED_TYPES = frozenset({"A", "AAAA", "CNAME", "NS", "MX", "SRV", "TXT", "SPF", "PTR", "SOA"})
UNMAPPED = "records of types with no graph mapping (see counts)"


@dataclass(frozen=True, slots=True)
class Seen:
    """What is known about when and how often a record was seen; None when unknown."""

    ttl: int | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    count: int | None = None


def _ignore(reason: str) -> None:
    pass


def observations(owner: str, rdata: dns.rdata.Rdata, seen: Seen = Seen(), note: Note = _ignore) -> list[Record]:
    """The observations one record makes. `owner` is the record's name as text."""
    rtype = type_text(rdata.rdtype)
    mapper = _MAPPERS.get(rtype)
    if mapper is None:
        note(UNMAPPED)
        return []
    return mapper(names.domain(owner), rdata, seen, note)


def observations_from_text(
    owner: str, rtype: str, text: str, seen: Seen = Seen(), note: Note = _ignore
) -> list[Record]:
    """The same for record data in presentation form (as passive DNS exports give it).

    Raises ValueError (or a dnspython error, which is one) when the text is not valid data of that type.
    """
    rdtype = dns.rdatatype.from_text(rtype)
    if type_text(rdtype) not in MAPPED_TYPES:
        note(UNMAPPED)
        return []
    return observations(owner, rdata_from_text(rdtype, text), seen, note)


@lru_cache(maxsize=1024)
def type_text(rdtype: int) -> str:
    """'A', 'NSAP-PTR', 'TYPE999': a type's mnemonic (cached: dnspython's enum lookup is slow)."""
    return str(dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype)))


def rdata_from_text(rdtype: dns.rdatatype.RdataType, text: str) -> dns.rdata.Rdata:
    """Parse presentation-form data; names without a final dot are taken as absolute."""
    if rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF) and not text.lstrip().startswith('"'):
        # exports often drop the quotes; the text is then one string, spaces included
        return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, rdtype, [text.encode("utf-8")])
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=dns.name.root)


def name_text(name: dns.name.Name) -> str | None:
    """A name in rdata as text, None for the root (the 'no target' of null MX, SRV '.')."""
    if name == dns.name.root:
        return None
    return str(name.to_text(omit_final_dot=True))


def _props(rel_type: str, seen: Seen, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    declared = SCHEMA.by_type[rel_type].props_by_name
    props = {k: v for k, v in extra.items() if v is not None} if extra else {}
    for key in ("ttl", "count", "first_seen", "last_seen"):
        value = getattr(seen, key)
        if value is not None and key in declared:
            props[key] = value
    return props


def _to_domain(
    rel_type: str,
    owner: str,
    rdata: Any,
    target: dns.name.Name,
    seen: Seen,
    note: Note,
    extra: dict[str, Any] | None = None,
) -> list[Record]:
    text = name_text(target)
    if text is None:
        note(f"{type_text(rdata.rdtype)} records with no target (.)")
        return []
    return [EdgeRecord(rel_type, "Domain", owner, "Domain", names.domain(text), _props(rel_type, seen, extra))]


def _address(owner: str, rdata: Any, seen: Seen, note: Note) -> list[Record]:
    address = names.ip(str(rdata.address))
    return [EdgeRecord("RESOLVES_TO", "Domain", owner, "IPAddress", address, _props("RESOLVES_TO", seen))]


def _cname(owner: str, rdata: Any, seen: Seen, note: Note) -> list[Record]:
    return _to_domain("ALIAS_OF", owner, rdata, rdata.target, seen, note)


def _ns(owner: str, rdata: Any, seen: Seen, note: Note) -> list[Record]:
    return _to_domain("USES_NAMESERVER", owner, rdata, rdata.target, seen, note)


def _mx(owner: str, rdata: Any, seen: Seen, note: Note) -> list[Record]:
    return _to_domain(
        "USES_MAIL_SERVER", owner, rdata, rdata.exchange, seen, note, {"preference": int(rdata.preference)}
    )


def _srv(owner: str, rdata: Any, seen: Seen, note: Note) -> list[Record]:
    extra = {"priority": int(rdata.priority), "weight": int(rdata.weight), "port": int(rdata.port)}
    return _to_domain("USES_SERVICE_HOST", owner, rdata, rdata.target, seen, note, extra)


def _txt(owner: str, rdata: Any, seen: Seen, note: Note) -> list[Record]:
    text = spf.join_strings(list(rdata.strings))
    if not spf.is_spf(text):
        note("TXT records that are not SPF")
        return []
    policy = spf.parse(text)
    for problem in policy.problems:
        note(problem)
    records: list[Record] = []
    for term in policy.terms:
        if term.kind in ("include", "redirect"):
            try:
                target = names.domain(term.value)
            except names.InvalidName:
                note(f"SPF {term.kind} of an invalid domain name")
                continue
            props = _props("SPF_INCLUDES", seen, {"mechanism": term.kind})
            records.append(EdgeRecord("SPF_INCLUDES", "Domain", owner, "Domain", target, props))
        else:
            label = "Netblock" if "/" in term.value else "IPAddress"
            records.append(EdgeRecord("SPF_ALLOWS", "Domain", owner, label, term.value, _props("SPF_ALLOWS", seen)))
    return records


def _ptr(owner: str, rdata: Any, seen: Seen, note: Note) -> list[Record]:
    address = reverse_address(owner)
    if address is None:
        note("PTR records at a name that is not a full reverse address")
        return []
    text = name_text(rdata.target)
    if text is None:
        note("PTR records with no target (.)")
        return []
    props = _props("POINTER_TO", seen)
    return [EdgeRecord("POINTER_TO", "IPAddress", address, "Domain", names.domain(text), props)]


def _soa(owner: str, rdata: Any, seen: Seen, note: Note) -> list[Record]:
    # The SOA's TTL says how long the SOA may be cached, not the name server's delegation.
    records = _to_domain(
        "USES_NAMESERVER", owner, rdata, rdata.mname, Seen(None, seen.first_seen, seen.last_seen), note
    )
    try:
        mailbox = names.soa_rname_email(str(rdata.rname.to_text()))
    except names.InvalidName:
        note("SOA records whose contact mailbox is not an email address")
        return records
    props = _props("HAS_CONTACT_EMAIL", seen, {"role": "soa"})
    records.append(EdgeRecord("HAS_CONTACT_EMAIL", "Domain", owner, "Email", mailbox, props))
    return records


_MAPPERS: dict[str, Callable[[str, Any, Seen, Note], list[Record]]] = {
    "A": _address,
    "AAAA": _address,
    "CNAME": _cname,
    "NS": _ns,
    "MX": _mx,
    "SRV": _srv,
    "TXT": _txt,
    "SPF": _txt,
    "PTR": _ptr,
    "SOA": _soa,
}


def reverse_address(name: str) -> str | None:
    """The address a canonical in-addr.arpa / ip6.arpa name stands for; None for a partial
    (network-level or RFC 2317 classless) reverse name or any other name."""
    if name.endswith(".in-addr.arpa"):
        labels = name[: -len(".in-addr.arpa")].split(".")
        if len(labels) != 4 or not all(label.isdigit() and len(label) <= 3 for label in labels):
            return None
        text = ".".join(reversed(labels))
    elif name.endswith(".ip6.arpa"):
        nibbles = name[: -len(".ip6.arpa")].split(".")
        if len(nibbles) != 32 or not all(len(n) == 1 and n in "0123456789abcdef" for n in nibbles):
            return None
        digits = "".join(reversed(nibbles))
        text = ":".join(digits[i : i + 4] for i in range(0, 32, 4))
    else:
        return None
    try:
        return names.ip(text)
    except names.InvalidName:  # an octet above 255 or with a leading zero
        return None


def reverse_name(address: str) -> str:
    """The PTR query name for an address."""
    return str(dns.reversename.from_address(address).to_text(omit_final_dot=True))
