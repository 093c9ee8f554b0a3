"""The fixture graph the canned queries are tested on: the motivating case, in small.

Lookups of mail1.trump-email.com: 2,820 from the bank's two resolvers (217.12.96.15 via
its netblock's ALLOCATED_TO, 217.12.97.15 via its prefix's ASN OPERATED_BY), 714 from
Spectrum Health's resolver (an attribution that outranks the netblock's holder), and 14
from three others: 3,548 in all. Around it: the registrant (Trump Organization), the
administrative contact (Cendyn) running the name servers, the mail server's address
attributed to Listrak, the later name on the same address, PTR records, neighbouring
names in the same netblock, a few other names and clients for the pivots.

Every expected value in the query tests is derived from the tables in this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphkit.backends.base import Backend
from graphkit.ingest.sink import write_records
from graphkit.model.records import EdgeRecord, NodeRecord, Record, to_json

LOG_A, LOG_B = "dnslog:case-a", "dnslog:case-b"
ZONE, WHOIS, RDAP, ATTRIB = "pdns:case", "whois:case", "rdap:case", "attributions:case"

ALFA, SPECTRUM, MICHIGAN, TELECOM = "Alfa-Bank", "Spectrum Health", "Michigan Health Network", "Example Telecom"
TRUMP, CENDYN, LISTRAK, HOTELS = "Trump Organization", "Cendyn", "Listrak", "Grand Hotel Group"
MAIL1 = "mail1.trump-email.com"


@dataclass(frozen=True)
class Lookup:
    client: str
    name: str
    qtype: str
    day: str
    source: str
    count: int
    first_seen: str | None = "T08:00:00Z"  # a suffix of `day`, or a full time, or None (no times logged)
    last_seen: str | None = "T20:00:00Z"

    def times(self) -> dict[str, str]:
        out = {}
        for name, value in (("first_seen", self.first_seen), ("last_seen", self.last_seen)):
            if value is not None:
                out[name] = self.day + value if value.startswith("T") else value
        return out


LOOKUPS = (
    Lookup("217.12.96.15", MAIL1, "A", "2016-05-04", LOG_A, 400, "2016-05-04T03:12:00Z"),
    Lookup("217.12.96.15", MAIL1, "A", "2016-06-14", LOG_A, 600),
    Lookup("217.12.96.15", MAIL1, "A", "2016-07-20", LOG_B, 500),
    Lookup("217.12.96.15", MAIL1, "AAAA", "2016-07-20", LOG_B, 30),
    Lookup("217.12.97.15", MAIL1, "A", "2016-05-05", LOG_A, 700),
    Lookup("217.12.97.15", MAIL1, "A", "2016-08-01", LOG_B, 590, last_seen="2016-08-01T23:59:00Z"),
    Lookup("167.73.110.8", MAIL1, "A", "2016-06-14", LOG_A, 314),
    Lookup("167.73.110.8", MAIL1, "A", "2016-09-01", LOG_B, 400),
    Lookup("198.51.100.7", MAIL1, "A", "2016-06-14", LOG_A, 6),
    Lookup("203.0.113.9", MAIL1, "A", "2016-07-02", LOG_B, 5),
    Lookup("192.0.2.33", MAIL1, "A", "2016-09-23", LOG_B, 3, None, None),
    Lookup("217.12.96.15", "trump1.contact-client.com", "A", "2016-09-27", LOG_B, 12),
    Lookup("217.12.97.15", "trump1.contact-client.com", "A", "2016-09-28", LOG_B, 9),
    Lookup("217.12.96.15", "www.google.com", "A", "2016-06-14", LOG_A, 50),
    Lookup("167.73.110.8", "www.google.com", "A", "2016-06-14", LOG_A, 50),
    Lookup("198.51.100.7", "www.google.com", "A", "2016-06-14", LOG_A, 40),
    Lookup("203.0.113.9", "www.google.com", "A", "2016-06-14", LOG_A, 30),
    Lookup("167.73.110.8", "hotel-client1.com", "A", "2016-06-14", LOG_A, 9),
    Lookup("198.51.100.7", "hotel-client1.com", "A", "2016-06-14", LOG_A, 2),
    Lookup("217.12.97.15", "mail.contact-client.com", "A", "2016-09-28", LOG_B, 4),
)

# The organisation each client resolves to (None: unknown, shown as the address).
CLIENT_ORGANIZATION = {
    "217.12.96.15": ALFA,  # netblock ALLOCATED_TO
    "217.12.97.15": ALFA,  # prefix -> ASN 15632 -> OPERATED_BY (spelled ALFA-BANK there)
    "167.73.110.8": SPECTRUM,  # ATTRIBUTED_TO, over the netblock's holder
    "198.51.100.7": None,
    "203.0.113.9": TELECOM,  # netblock ALLOCATED_TO
    "192.0.2.33": None,
}

# name -> (address, first_seen, last_seen) of its A records
A_RECORDS: dict[str, list[tuple[str, str | None, str | None]]] = {
    MAIL1: [("66.216.133.29", "2016-04-21T10:00:00Z", "2016-09-23T14:00:00Z")],
    "trump1.contact-client.com": [("66.216.133.29", "2016-09-27T09:00:00Z", "2016-10-05T12:00:00Z")],
    "mail.contact-client.com": [("66.216.133.31", "2016-03-01T00:00:00Z", "2016-10-01T00:00:00Z")],
    "hotel-client1.com": [("66.216.133.40", "2016-02-01T00:00:00Z", "2016-12-01T00:00:00Z")],
    "hotel1.cendyn-mail.com": [("66.216.133.40", None, None)],
    "mx.cdcservices.com": [("66.216.133.50", "2016-01-01T00:00:00Z", "2016-12-31T00:00:00Z")],
    "ns1.cdcservices.com": [("64.71.168.10", None, None)],
    "ns2.cdcservices.com": [("64.71.168.11", None, None)],
    "ns3.cdcservices.com": [("64.71.168.12", None, None)],
    "trump-email.com": [("64.71.168.20", "2016-06-01T00:00:00Z", "2016-09-26T00:00:00Z")],
}
NETBLOCK_OF = {
    "217.12.96.15": "217.12.96.0/23",
    "217.12.97.15": "217.12.97.0/24",
    "167.73.110.8": "167.73.0.0/16",
    "203.0.113.9": "203.0.113.0/24",
    **{f"66.216.133.{n}": "66.216.128.0/19" for n in (29, 30, 31, 32, 40, 50)},
    **{f"64.71.168.{n}": "64.71.168.0/24" for n in (10, 11, 12, 20)},
}
ALLOCATIONS = {  # netblock -> holder (ALLOCATED_TO, role registrant)
    "217.12.96.0/23": ALFA,
    "167.73.0.0/16": MICHIGAN,
    "203.0.113.0/24": TELECOM,
    "66.216.128.0/19": CENDYN,
}
ANNOUNCEMENTS = {"217.12.96.0/23": 15632, "217.12.97.0/24": 15632, "64.71.168.0/24": 64501}
ASN_OPERATORS = {15632: ("ALFA-AS", "ALFA-BANK"), 64501: ("CENDYN-AS", CENDYN)}
ATTRIBUTIONS = {"167.73.110.8": (SPECTRUM, "resolver"), "66.216.133.29": (LISTRAK, "mail server")}

# address -> (PTR name, first_seen, last_seen)
PTR_RECORDS = {
    "66.216.133.29": (MAIL1, "2016-05-01T00:00:00Z", "2016-09-30T00:00:00Z"),
    "66.216.133.30": ("mail.contact-client.com", "2016-03-01T00:00:00Z", None),
    "66.216.133.32": ("ghost.cdcservices.com", None, None),
    "64.71.168.10": ("ns1.cdcservices.com", None, None),
}
NAME_SERVERS = {
    "trump-email.com": ["ns1.cdcservices.com", "ns2.cdcservices.com", "ns3.cdcservices.com"],
    "contact-client.com": ["ns1.cdcservices.com", "ns2.cdcservices.com", "ns3.cdcservices.com"],
    "hotel-client1.com": ["ns1.cdcservices.com", "ns2.cdcservices.com"],
    "trumphotels.com": ["ns-a.trumporg.example"],
}
MAIL_SERVERS = {
    "trump-email.com": [MAIL1],
    "contact-client.com": ["mx.cdcservices.com"],
    "hotel-client1.com": ["mx.cdcservices.com"],
}
REGISTRANTS = {
    "trump-email.com": TRUMP,
    "trumphotels.com": TRUMP,
    "contact-client.com": CENDYN,
    "hotel-client1.com": HOTELS,
    "cdcservices.com": CENDYN,
}
ADMINS = {"trump-email.com": CENDYN, "contact-client.com": CENDYN, "hotel-client1.com": CENDYN}
REGISTRAR = ("iana:146", "GoDaddy.com, LLC", 146)
REGISTERED_WITH = ("trump-email.com", "contact-client.com", "hotel-client1.com", "trumphotels.com")
# (domain, email, role, is_proxy)
EMAILS = (
    ("trump-email.com", "admin@cendyn.com", "administrative", False),
    ("contact-client.com", "admin@cendyn.com", "administrative", False),
    ("trump-email.com", "proxy@whoisprivacy.example", "technical", True),
    ("hotel-client1.com", "proxy@whoisprivacy.example", "registrant", True),
)
SPF_INCLUDES = {"trump-email.com": "spf.cdcservices.com", "contact-client.com": "spf.cdcservices.com"}


# Certificates, apart from the 2016 case (no node in common with it): one certificate on two
# servers, its renewal (the same names) on one of them, and its crt.sh entry (same issuer and serial).
TLS_LOG = "zeek-ssl:fixture"
CERT_A, CERT_B = "a1" * 32, "b2" * 32
TLS_NAMES = ("shop.example-tls.test", "*.example-tls.test")
TLS_ISSUER_SERIAL = "1f@c=us,cn=fixture ca,o=fixture"
CERTIFICATES = {  # key -> not_before, served by (server, sessions, first, last)
    CERT_A: (
        "2016-01-01T00:00:00Z",
        [
            ("203.0.113.10", 5, "2016-03-01T10:00:00Z", "2016-04-01T10:00:00Z"),
            ("203.0.113.11", 2, "2016-03-05T10:00:00Z", "2016-03-06T10:00:00Z"),
        ],
    ),
    CERT_B: ("2016-06-01T00:00:00Z", [("203.0.113.10", 7, "2016-06-02T10:00:00Z", "2016-07-01T10:00:00Z")]),
}
CRTSH_OF_A = ("crtsh:991", "2015-12-31T23:00:00Z")
# certificate A once more, as Suricata knows it: by its SHA-1 only, on another server
CERT_A_SHA1, SHA1_SERVER = "c3" * 20, "203.0.113.12"
SHA1_SERVER_2 = "203.0.113.13"  # presents it too, and a name resolves to it
TLS_ADDRESSES = {
    TLS_NAMES[0]: "203.0.113.10",
    "api.other-tls.test": "203.0.113.11",
    "alt.other-tls.test": "203.0.113.13",
}


def tls_records() -> list[Record]:
    out: list[Record] = [NodeRecord("Source", TLS_LOG, {"kind": "zeek-ssl", "path": "ssl.log"})]
    for key, (not_before, served) in CERTIFICATES.items():
        props = {"subject": "CN=shop.example-tls.test", "not_before": not_before}
        if key == CERT_A:
            props |= {"issuer_serial": TLS_ISSUER_SERIAL, "sha1": CERT_A_SHA1}
        out.append(NodeRecord("Certificate", key, {"sha256": key, **props}, TLS_LOG))
        out += [EdgeRecord("NAMES", "Certificate", key, "Domain", n, {"fields": ["san"]}, TLS_LOG) for n in TLS_NAMES]
        for server, sessions, first, last in served:
            props = {"port": 443, "count": sessions, "first_seen": first, "last_seen": last}
            out.append(EdgeRecord("SERVED_CERT", "IPAddress", server, "Certificate", key, props, TLS_LOG))
    out.append(
        NodeRecord("Certificate", CERT_A_SHA1, {"sha1": CERT_A_SHA1, "subject": "CN=shop.example-tls.test"}, TLS_LOG)
    )
    out.append(EdgeRecord("NAMES", "Certificate", CERT_A_SHA1, "Domain", TLS_NAMES[0], {"fields": ["cn"]}, TLS_LOG))
    props = {"port": 443, "count": 1, "first_seen": "2016-03-02T10:00:00Z", "last_seen": "2016-03-02T10:00:00Z"}
    out.append(EdgeRecord("SERVED_CERT", "IPAddress", SHA1_SERVER, "Certificate", CERT_A_SHA1, props, TLS_LOG))
    out.append(EdgeRecord("SERVED_CERT", "IPAddress", SHA1_SERVER_2, "Certificate", CERT_A_SHA1, props, TLS_LOG))
    for name, address in TLS_ADDRESSES.items():
        out.append(EdgeRecord("RESOLVES_TO", "Domain", name, "IPAddress", address, {"ttl": 300}, TLS_LOG))
    crtsh, entry = CRTSH_OF_A
    out.append(NodeRecord("Certificate", crtsh, {"issuer_serial": TLS_ISSUER_SERIAL, "ct_entry": entry}, TLS_LOG))
    out.append(EdgeRecord("NAMES", "Certificate", crtsh, "Domain", TLS_NAMES[0], {"fields": ["cn"]}, TLS_LOG))
    return out


def records() -> list[Record]:
    """The fixture as observation records, before normalisation (as a parser would yield them)."""
    out: list[Record] = []
    for source, path in ((LOG_A, "case-a.log"), (LOG_B, "case-b.log")):
        out.append(NodeRecord("Source", source, {"kind": "csvlog", "path": path, "client_side": "resolver"}))
    for lookup in LOOKUPS:
        props = {"qtype": lookup.qtype, "day": lookup.day, "count": lookup.count, **lookup.times()}
        out.append(EdgeRecord("LOOKED_UP", "IPAddress", lookup.client, "Domain", lookup.name, props, lookup.source))
    for name, rows in A_RECORDS.items():
        for address, first, last in rows:
            seen = {k: v for k, v in (("first_seen", first), ("last_seen", last)) if v}
            out.append(EdgeRecord("RESOLVES_TO", "Domain", name, "IPAddress", address, {"ttl": 300, **seen}, ZONE))
    for address, (name, first, last) in PTR_RECORDS.items():
        seen = {k: v for k, v in (("first_seen", first), ("last_seen", last)) if v}
        out.append(EdgeRecord("POINTER_TO", "IPAddress", address, "Domain", name, seen, ZONE))
    for domain, hosts in NAME_SERVERS.items():
        out += [EdgeRecord("USES_NAMESERVER", "Domain", domain, "Domain", h, {}, ZONE) for h in hosts]
    for domain, hosts in MAIL_SERVERS.items():
        out += [EdgeRecord("USES_MAIL_SERVER", "Domain", domain, "Domain", h, {"preference": 10}, ZONE) for h in hosts]
    for domain, include in SPF_INCLUDES.items():
        out.append(EdgeRecord("SPF_INCLUDES", "Domain", domain, "Domain", include, {"mechanism": "include"}, ZONE))
    for domain, org in REGISTRANTS.items():
        out.append(EdgeRecord("REGISTERED_BY", "Domain", domain, "Organization", org, {}, WHOIS))
    for domain, org in ADMINS.items():
        out.append(EdgeRecord("ADMINISTERED_BY", "Domain", domain, "Organization", org, {}, WHOIS))
    key, name, iana = REGISTRAR
    out.append(NodeRecord("Registrar", key, {"name": name, "iana_id": iana}, WHOIS))
    out += [EdgeRecord("REGISTERED_WITH", "Domain", d, "Registrar", key, {}, WHOIS) for d in REGISTERED_WITH]
    for domain, email, role, proxy in EMAILS:
        out.append(NodeRecord("Email", email, {"is_proxy": proxy}, WHOIS))
        out.append(EdgeRecord("HAS_CONTACT_EMAIL", "Domain", domain, "Email", email, {"role": role}, WHOIS))
    out.append(NodeRecord("Domain", "hotel-client1.com", {"redacted_roles": ["registrant"]}, WHOIS))
    for address, cidr in NETBLOCK_OF.items():
        out.append(EdgeRecord("IN_NETBLOCK", "IPAddress", address, "Netblock", cidr, {}, RDAP))
    for cidr, org in ALLOCATIONS.items():
        out.append(EdgeRecord("ALLOCATED_TO", "Netblock", cidr, "Organization", org, {"role": "registrant"}, RDAP))
    for cidr, asn in ANNOUNCEMENTS.items():
        out.append(EdgeRecord("ANNOUNCED_BY", "Netblock", cidr, "ASN", asn, {}, RDAP))
    for asn, (as_name, org) in ASN_OPERATORS.items():
        out.append(NodeRecord("ASN", asn, {"name": as_name}, RDAP))
        out.append(EdgeRecord("OPERATED_BY", "ASN", asn, "Organization", org, {}, RDAP))
    for address, (org, role) in ATTRIBUTIONS.items():
        out.append(EdgeRecord("ATTRIBUTED_TO", "IPAddress", address, "Organization", org, {"role": role}, ATTRIB))
    return out + tls_records()


def load(backend: Backend) -> None:
    """Write the fixture into a store the way the load pipeline does: normalised, then batched."""
    backend.ensure_schema()
    write_records(records(), backend)


def write_jsonl(path: Path) -> Path:
    """The fixture as a records file, for `graphkit load records`."""
    path.write_text("".join(to_json(r) + "\n" for r in records()), encoding="utf-8")
    return path
