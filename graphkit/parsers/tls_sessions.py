"""TLS sessions of one log file (Zeek ssl.log, Suricata EVE tls events), summed per key before
any write. Sessions come in as columns (`Columns`, many at once) and are grouped by Arrow;
Python runs once per distinct key of a batch, never per session, and memory grows with
distinct servers, certificates, clients and fingerprints, not with sessions.

- the server presented the first certificate of the chain: SERVED_CERT per server address,
  port and certificate, sessions counted; each next certificate of the chain ISSUED_BY;
- the name asked for (SNI): REQUESTED_TLS per client, name and day, counted as lookups are
  (graphkit.ingest.lookups.aggregator);
- client fingerprints (JA3, JA4): USED_FINGERPRINT; server ones (JA3S, JA4S, JARM): SERVED_FINGERPRINT;
- certificates described by the log itself (EVE): their Certificate and names, once each.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupColumns, LookupOptions, finish
from graphkit.ingest.observations import Observed
from graphkit.model.records import Record
from graphkit.model.tables import Bulk, stamps
from graphkit.parsers import certificates
from graphkit.parsers.certificates import Cert, epoch_instant

BATCH = 1 << 16  # sessions given one at a time (EVE), handed on as columns this many at once
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
            yield from certificates.records(cert, epoch_instant(first), ctx, epoch_instant(last))


@dataclass
class Columns:
    """Sessions as columns: text, null where the log has nothing."""

    ts: pa.Array  # float64 epoch seconds, never null
    lines: pa.Array  # int64
    client: pa.Array
    server: pa.Array
    port: pa.Array  # int64
    sni: pa.Array
    chain: pa.Array  # certificate keys joined by ',', the server's own first
    prints: dict[str, pa.Array] = field(default_factory=dict)  # kind (ja3, ja3s, ...) -> values


@dataclass
class Session:
    """One session, for a reader that finds them one at a time."""

    line: int
    ts: float
    client: str | None
    server: str | None
    port: int | None
    sni: str | None
    chain: tuple[str, ...] = ()
    prints: dict[str, str] = field(default_factory=dict)


class TlsSessions:
    def __init__(self, ctx: ParseContext, options: LookupOptions) -> None:
        self.ctx, self.options = ctx, options
        self.sni = LookupAggregator(ctx, options, relationship="REQUESTED_TLS")
        self.sessions = 0
        self.certificates = SeenCertificates()  # described by the log itself (EVE)
        self._pending: list[Session] = []
        self._served = _Totals(["s", "p", "c"])  # server, port, certificate
        self._prints = {rel: _Totals(["a", "k", "v"]) for rel in ("USED_FINGERPRINT", "SERVED_FINGERPRINT")}
        self._chains: set[str] = set()

    def __bool__(self) -> bool:
        """Whether any session came."""
        return bool(self.sessions or self._pending)

    def add(self, session: Session) -> None:
        self._pending.append(session)
        if len(self._pending) >= BATCH:
            self._hand_pending()

    def _hand_pending(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        kinds = sorted({kind for s in pending for kind in s.prints})
        self.add_columns(
            Columns(
                ts=pa.array([s.ts for s in pending], pa.float64()),
                lines=pa.array([s.line for s in pending], pa.int64()),
                client=pa.array([s.client for s in pending], pa.string()),
                server=pa.array([s.server for s in pending], pa.string()),
                port=pa.array([s.port for s in pending], pa.int64()),
                sni=pa.array([s.sni for s in pending], pa.string()),
                chain=pa.array([",".join(s.chain) or None for s in pending], pa.string()),
                prints={k: pa.array([s.prints.get(k) for s in pending], pa.string()) for k in kinds},
            )
        )

    def add_columns(self, batch: Columns) -> None:
        batch = _combined(batch)
        n = len(batch.ts)
        if not n:
            return
        self.sessions += n
        named = pc.is_valid(batch.sni)
        with_sni = pc.sum(pc.cast(named, pa.int64())).as_py() or 0
        self.ctx.counts["sessions without SNI"] += n - with_sni
        if with_sni:
            lines = pc.filter(batch.lines, named).to_pylist()
            self.sni.add(
                LookupColumns(
                    ts=pc.filter(batch.ts, named),
                    client=pc.filter(batch.client, named),
                    qname=pc.filter(batch.sni, named),
                    line_of=lines.__getitem__,
                )
            )
        leaf = pc.list_element(pc.split_pattern(batch.chain, ",", max_splits=1), 0)
        self._served.add({"s": batch.server, "p": batch.port, "c": leaf}, batch, optional="p")
        chained = pc.filter(batch.chain, pc.fill_null(pc.match_substring(batch.chain, ","), False))
        self._chains.update(pc.unique(chained).to_pylist())
        for kind, values in batch.prints.items():
            client_side = kind in CLIENT_KINDS
            address = batch.client if client_side else batch.server
            rel = "USED_FINGERPRINT" if client_side else "SERVED_FINGERPRINT"
            keys = {"a": address, "k": pa.repeat(pa.scalar(kind), n), "v": pc.utf8_lower(values)}
            self._prints[rel].add(keys, batch)

    def records(self) -> Iterator[Record | Bulk | Observed]:
        """Everything counted; call once, after the last session."""
        ctx = self.ctx
        self._hand_pending()
        ctx.counts["TLS sessions"] = self.sessions
        yield from self.certificates.records(ctx)
        served = self._served.total()
        ctx.counts["SERVED_CERT edges"] = served.num_rows
        if served.num_rows:
            yield _observed_edge("SERVED_CERT", "Certificate", served, s="_f", c="_t", p="port")
        pairs = {(c[i], c[i + 1]) for c in (chain.split(",") for chain in self._chains) for i in range(len(c) - 1)}
        for child, parent in sorted(pairs):
            yield certificates.issued_by(child, parent)
        prints = {rel: totals.total() for rel, totals in self._prints.items()}
        ctx.counts["fingerprint edges"] = sum(t.num_rows for t in prints.values())
        for rel, table in prints.items():
            if not table.num_rows:
                continue
            key = pc.binary_join_element_wise(table.column("k"), table.column("v"), ":")
            table = table.append_column("_t", key)
            nodes = pa.table(
                {
                    "_k": key,
                    "_line": table.column("line"),
                    "kind": table.column("k"),
                    "value": table.column("v"),
                    "first_seen": stamps(table.column("first")),
                    "last_seen": stamps(table.column("last")),
                }
            )
            yield Observed("Fingerprint", None, nodes)
            yield _observed_edge(rel, "Fingerprint", table.drop_columns(["k", "v"]), a="_f")
        yield from finish(ctx, self.sni, self.options, default_client_side=None)


def _combined(batch: Columns) -> Columns:
    """The batch with every column one array (Arrow's readers give chunked ones)."""

    def one(column: pa.Array | pa.ChunkedArray) -> pa.Array:
        return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column

    return Columns(
        ts=one(batch.ts),
        lines=one(batch.lines),
        client=one(batch.client),
        server=one(batch.server),
        port=one(batch.port),
        sni=one(batch.sni),
        chain=one(batch.chain),
        prints={kind: one(values) for kind, values in batch.prints.items()},
    )


class _Totals:
    """Sessions counted per key (count, first and last time, first line), in Arrow: each batch
    grouped, and the groups merged again whenever they have doubled."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self._parts: list[pa.Table] = []
        self._rows = 0
        self._merged_rows = 0

    def add(self, keys: dict[str, pa.Array], batch: Columns, optional: str = "") -> None:
        """The batch's sessions by `keys`; a row with a null key is left out (but `optional`'s)."""
        table = pa.table({**keys, "ts": batch.ts, "line": batch.lines})
        valid = None
        for name, column in keys.items():
            if name != optional:
                is_valid = pc.is_valid(column)
                valid = is_valid if valid is None else pc.and_(valid, is_valid)
        table = table.filter(valid)
        if not table.num_rows:
            return
        grouped = table.group_by(self.keys, use_threads=False).aggregate(
            [("ts", "count"), ("ts", "min"), ("ts", "max"), ("line", "min")]
        )
        self._parts.append(_renamed(grouped, self.keys))
        self._rows += grouped.num_rows
        if self._rows > 2 * self._merged_rows + 100_000:
            self._merge()

    def _merge(self) -> None:
        if len(self._parts) > 1:
            table = pa.concat_tables(self._parts)
            merged = table.group_by(self.keys, use_threads=False).aggregate(
                [("n", "sum"), ("first", "min"), ("last", "max"), ("line", "min")]
            )
            self._parts = [_renamed(merged, self.keys)]
        self._rows = self._merged_rows = sum(p.num_rows for p in self._parts)

    def total(self) -> pa.Table:
        self._merge()
        if not self._parts:
            return pa.table({**{k: pa.array([], pa.string()) for k in self.keys}, "n": pa.array([], pa.int64())})
        return self._parts[0]


def _renamed(grouped: pa.Table, keys: list[str]) -> pa.Table:
    """Arrow names an aggregate after its column and function: back to n, first, last, line."""
    names = {"ts_count": "n", "n_sum": "n", "ts_min": "first", "first_min": "first", "ts_max": "last"}
    names |= {"last_max": "last", "line_min": "line"}
    return grouped.select([*keys, *(c for c in grouped.column_names if c in names)]).rename_columns(
        [*keys, *(names[c] for c in grouped.column_names if c in names)]
    )


def _observed_edge(rel: str, to_label: str, table: pa.Table, **renamed: str) -> Observed:
    """Counted rows as a relationship's rows, their keys still to be made canonical."""
    columns = {new: table.column(old) for old, new in renamed.items()}
    columns |= {
        "_line": table.column("line"),
        "count": table.column("n"),
        "first_seen": stamps(table.column("first")),
        "last_seen": stamps(table.column("last")),
    }
    if "_t" in table.column_names:
        columns["_t"] = table.column("_t")
    return Observed(rel, ("IPAddress", to_label), pa.table(columns))
