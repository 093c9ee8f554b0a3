"""Live TLS collection: connect, complete a handshake with SNI, record the chain the server
presents.

Nothing is trusted: a self-signed, expired or mismatched certificate is what the server
presents, so it is data, recorded and reported, never an error. Each certificate becomes a
Certificate with what it names (graphkit.parsers.certificates); the server's address
SERVED_CERT the first (port, one session, seen now); a certificate of the chain ISSUED_BY the
next only where the next one's key verifies its signature (a server may send any list).
A name given as the target is resolved by the system and every address (up to
`max_addresses`) is asked; a target that cannot be reached, or refuses, or fails the handshake
is reported with why, and the others go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

from graphkit.model import names, times
from graphkit.model.records import EdgeRecord, NodeRecord, Record
from graphkit.parsers import certificates
from graphkit.parsers.certfiles import from_x509, issued

SOURCE_KIND = "tls-collect"
DEFAULT_PORT = 443
OUTCOMES = ("ok", "expired", "not-yet-valid", "timeout", "refused", "unreachable", "tls-error", "no-address")
REPORT_COLUMNS = ["target", "address", "port", "sni", "outcome", "certificate", "subject", "not_after", "chain"]


@dataclass(frozen=True)
class Target:
    host: str  # a canonical name or address
    port: int

    @property
    def is_address(self) -> bool:
        try:
            names.ip(self.host)
        except names.InvalidName:
            return False
        return True

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_target(text: str) -> Target:
    """HOST, HOST:PORT, an address, [IPv6]:PORT (default port 443); raises names.InvalidName."""
    value = text.strip()
    host, port = value, DEFAULT_PORT
    if value.startswith("["):
        inside, _, rest = value[1:].partition("]")
        host = inside
        if rest.startswith(":"):
            port = _port(rest[1:], text)
    elif value.count(":") == 1:
        host, _, given = value.partition(":")
        port = _port(given, text)
    try:
        return Target(names.ip(host), port)
    except names.InvalidName:
        return Target(names.domain(host), port)


def _port(text: str, target: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise names.InvalidName(f"not a port in {target!r}")
    return int(text)


@dataclass
class TlsSettings:
    timeout: float = 5.0
    concurrency: int = 20
    sni: str | None = None  # the name sent; default: a name target's own name, none for an address
    max_addresses: int = 8


@dataclass
class Report:
    target: str
    address: str | None
    port: int
    sni: str | None
    outcome: str
    certificate: str | None = None
    subject: str | None = None
    not_after: str | None = None
    chain: int = 0
    why: str = ""

    def row(self) -> list[Any]:
        return [self.target, self.address, self.port, self.sni, self.outcome, self.certificate, self.subject,
                self.not_after, self.chain]  # fmt: skip


@dataclass
class Collection:
    targets: list[str]
    started: str
    records: list[Record] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    _certificates: set[str] = field(default_factory=set, repr=False)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.reports if r.outcome not in ("ok", "expired", "not-yet-valid"))

    def source(self, path: str | None) -> NodeRecord:
        """The Source node of this run; it names itself, so a records file of the run adds no other."""
        digest = hashlib.sha256(json.dumps([self.targets, self.started]).encode()).hexdigest()
        run = f"{SOURCE_KIND}:{self.started.replace('-', '').replace(':', '')}-{digest[:8]}"
        outcomes: dict[str, int] = {}
        for report in self.reports:
            outcomes[report.outcome] = outcomes.get(report.outcome, 0) + 1
        props = {
            "kind": SOURCE_KIND,
            "path": path or " ".join(self.targets),
            "loaded_at": self.started,
            "records": len(self.records),
            "summary": json.dumps({"targets": self.targets, "outcomes": outcomes}, sort_keys=True),
        }
        return NodeRecord("Source", run, props, source=run)

    def add_chain(self, address: str, port: int, chain: list[Any], seen: str) -> None:
        """The presented certificates (`cryptography` objects, the server's first)."""
        described = [from_x509(cert) for cert in chain]
        for cert in described:
            key = cert.key()
            if key not in self._certificates:
                self._certificates.add(key)
                self.records += certificates.records(cert, seen)
        props = {"port": port, "count": 1, "first_seen": seen, "last_seen": seen}
        self.records.append(EdgeRecord("SERVED_CERT", "IPAddress", address, "Certificate", described[0].key(), props))
        pairs = {(described[i].key(), described[j].key()) for i, j in issued(chain, chain)}
        for child, parent in sorted(pairs):
            self.records.append(certificates.issued_by(child, parent, seen))


def collect(targets: list[Target], settings: TlsSettings) -> Collection:
    """Handshake with every target; never raises for what a server does or fails to do."""
    collection = Collection([str(t) for t in targets], times.from_epoch(time.time()))
    asyncio.run(_Run(collection, settings).run(targets))
    return collection


class _Run:
    def __init__(self, collection: Collection, settings: TlsSettings) -> None:
        self.collection, self.settings = collection, settings
        self.limit = asyncio.Semaphore(max(1, settings.concurrency))

    async def run(self, targets: list[Target]) -> None:
        results = await asyncio.gather(*(self._target(t) for t in targets))
        for reports in results:  # in the order the targets were given
            self.collection.reports += reports

    async def _target(self, target: Target) -> list[Report]:
        sni = self.settings.sni or (None if target.is_address else target.host)
        if target.is_address:
            addresses = [target.host]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as exc:
                return [Report(str(target), None, target.port, sni, "no-address", why=str(exc))]
            found = dict.fromkeys(names.ip(str(info[4][0])) for info in infos)
            addresses = list(found)[: self.settings.max_addresses]
        return list(await asyncio.gather(*(self._handshake(target, a, sni) for a in addresses)))

    async def _handshake(self, target: Target, address: str, sni: str | None) -> Report:
        report = Report(str(target), address, target.port, sni, "ok")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # what the server presents is recorded, not judged
        async with self.limit:
            try:
                _, writer = await asyncio.wait_for(
                    asyncio.open_connection(address, target.port, ssl=context, server_hostname=sni),
                    self.settings.timeout,
                )
            except TimeoutError:
                report.outcome, report.why = "timeout", f"no handshake within {self.settings.timeout:g} s"
                return report
            except ConnectionRefusedError as exc:
                report.outcome, report.why = "refused", exc.strerror or str(exc)
                return report
            except ssl.SSLError as exc:
                report.outcome, report.why = "tls-error", exc.reason or str(exc)
                return report
            except OSError as exc:
                report.outcome, report.why = "unreachable", exc.strerror or str(exc)
                return report
            try:
                chain = _presented(writer.get_extra_info("ssl_object"))
            finally:
                writer.close()
                with contextlib.suppress(OSError, TimeoutError, ssl.SSLError):  # a rude close is still a handshake
                    await asyncio.wait_for(writer.wait_closed(), self.settings.timeout)
        if not chain:
            report.outcome, report.why = "tls-error", "the server presented no certificate"
            return report
        seen = self.collection.started
        self.collection.add_chain(address, target.port, chain, seen)
        leaf = from_x509(chain[0])
        report.certificate, report.subject, report.not_after, report.chain = (
            leaf.key(),
            leaf.subject,
            leaf.not_after,
            len(chain),
        )
        if leaf.not_after and leaf.not_after < seen:
            report.outcome = "expired"
        elif leaf.not_before and leaf.not_before > seen:
            report.outcome = "not-yet-valid"
        return report


def _presented(ssl_object: Any) -> list[Any]:
    """The certificates the server sent, its own first, as `cryptography` objects. Python 3.13
    names this get_unverified_chain(); 3.11 and 3.12 have it on the object underneath."""
    from cryptography import x509

    if ssl_object is None:
        return []
    public = getattr(ssl_object, "get_unverified_chain", None)
    if public is not None:
        ders = list(public() or [])
    else:
        inner = getattr(ssl_object, "_sslobj", None)
        chain = inner.get_unverified_chain() if inner is not None else None
        ders = [c.public_bytes(ssl._ssl.ENCODING_DER) for c in chain or []]  # type: ignore[attr-defined]
    if not ders:
        leaf = ssl_object.getpeercert(binary_form=True)
        ders = [leaf] if leaf else []
    out = []
    for der in ders:
        try:
            out.append(x509.load_der_x509_certificate(der if isinstance(der, bytes) else bytes(der)))
        except ValueError:
            break  # a chain stops at what cannot be read
    return out
