"""graphkit.parsers.dnswire reads what dnspython reads, or steps aside (None)."""

from __future__ import annotations

import ipaddress
import re

import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.parsers import dnswire

LABEL = st.text(alphabet='abcXYZ019-_*. \\"é', min_size=1, max_size=12)
NAME = st.lists(LABEL, min_size=1, max_size=4).map(
    lambda labels: dns.name.Name([*(lab.encode("utf-8") for lab in labels), b""])
)
ADDRESS4 = st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
ADDRESS6 = st.integers(0, 2**128 - 1).map(lambda n: str(ipaddress.IPv6Address(n)))
RECORD = st.one_of(
    st.tuples(NAME, st.just("A"), ADDRESS4),
    st.tuples(NAME, st.just("AAAA"), ADDRESS6),
    st.tuples(NAME, st.just("CNAME"), NAME),
    st.tuples(NAME, st.just("TXT"), st.just('"v=spf1 -all"')),
)


def by_dnspython(wire: bytes) -> list[tuple[str, int, str, int]]:
    out = []
    for rrset in dns.message.from_wire(wire).answer:
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.CNAME):
            for rdata in rrset:
                data = (
                    rdata.target.to_text(omit_final_dot=True) if rrset.rdtype == dns.rdatatype.CNAME else rdata.address
                )
                out.append((rrset.name.to_text(omit_final_dot=True), int(rrset.rdtype), data, rrset.ttl))
    return out


@settings(max_examples=1000, deadline=None)
@given(
    query=NAME,
    rdtype=st.sampled_from(["A", "AAAA", "MX", "HTTPS"]),
    rd=st.booleans(),
    records=st.lists(RECORD, max_size=6),
)
def test_the_wire_reader_agrees_with_dnspython_or_steps_aside(
    query: dns.name.Name, rdtype: str, rd: bool, records: list[tuple[dns.name.Name, str, object]]
) -> None:
    message = dns.message.make_query(query, rdtype)
    message.flags = dns.flags.RD if rd else dns.flags.Flag(0)
    response = dns.message.make_response(message)
    for owner, rtype, data in records:
        text = data.to_text() if isinstance(data, dns.name.Name) else str(data)
        response.answer.append(dns.rrset.from_text(owner, 60, "IN", rtype, text))
    question = dnswire.question(message.to_wire())
    if question is not None:
        assert question == (query.to_text(omit_final_dot=True), dns.rdatatype.from_text(rdtype), rd)
    wire = response.to_wire()
    found = dnswire.answers(wire)
    if found is not None:
        expected = by_dnspython(wire)
        assert [(o, t, ipaddress.ip_address(d) if t != 5 else d, ttl) for o, t, d, ttl in found] == [
            (o, t, ipaddress.ip_address(d) if t != 5 else d, ttl) for o, t, d, ttl in expected
        ]
    plain = all(re.fullmatch(rb"[A-Za-z0-9_*-]+", label) for label in query.labels[:-1])
    assert (question is not None) == plain
