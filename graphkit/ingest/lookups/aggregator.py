"""Lookup logs -> LOOKED_UP edges, summed per (client, qname, qtype, day) before any write.

Log parsers hand over columns of many lines at once (`LookupColumns`, Arrow arrays). Work
per line is vectorised; Python runs once per DISTINCT value of a column (its canonical
form, whether it is valid, whether it is local noise: graphkit.ingest.lookups.classify),
never once per line. Memory grows with the number of distinct keys, not with lines: each
window of lines is grouped and merged into the running aggregate
(graphkit.ingest.lookups.groupby).

Answers carried by the log (Zeek's `answers`) become RESOLVES_TO / ALIAS_OF observations,
summed the same way per (name, answer set).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.inputs import LineReader
from graphkit.ingest.lookups.answers import observations, placeholders, summed
from graphkit.ingest.lookups.classify import (
    ANSWER_TYPES,
    HOST_CLIENT,
    SKIP_REASONS,
    UNKNOWN_QTYPE,
    ValueColumn,
    Why,
    canonical_names,
    classify_client,
    classify_port,
    classify_qname,
    classify_qtype,
    classify_server,
)
from graphkit.ingest.lookups.groupby import Window, group
from graphkit.model.tables import Bulk, EdgeTable, NodeTable, slices, stamps

DAY = 86400
PLACEHOLDERS_SKIPPED = "answers of 0.0.0.0 or loopback (block lists, sinkholes, hosts files): not linked"
MAX_TS = 4133980800.0  # 2101-01-01: graphkit.model.times accepts years 1970-2100
WINDOW_ROWS = 1 << 19  # partial aggregates merged at once: bounds memory beyond the distinct keys
EDGE_TABLE_ROWS = 100_000  # edges handed to the writer at once: their text columns are made a slice at a time


@dataclass(frozen=True)
class LookupOptions:
    since: float | None = None  # epoch seconds, inclusive
    until: float | None = None  # epoch seconds, exclusive
    keep_local: bool = False
    observer: str | None = None  # the server or sensor that wrote the log (Source.observer)
    client_side: str | None = None  # what the client address is (Source.client_side); None: inferred


@dataclass
class LookupColumns:
    """Columns for many log lines. String columns may be binary (raw bytes, to be decoded
    here), string, or dictionary-encoded; a null is an unset field."""

    ts: pa.Array  # float64 epoch seconds
    client: pa.Array
    qname: pa.Array
    line_of: Callable[[int], int]  # row index -> line number in the file
    text_of: Callable[[int], bytes] | None = None  # row index -> the line's text; None: read from the file again
    qtype: pa.Array | None = None
    server: pa.Array | None = None  # the address the query was sent to
    server_port: pa.Array | None = None
    answers: pa.Array | None = None  # answer values joined with answer_sep
    ttls: pa.Array | None = None  # TTLs joined with answer_sep, aligned with answers
    rd: pa.Array | None = None  # recursion desired: 'T'/'F', true/false
    lookup: pa.Array | None = None  # bool: whether the row is a lookup (None: all are); other rows carry answers only
    answer_sep: str = ","
    answers_typed: bool = False  # the answers are A/AAAA/CNAME data whatever the query type (Sysmon gives none)
    zeek_escapes: bool = False  # values use Zeek's \xHH escapes
    default_day: int | None = None  # day (since the epoch) of lines without a time


@dataclass
class LookupTotals:
    lookups: int = 0
    rd_true: int = 0
    rd_false: int = 0
    servers: set[str] = field(default_factory=set)


class LookupAggregator:
    """Counts lookups of one file; `records()` yields its LOOKED_UP, RESOLVES_TO and ALIAS_OF edges.
    With `relationship="REQUESTED_TLS"` it counts TLS sessions by the name they asked for (SNI)
    instead, the same way, with no query type."""

    def __init__(self, ctx: ParseContext, options: LookupOptions, relationship: str = "LOOKED_UP") -> None:
        self.ctx, self.options, self.relationship = ctx, options, relationship
        keep = options.keep_local
        self.clients = ValueColumn(classify_client, Why.BAD_CLIENT)
        self.qnames = ValueColumn(lambda r, z: classify_qname(r, z, keep), Why.NO_QUERY, canonical_names)
        self.qtypes = ValueColumn(lambda r, z: classify_qtype(r, z, keep), Why.OK)
        self.servers = ValueColumn(lambda r, z: classify_server(r, z, keep), Why.OK)
        self.ports = ValueColumn(lambda r, z: classify_port(r, z, keep), Why.OK)
        self.unknown_qtype = self.qtypes.id_of(UNKNOWN_QTYPE)
        self.totals = LookupTotals()
        self._server_ids: set[int] = set()
        self._day_min: int | None = None
        self._day_max = 0
        self._lookups = Window(["q", "t", "c", "d"], [("n", "sum"), ("first", "min"), ("last", "max")], WINDOW_ROWS)
        self._answers = Window(
            ["q", "a"], [("n", "sum"), ("first", "min"), ("last", "max"), ("ttl", "last")], WINDOW_ROWS // 4
        )
        self._answer_sep = ","
        self._observations: list[pa.Table] = []
        self.line_texts = LineReader(ctx.path)  # the text of rejected lines, read again

    # -- input ----------------------------------------------------------------------------------
    def add(self, batch: LookupColumns) -> None:
        n = len(batch.ts)
        if not n:
            return
        z = batch.zeek_escapes
        statuses: list[pa.Array] = []
        ts_status = self._time_status(batch)
        if ts_status is not None:
            statuses.append(ts_status)
        client_ids, st = self.clients.encode(batch.client, z)
        if st is not None and batch.lookup is not None:  # a row of answers needs no client
            st = pc.if_else(pc.fill_null(batch.lookup, pa.scalar(True)), st, _u8(Why.OK))
        statuses += [st] if st is not None else []
        qname_ids, st = self.qnames.encode(batch.qname, z)
        statuses += [st] if st is not None else []
        if batch.qtype is not None:
            qtype_ids, st = self.qtypes.encode(batch.qtype, z)
            qtype_ids = pc.fill_null(qtype_ids, pa.scalar(self.unknown_qtype, pa.int32()))
            statuses += [st] if st is not None else []
        else:
            qtype_ids = pa.array([self.unknown_qtype] * n, pa.int32())
        server_ids = None
        if batch.server is not None:
            server_ids, st = self.servers.encode(batch.server, z)
            statuses += [st] if st is not None else []
        if batch.server_port is not None:
            _, st = self.ports.encode(batch.server_port, z)
            statuses += [st] if st is not None else []
        window = self._window_status(batch)
        if window is not None:
            statuses.append(window)

        ok: pa.Array | None = None
        if statuses:
            status = statuses[0] if len(statuses) == 1 else pc.min_element_wise(*statuses)
            ok = pc.equal(status, _u8(Why.OK))
            if not pc.all(ok).as_py():
                self._account(batch, status)
            else:
                ok = None

        def kept(array: pa.Array) -> pa.Array:
            return array if ok is None else pc.filter(array, ok)

        ts = kept(batch.ts)
        day = self._days(ts, batch.default_day)
        lookups = pa.table(
            {
                "q": kept(qname_ids),
                "t": kept(qtype_ids),
                "c": kept(client_ids),
                "d": day,
                "n": _ones(len(ts)),
                "first": ts,
                "last": ts,
            }
        )
        if batch.lookup is not None:  # answers reported apart from their query (Suricata's EVE)
            lookups = lookups.filter(pc.fill_null(kept(batch.lookup), pa.scalar(True)))
        self.totals.lookups += lookups.num_rows
        # grouped per batch first: the window then holds distinct keys, not lines (less memory)
        bounds = self._bounds()
        keys = [(k, bounds[k]) for k in self._lookups.keys]
        self._lookups.add(group(lookups, keys, self._lookups.aggregates), self._bounds)
        if batch.rd is not None and len(ts):
            self._count_rd(kept(batch.rd))
        if server_ids is not None and len(ts):
            self._server_ids.update(x for x in pc.unique(kept(server_ids)).to_pylist() if x is not None)
        if batch.answers is not None and len(ts):
            self._add_answers(batch, kept, qname_ids, qtype_ids, ts)

    def _time_status(self, batch: LookupColumns) -> pa.Array | None:
        ts = batch.ts
        good = pc.and_kleene(pc.greater_equal(ts, _f64(0.0)), pc.less(ts, _f64(MAX_TS)))
        missing_ok = batch.default_day is not None
        good = pc.fill_null(good, pa.scalar(missing_ok, pa.bool_()))
        if pc.all(good).as_py():
            return None
        return pc.if_else(good, _u8(Why.OK), _u8(Why.BAD_TIME))

    def _window_status(self, batch: LookupColumns) -> pa.Array | None:
        since, until = self.options.since, self.options.until
        if since is None and until is None:
            return None
        when = batch.ts
        if batch.default_day is not None:  # lines without a time count as noon of their day
            when = pc.fill_null(when, _f64(batch.default_day * DAY + DAY / 2))
        status = pa.nulls(len(when), pa.uint8())
        if until is not None:
            status = pc.if_else(pc.greater_equal(when, _f64(until)), _u8(Why.AFTER_UNTIL), status)
        if since is not None:
            status = pc.if_else(pc.less(when, _f64(since)), _u8(Why.BEFORE_SINCE), status)
        return pc.fill_null(status, _u8(Why.OK))

    def _days(self, ts: pa.Array, default_day: int | None) -> pa.Array:
        day = pc.cast(pc.floor(pc.divide(ts, _f64(DAY))), pa.int32())
        if default_day is not None:
            day = pc.fill_null(day, pa.scalar(default_day, pa.int32()))
        if len(day):
            low, high = pc.min_max(day).values()
            if low.as_py() is not None:
                self._day_min = low.as_py() if self._day_min is None else min(self._day_min, low.as_py())
                self._day_max = max(self._day_max, high.as_py())
        return day

    def _bounds(self) -> dict[str, int | None]:
        return {
            "q": len(self.qnames.values),
            "t": len(self.qtypes.values),
            "c": len(self.clients.values),
            "d": self._day_max + 1,
            "a": None,
        }

    def _count_rd(self, rd: pa.Array) -> None:
        if pa.types.is_dictionary(rd.type):  # counted by index: not decoded line by line
            values = rd.dictionary.to_pylist()
            counts = [(None if i is None else values[i], n) for i, n in _value_counts(rd.indices)]
        else:
            counts = _value_counts(rd)
        for value, count in counts:
            flag = value.decode("ascii", "replace") if isinstance(value, bytes) else value
            if flag in (True, "T", "true", "1"):
                self.totals.rd_true += count
            elif flag in (False, "F", "false", "0"):
                self.totals.rd_false += count

    def _add_answers(
        self,
        batch: LookupColumns,
        kept: Callable[[pa.Array], pa.Array],
        qname_ids: pa.Array,
        qtype_ids: pa.Array,
        ts: pa.Array,
    ) -> None:
        """Answer sets of A/AAAA/CNAME queries, grouped per (name, answer set) within the
        batch; the sets stay Arrow values until the end (no step per distinct set here)."""
        assert batch.answers is not None
        if batch.answer_sep != self._answer_sep:
            self._answers.fold(self._bounds)
            self._flush_answer_totals()
            self._answer_sep = batch.answer_sep
        answers = _dictionary(kept(batch.answers))
        has = pc.is_valid(answers.indices)
        if not batch.answers_typed:  # other types' answers (MX, TXT, ...) would read as aliases
            wanted_types = pa.array([i for i, v in enumerate(self.qtypes.values) if v in ANSWER_TYPES], pa.int32())
            has = pc.and_(has, pc.is_in(kept(qtype_ids), value_set=wanted_types))
        if not pc.any(has).as_py():
            return
        ttls = _dictionary(kept(batch.ttls) if batch.ttls is not None else pa.nulls(len(ts), pa.binary()))
        rows = pa.table(
            {
                "q": kept(qname_ids),
                "a": answers.indices,
                "n": _ones(len(ts)),
                "first": ts,
                "last": ts,
                "ttl": ttls.indices,
            }
        ).filter(has)
        grouped = group(
            rows,
            [("q", len(self.qnames.values)), ("a", len(answers.dictionary))],
            [("n", "sum"), ("first", "min"), ("last", "max"), ("ttl", "last")],
        )
        binary_answers = pc.cast(answers.dictionary, pa.binary())
        binary_ttls = pc.cast(ttls.dictionary, pa.binary())
        grouped = grouped.set_column(
            grouped.schema.get_field_index("a"), "a", pc.take(binary_answers, grouped.column("a"))
        )
        grouped = grouped.set_column(
            grouped.schema.get_field_index("ttl"), "ttl", pc.take(binary_ttls, grouped.column("ttl"))
        )
        self._answers.add(grouped, self._bounds)

    def _account(self, batch: LookupColumns, status: pa.Array) -> None:
        """Reject the malformed lines (with their line numbers) and count the skipped ones."""
        for value, count in _value_counts(status):
            why = Why(value)
            if why in SKIP_REASONS:
                self.ctx.skip(SKIP_REASONS[why], count)
        bad = pc.indices_nonzero(pc.less(status, _u8(Why.MDNS))).to_pylist()
        status_list = pc.take(status, pa.array(bad, pa.int64())).to_pylist() if bad else []
        for row, why in zip(bad, status_list, strict=True):
            line = batch.line_of(row)
            text = batch.text_of(row) if batch.text_of else self.line_texts.text(line)
            self.ctx.reject(self._reject_reason(batch, row, Why(why)), text, line=line)

    def _reject_reason(self, batch: LookupColumns, row: int, why: Why) -> str:
        def raw(column: pa.Array | None) -> Any:
            return None if column is None else column[row].as_py()

        if why is Why.BAD_TIME:
            value = raw(batch.ts)
            return "no timestamp" if value is None else f"bad timestamp {value!r}"
        if why is Why.BAD_CLIENT:
            return self.clients.message(raw(batch.client)) or "no client address"
        if why is Why.BAD_QUERY:
            return self.qnames.message(raw(batch.qname)) or "bad query name"
        if why is Why.BAD_QTYPE:
            return self.qtypes.message(raw(batch.qtype)) or "bad query type"
        return self.servers.message(raw(batch.server)) or "bad server address"

    # -- output ---------------------------------------------------------------------------------
    def client_side(self) -> str | None:
        """Resolvers querying an authoritative server do not ask for recursion; stub clients do."""
        t = self.totals
        if t.rd_true + t.rd_false == 0:
            return None
        return "stub" if t.rd_true >= t.rd_false else "resolver"

    def server_addresses(self) -> list[str]:
        return sorted(self.servers.values[i] for i in self._server_ids)

    def records(self) -> Iterator[Bulk]:
        """The file's endpoint nodes, then its edges as bulk tables; call once, after the last batch."""
        self.line_texts.close()
        self._lookups.fold(self._bounds)
        self._answers.fold(self._bounds)
        self._flush_answer_totals()
        total = self._lookups.total
        edges = self._answer_table()
        # Arrow's allocator keeps what counting used (its peak) for reuse; the store needs it now.
        pa.default_memory_pool().release_unused()
        tls = self.relationship == "REQUESTED_TLS"
        self.ctx.counts["sessions naming a server (SNI)" if tls else "lookups"] = self.totals.lookups
        self.ctx.counts["REQUESTED_TLS edges" if tls else "lookup edges"] = 0 if total is None else total.num_rows
        if not tls:
            self.ctx.counts["answer edges"] = sum(t.num_rows for t in edges.values())
        clients: dict[str, None] = {}  # ordered sets: endpoint nodes in a stable order
        addresses: dict[str, None] = {}
        domains: dict[str, None] = {}
        if total is not None and total.num_rows:
            clients.update(dict.fromkeys(_distinct(self.clients.values, total.column("c"))))
            domains.update(dict.fromkeys(_distinct(self.qnames.values, total.column("q"))))
        for rel, table in edges.items():
            domains.update(dict.fromkeys(table.column("_f").to_pylist()))
            targets = dict.fromkeys(table.column("_t").to_pylist())
            (addresses if rel == "RESOLVES_TO" else domains).update(targets)
        hosts = [c[len(HOST_CLIENT) :] for c in clients if c.startswith(HOST_CLIENT)]
        addresses = {c: None for c in clients if not c.startswith(HOST_CLIENT)} | addresses
        if hosts:
            yield NodeTable("Host", pa.table({"_k": pa.array(hosts, pa.string())}))
        # whole, not in slices: the registered domains a table lacks are found across all names
        yield NodeTable("IPAddress", pa.table({"_k": pa.array(list(addresses), pa.string())}))
        yield NodeTable("Domain", pa.table({"_k": pa.array(list(domains), pa.string())}))
        if total is not None and total.num_rows:
            for part in slices(total, EDGE_TABLE_ROWS):
                yield from _by_client_label(self._lookup_table(part), bool(hosts), self.relationship)
        for rel, table in edges.items():
            for part in slices(table, EDGE_TABLE_ROWS):
                yield EdgeTable(rel, "Domain", "IPAddress" if rel == "RESOLVES_TO" else "Domain", part)

    def _lookup_table(self, total: pa.Table) -> pa.Table:
        qtype = (
            {}
            if self.relationship != "LOOKED_UP"
            else {"qtype": pc.take(pa.array(self.qtypes.values, pa.string()), total.column("t"))}
        )
        return pa.table(
            {
                "_f": pc.take(pa.array(self.clients.values, pa.string()), total.column("c")),
                "_t": pc.take(pa.array(self.qnames.values, pa.string()), total.column("q")),
                **qtype,
                "day": pc.cast(pc.cast(total.column("d"), pa.date32()), pa.string()),
                "count": total.column("n"),
                "first_seen": stamps(total.column("first")),
                "last_seen": stamps(total.column("last")),
            }
        )

    def _answer_table(self) -> dict[str, pa.Table]:
        tables = summed(self._observations)
        for rel, table in tables.items():
            first, last = stamps(table.column("first")), stamps(table.column("last"))
            tables[rel] = (
                table.drop_columns(["first", "last"])
                .append_column("first_seen", first)
                .append_column("last_seen", last)
            )
        return tables

    def _flush_answer_totals(self) -> None:
        """Turn the grouped answer sets into observations (graphkit.ingest.lookups.answers)."""
        total = self._answers.total
        self._answers.total = None
        if total is not None and total.num_rows:
            observed = observations(total, self.qnames.values, self._answer_sep)
            blocked = placeholders(observed)
            if blocked:
                self.ctx.skip(PLACEHOLDERS_SKIPPED, blocked)
            self._observations.append(observed)


