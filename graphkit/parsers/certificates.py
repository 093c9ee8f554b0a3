"""A certificate, however a source describes it, as graph facts: the Certificate node, the
names and addresses it covers, the certificate that issued it.

Sources describe a certificate differently: a file or a TLS handshake gives the certificate
itself; Zeek its fields and (Zeek 4+) its SHA-256; Suricata its fields and SHA-1; crt.sh its
fields and a crt.sh id. The key is the strongest identity the source gives (see the schema:
SHA-256, else SHA-1, else the crt.sh id, else a digest of the fields). Whatever the key,
`issuer_serial` (the serial under its issuer's canonical name, unique per CA by RFC 5280) is
the same for the same certificate from every source, so the queries can set side by side what
the sources saw; a key is never made from it, because two unrelated self-signed certificates
often share an issuer and serial (tools' defaults), and a key would join them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graphkit.ingest.context import ParseContext
from graphkit.model import names
from graphkit.model.records import EdgeRecord, NodeRecord, Record

# RDN attribute names as OpenSSL, RFC 4514 and crt.sh spell them -> one spelling
_ATTRIBUTES = {
    "commonname": "cn",
    "countryname": "c",
    "localityname": "l",
    "stateorprovincename": "st",
    "s": "st",
    "organizationname": "o",
    "organizationalunitname": "ou",
    "emailaddress": "emailaddress",
    "e": "emailaddress",
    "streetaddress": "street",
    "serialnumber": "serialnumber",
    "2.5.4.5": "serialnumber",
}
# a separator between RDNs: ',' or '/' (OpenSSL's oneline form), then an attribute name and '='.
# A value may hold unescaped commas (Suricata writes them so): only a comma before NAME= splits.
_RDN = re.compile(r"(?:^|(?<!\\)[,/+]\s*)([A-Za-z][A-Za-z0-9.-]*|\d+(?:\.\d+)+)\s*=")
_ESCAPE = re.compile(r"\\+(.)")
_SPACES = re.compile(r"\s+")
HEX = re.compile(r"[0-9a-f]+")
_INSTANT = re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.\d+)?(?:Z|\+00:?00)?")


def instant(text: object) -> str | None:
    """A validity or log time given in UTC ('2015-02-25T00:00:00', '2020-01-27 06:27:37.672') as
    'YYYY-MM-DDTHH:MM:SSZ'. Any year: a certificate may be valid until 9999."""
    if not isinstance(text, str):
        return None
    match = _INSTANT.fullmatch(text.strip())
    return f"{match[1]}T{match[2]}Z" if match else None


def epoch_instant(seconds: float) -> str | None:
    """Epoch seconds (Zeek) as 'YYYY-MM-DDTHH:MM:SSZ', any year."""
    try:
        moment = datetime.fromtimestamp(int(seconds), UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _rdns(text: str) -> list[tuple[str, str]]:
    """(attribute, value) pairs of a DN as written: attribute lowercased, value unquoted and unescaped."""
    starts = list(_RDN.finditer(text))
    pairs = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        value = text[match.end() : end].strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        pairs.append((match.group(1).lower(), _ESCAPE.sub(r"\1", value)))
    return pairs


def canonical_dn(text: str | None) -> str | None:
    """A distinguished name in one form whatever the writer: its attributes in sorted order,
    names folded to short forms, values unquoted, unescaped and lowercased. Not for display."""
    if not text or not text.strip():
        return None
    pairs = _rdns(text)
    if not pairs:
        return _SPACES.sub(" ", text.strip().lower())
    return ",".join(
        sorted(f"{_ATTRIBUTES.get(name, name)}={_SPACES.sub(' ', value).strip().lower()}" for name, value in pairs)
    )


def serial_hex(text: str | int | None) -> str | None:
    """A serial number as lowercase hex without leading zeros or colons ('04:E1:..', '00BA..')."""
    if text is None:
        return None
    if isinstance(text, int):
        return format(text, "x")
    value = text.strip().lower().replace(":", "").replace(" ", "")
    if value.startswith("0x"):
        value = value[2:]
    if not value or not HEX.fullmatch(value):
        return None
    return value.lstrip("0") or "0"


def fingerprint_hex(text: str | None, length: int) -> str | None:
    """A SHA-1 (40) or SHA-256 (64) fingerprint as lowercase hex, colons dropped; None if not one."""
    if not text:
        return None
    value = text.strip().lower().replace(":", "")
    return value if len(value) == length and HEX.fullmatch(value) else None


def common_name(dn: str | None) -> str | None:
    """The CN of a DN, as written (the first one)."""
    found = [value for name, value in _rdns(dn or "") if name in ("cn", "commonname")]
    return found[0] or None if found else None


@dataclass
class Cert:
    """What a source says of one certificate; `key()` chooses its key from what it has."""

    sha256: str | None = None
    sha1: str | None = None
    crtsh_id: int | None = None
    subject: str | None = None
    issuer: str | None = None
    serial: str | None = None
    not_before: str | None = None  # ISO 8601 UTC text
    not_after: str | None = None
    key_alg: str | None = None
    key_length: int | None = None
    sig_alg: str | None = None
    ca: bool | None = None
    ct_entry: str | None = None
    dns_names: list[str] = field(default_factory=list)  # SAN DNS names, as written
    ip_names: list[str] = field(default_factory=list)  # SAN IP addresses
    cn: str | None = None  # the subject CN, when the source gives it apart from the subject
    self_signed: bool | None = None  # None: subject against issuer decides

    def key(self) -> str:
        if self.sha256:
            return self.sha256
        if self.sha1:
            return self.sha1
        if self.crtsh_id is not None:
            return f"crtsh:{self.crtsh_id}"
        return "x509:" + hashlib.sha256(repr(self.identity_fields()).encode()).hexdigest()[:40]

    def identity_fields(self) -> tuple[object, ...]:
        """What a source without a fingerprint says of a certificate: two certificates agreeing
        on all of it (issuer, serial, subject, validity to the second, key, names) are one."""
        return (
            canonical_dn(self.issuer),
            serial_hex(self.serial),
            canonical_dn(self.subject),
            self.not_before,
            self.not_after,
            self.key_alg,
            self.key_length,
            sorted(self.dns_names),
            sorted(self.ip_names),
        )

    def issuer_serial(self) -> str | None:
        serial, issuer = serial_hex(self.serial), canonical_dn(self.issuer)
        return f"{serial}@{issuer}" if serial and issuer else None

    def is_self_signed(self) -> bool | None:
        if self.self_signed is not None:
            return self.self_signed
        if self.subject is None or self.issuer is None:
            return None
        return canonical_dn(self.subject) == canonical_dn(self.issuer)


@dataclass
class Named:
    """The names a certificate covers, split into what links and what does not."""

    domains: dict[str, list[str]] = field(default_factory=dict)  # canonical name -> fields (cn, san)
    addresses: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)  # single labels, not names: recorded, not linked


def named(cert: Cert) -> Named:
    """The CN and SAN names that link: a name with a dot (wildcards as written) or an address.
    A single label ('localhost', 'router') is on countless unrelated certificates: linking on
    it would join them, so it stays in the subject only."""
    out = Named()
    cn = cert.cn if cert.cn is not None else common_name(cert.subject)
    candidates = [(n, "san") for n in cert.dns_names] + ([(cn, "cn")] if cn else [])
    for text, where in candidates:
        try:
            address = names.ip(text)
        except names.InvalidName:
            address = None
        if address is not None:
            if address not in out.addresses:
                out.addresses.append(address)
            continue
        try:
            name = names.domain(text)
        except names.InvalidName:
            out.unlinked.append(text)  # 'PayPal, Inc.' as a CN
            continue
        if "." not in name:
            out.unlinked.append(text)
            continue
        fields = out.domains.setdefault(name, [])
        if where not in fields:
            fields.append(where)
    for text in cert.ip_names:
        try:
            address = names.ip(text)
        except names.InvalidName:
            out.unlinked.append(text)
            continue
        if address not in out.addresses:
            out.addresses.append(address)
    return out


def certificate_node(cert: Cert, seen: str | None = None, last: str | None = None) -> NodeRecord:
    props = {
        "sha256": cert.sha256,
        "sha1": cert.sha1,
        "issuer_serial": cert.issuer_serial(),
        "subject": cert.subject,
        "issuer": cert.issuer,
        "serial": serial_hex(cert.serial),
        "not_before": cert.not_before,
        "not_after": cert.not_after,
        "key_alg": cert.key_alg,
        "key_length": cert.key_length,
        "sig_alg": cert.sig_alg,
        "self_signed": cert.is_self_signed(),
        "ca": cert.ca,
        "crtsh_id": cert.crtsh_id,
        "ct_entry": cert.ct_entry,
        "first_seen": seen,
        "last_seen": last or seen,
    }
    return NodeRecord("Certificate", cert.key(), {k: v for k, v in props.items() if v is not None})


NOT_LINKED = "certificate names not linked (a single label such as localhost, or not a name)"


def records(
    cert: Cert, seen: str | None = None, ctx: ParseContext | None = None, last: str | None = None
) -> list[Record]:
    """The Certificate node (seen at `seen`, or from `seen` to `last`) and what it names (the names
    not linked counted in `ctx`)."""
    key = cert.key()
    out: list[Record] = [certificate_node(cert, seen, last)]
    covered = named(cert)
    edge_seen = {"first_seen": seen, "last_seen": last or seen} if seen else {}
    for name, fields in covered.domains.items():
        out.append(EdgeRecord("NAMES", "Certificate", key, "Domain", name, {"fields": fields, **edge_seen}))
    for address in covered.addresses:
        out.append(EdgeRecord("NAMES_ADDRESS", "Certificate", key, "IPAddress", address, dict(edge_seen)))
    if ctx is not None and covered.unlinked:
        ctx.skip(NOT_LINKED, len(covered.unlinked))
    return out


def issued_by(child: str, parent: str, seen: str | None = None) -> EdgeRecord:
    props = {"first_seen": seen, "last_seen": seen} if seen else {}
    return EdgeRecord("ISSUED_BY", "Certificate", child, "Certificate", parent, props)
