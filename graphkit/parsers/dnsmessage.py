"""A DNS message's question and A/AAAA/CNAME answers, however it is written: `dnswire` reads the
plain ones fast, dnspython the rest (it has the last word). For logs that carry whole messages
(dnstap, the Windows DNS Server's analytical log)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.rdatatype

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.parsers import dnswire

ANSWER_TYPES = frozenset({dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.CNAME})
TYPE_NAMES = {dnswire.A: "A", dnswire.AAAA: "AAAA", dnswire.CNAME: "CNAME"}


@lru_cache(maxsize=1024)
def type_text(rdtype: int) -> str:
    """'A', 'MX', ... for a type number; 'TYPE65280' for one without a mnemonic."""
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


def question(wire: bytes) -> tuple[str, str, str] | None:
    """(name, type, 'T'/'F' recursion desired) of a query's first question; None when the
    message does not decode."""
    found = dnswire.question(wire)
    if found is None:
        return _question_by_dnspython(wire)
    name, rdtype, rd = found
    return name, type_text(rdtype), "T" if rd else "F"


def answers(wire: bytes) -> tuple[list[dnswire.Answer], int] | None:
    """The answer section's A, AAAA and CNAME records (owner, type, data, TTL) in order, and how
    many records' data did not decode; None when the message does not decode."""
    found = dnswire.answers(wire)
    return (found, 0) if found is not None else _answers_by_dnspython(wire)


def add_answers(
    ctx: ParseContext,
    rows: ColumnBuilder,
    found: tuple[list[dnswire.Answer], int],
    ts: float | None,
    number: int,
    text: bytes,
) -> None:
    """A response's answers as rows of answers only, each with its owner (not a lookup)."""
    records, undecodable = found
    if undecodable:
        ctx.skip("answers whose data does not decode", undecodable)
    for owner, rdtype, data, ttl in records:
        rtype = TYPE_NAMES[rdtype]
        rows.add_read_from(text, number, ts, qname=owner, qtype=rtype, answers=data, ttls=str(ttl), lookup=False)


def _question_by_dnspython(wire: bytes) -> tuple[str, str, str] | None:
    try:
        parsed = dns.message.from_wire(wire, question_only=True)
    except (dns.exception.DNSException, ValueError):
        return None
    if not parsed.question:
        return None
    first = parsed.question[0]
    rd = "T" if parsed.flags & dns.flags.RD else "F"
    return first.name.to_text(omit_final_dot=True) or ".", dns.rdatatype.to_text(first.rdtype), rd


def _answers_by_dnspython(wire: bytes) -> tuple[list[dnswire.Answer], int] | None:
    try:
        parsed = dns.message.from_wire(wire, ignore_trailing=True)
    except (dns.exception.DNSException, ValueError):
        return None
    out, undecodable = [], 0
    for rrset in parsed.answer:
        if rrset.rdtype not in ANSWER_TYPES:
            continue
        owner = rrset.name.to_text(omit_final_dot=True)
        for rdata in rrset:
            data = _data(rdata)
            if data is None:
                undecodable += 1
                continue
            out.append((owner, int(rrset.rdtype), data, int(rrset.ttl)))
    return out, undecodable


def _data(rdata: Any) -> str | None:
    """A CNAME's target or an address; None for data dnspython could not read as its type."""
    if hasattr(rdata, "target"):
        return str(rdata.target.to_text(omit_final_dot=True))
    address = getattr(rdata, "address", None)
    return address if isinstance(address, str) else None
