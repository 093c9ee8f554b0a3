"""TLS sessions of one log file (Zeek ssl.log, Suricata EVE tls events), summed per key before
any write: memory grows with distinct servers, certificates, clients and fingerprints, not
with sessions.

- the server presented the first certificate of the chain: SERVED_CERT per server address,
  port and certificate, sessions counted; each next certificate of the chain ISSUED_BY;
- the name asked for (SNI): REQUESTED_TLS per client, name and day, counted as lookups are
  (graphkit.ingest.lookups.aggregator);
- client fingerprints (JA3, JA4): USED_FINGERPRINT; server ones (JA3S, JA4S, JARM): SERVED_FINGERPRINT;
- certificates described by the log itself (EVE): their Certificate and names, once each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupColumns, LookupOptions, finish
from graphkit.model.records import EdgeRecord, NodeRecord, Record
from graphkit.model.tables import Bulk
from graphkit.parsers import certificates
from graphkit.parsers.certificates import Cert, epoch_instant

BATCH = 1 << 16  # sessions whose names are handed to the aggregator at once
CLIENT_KINDS = ("ja3", "ja4")
SERVER_KINDS = ("ja3s", "ja4s", "jarm")
UNKNOWN_FILE_IDS = (
    "sessions whose certificate is known only by a Zeek file id with no x509.log line in this load "
    "(give the x509.log in the same command)"
)


class SeenCertificates:
    """Certificates a log describes, once each, seen first and last when the log says."""

    def __init__(self) -> None:
        self._certs: dict[str, list[Any]] = {}  # key -> cert, first, last, line

    def __len__(self) -> int:
        return len(self._certs)

    def add(self, cert: Cert, time: float, line: int) -> str:
        key = cert.key()
        known = self._certs.get(key)
        if known is None:
            self._certs[key] = [cert, time, time, line]
        else:
            known[1], known[2] = min(known[1], time), max(known[2], time)
        return key

    def records(self, ctx: ParseContext) -> Iterator[Record]:
        for cert, first, last, line in self._certs.values():
            ctx.line = line
            out = certificates.records(cert, epoch_instant(first), ctx)
            node = out[0]
            assert isinstance(node, NodeRecord)
            node.props["last_seen"] = epoch_instant(last)
            yield from out


@dataclass
class Session:
    line: int
    ts: float
    client: str | None
    server: str | None
    port: int | None
    sni: str | None
    chain: tuple[str, ...] = ()  # certificate keys, the server's own first
    prints: dict[str, str] = field(default_factory=dict)  # kind (ja3, ja3s, ...) -> value


class TlsSessions:
    def __init__(self, ctx: ParseContext, options: LookupOptions) -> None:
        self.ctx, self.options = ctx, options
        self.sni = LookupAggregator(ctx, options, relationship="REQUESTED_TLS")
        self.sessions = 0
        self._names: list[Session] = []  # sessions with SNI, not yet handed to the aggregator
        self._served: dict[tuple[str, int | None, str], list[Any]] = {}  # -> count, first, last, line
        self._prints: dict[tuple[str, str, str, str], list[Any]] = {}  # (rel, address, kind, value) -> ...
        self._chains: Counter[tuple[str, ...]] = Counter()
        self.certificates = SeenCertificates()  # described by the log itself (EVE)

    def add(self, session: Session) -> None:
        self.sessions += 1
        time, line = session.ts, session.line
        if session.sni:
            self._names.append(session)
            if len(self._names) >= BATCH:
                self._hand_names()
        else:
            self.ctx.counts["sessions without SNI"] += 1
        if session.chain and session.server:
            _count(self._served, (session.server, session.port, session.chain[0]), time, line)
            if len(session.chain) > 1:
                self._chains[session.chain] += 1
        for kind, value in session.prints.items():
            address, rel = (
                (session.client, "USED_FINGERPRINT") if kind in CLIENT_KINDS else (session.server, "SERVED_FINGERPRINT")
            )
            if address and value:
                _count(self._prints, (rel, address, kind, value.lower()), time, line)

    def _hand_names(self) -> None:
        named, self._names = self._names, []
        if not named:
            return
        lines = [s.line for s in named]
        self.sni.add(
            LookupColumns(
                ts=pa.array([s.ts for s in named], pa.float64()),
                client=pa.array([s.client for s in named], pa.string()),
                qname=pa.array([s.sni for s in named], pa.string()),
                line_of=lines.__getitem__,
            )
        )

    def records(self) -> Iterator[Record | Bulk]:
        """Everything counted; call once, after the last session."""
        ctx = self.ctx
        self._hand_names()
        ctx.counts["TLS sessions"] = self.sessions
        yield from self.certificates.records(ctx)
        for (server, port, cert_key), (n, first, last, line) in self._served.items():
            ctx.line = line
            props = {"port": port, "count": n, "first_seen": epoch_instant(first), "last_seen": epoch_instant(last)}
            yield EdgeRecord("SERVED_CERT", "IPAddress", server, "Certificate", cert_key, props)
        ctx.counts["SERVED_CERT edges"] = len(self._served)
        pairs = {(chain[i], chain[i + 1]) for chain in self._chains for i in range(len(chain) - 1)}
        for child, parent in sorted(pairs):
            yield certificates.issued_by(child, parent)
        for (rel, address, kind, value), (n, first, last, line) in self._prints.items():
            ctx.line = line
            key = f"{kind}:{value}"
            seen = {"first_seen": epoch_instant(first), "last_seen": epoch_instant(last)}
            yield NodeRecord("Fingerprint", key, {"kind": kind, "value": value, **seen})
            yield EdgeRecord(rel, "IPAddress", address, "Fingerprint", key, {"count": n, **seen})
        ctx.counts["fingerprint edges"] = len(self._prints)
        yield from finish(ctx, self.sni, self.options, default_client_side=None)


def _count(table: dict[Any, list[Any]], key: Any, time: float, line: int) -> None:
    entry = table.get(key)
    if entry is None:
        table[key] = [1, time, time, line]
    else:
        entry[0] += 1
        entry[1] = min(entry[1], time)
        entry[2] = max(entry[2], time)