# Typed scalars: pyarrow converts a bare Python number by first trying to import numpy,
# a failed import on every call when numpy is not installed.
def _f64(value: float) -> pa.Scalar:
    return pa.scalar(float(value), pa.float64())


def _u8(value: int) -> pa.Scalar:
    return pa.scalar(int(value), pa.uint8())


def _ones(n: int) -> pa.Array:
    return pa.repeat(pa.scalar(1, pa.int64()), n)


def _value_counts(array: pa.Array) -> list[tuple[Any, int]]:
    return [(item["values"], item["counts"]) for item in pc.value_counts(array).to_pylist()]


def _dictionary(column: pa.Array) -> pa.DictionaryArray:
    return column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)


def _distinct(values: list[str], ids: pa.ChunkedArray | pa.Array) -> list[str]:
    return [values[i] for i in pc.unique(ids).to_pylist()]


def _by_client_label(lookups: pa.Table, any_hosts: bool, rel: str) -> Iterator[EdgeTable]:
    """LOOKED_UP (or REQUESTED_TLS) edges from addresses, and from hosts (their marked names unmarked)."""
    if not any_hosts:
        yield EdgeTable(rel, "IPAddress", "Domain", lookups, distinct=True)
        return
    is_host = pc.starts_with(lookups.column("_f"), HOST_CLIENT)
    from_addresses = lookups.filter(pc.invert(is_host))
    if from_addresses.num_rows:
        yield EdgeTable(rel, "IPAddress", "Domain", from_addresses, distinct=True)
    from_hosts = lookups.filter(is_host)
    names = pc.utf8_slice_codeunits(from_hosts.column("_f"), len(HOST_CLIENT))
    column = from_hosts.schema.get_field_index("_f")
    yield EdgeTable(rel, "Host", "Domain", from_hosts.set_column(column, "_f", names), distinct=True)


def finish(
    ctx: ParseContext,
    aggregator: LookupAggregator,
    options: LookupOptions,
    *,
    default_client_side: str | None,
    observer: str | None = None,
) -> Iterator[Bulk]:
    """Describe the Source (observer, client side); the file's aggregated edges, to yield from.
    (A plain function, not a generator: one generator layer less per record.)"""
    client_side = options.client_side or aggregator.client_side() or default_client_side
    if client_side:
        ctx.source_props["client_side"] = client_side
    if options.observer or observer:
        ctx.source_props["observer"] = options.observer or observer
    return aggregator.records()


@contextmanager
def unreadable_file_rejected(ctx: ParseContext) -> Iterator[None]:
    """A corrupt or cut-off gzip stream rejects the whole file, with the reason, not a traceback."""
    try:
        yield
    except (OSError, EOFError, zlib.error) as exc:
        raise FileRejected(ctx.line, f"cannot read the file: {exc}") from None
