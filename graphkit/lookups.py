"""Lookup logs -> LOOKED_UP edges, summed per (client, qname, qtype, day) before any write.

Log parsers hand over columns of many lines at once (`LookupBatch`, Arrow arrays). Work
per line is vectorised; Python runs once per DISTINCT value of a column (its canonical
form, whether it is valid, whether it is local noise: graphkit.lookup_values), never once
per line. Memory grows
with the number of distinct keys, not with lines: each window of lines is grouped and
merged into the running aggregate.

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

from graphkit.batches import Bulk, EdgeTable, NodeTable, slices, stamps
from graphkit.loading import FileRejected, ParseContext
from graphkit.lookup_answers import observations, summed
from graphkit.lookup_values import (
    ANSWER_TYPES,
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

DAY = 86400
MAX_TS = 4133980800.0  # 2101-01-01: times.py accepts years 1970-2100
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
class LookupBatch:
    """Columns for many log lines. String columns may be binary (raw bytes, to be decoded
    here), string, or dictionary-encoded; a null is an unset field."""

    ts: pa.Array  # float64 epoch seconds
    client: pa.Array
    qname: pa.Array
    line_of: Callable[[int], int]  # row index -> line number in the file
    qtype: pa.Array | None = None
    server: pa.Array | None = None  # the address the query was sent to
    server_port: pa.Array | None = None
    answers: pa.Array | None = None  # answer values joined with answer_sep
    ttls: pa.Array | None = None  # TTLs joined with answer_sep, aligned with answers
    rd: pa.Array | None = None  # recursion desired: 'T'/'F', true/false
    answer_sep: str = ","
    zeek_escapes: bool = False  # values use Zeek's \xHH escapes
    default_day: int | None = None  # day (since the epoch) of lines without a time


# -- grouping ----------------------------------------------------------------------------------


def _pack(table: pa.Table, keys: list[tuple[str, int | None]]) -> pa.Array | None:
    """One int64 per row from small non-negative key columns with known bounds, or None when
    they would not fit or are not integers (then the caller groups by the columns themselves)."""
    span = 1
    for _, bound in keys:
        if bound is None:
            return None
        span *= max(bound, 1)
    if span >= 1 << 62:
        return None
    packed: pa.Array | None = None
    for name, bound in keys:
        col = pc.cast(table.column(name), pa.int64())
        packed = col if packed is None else pc.add(pc.multiply(packed, _i64(max(bound or 1, 1))), col)
    return packed


def _unpack(packed: pa.Array, keys: list[tuple[str, int | None]]) -> dict[str, pa.Array]:
    out: dict[str, pa.Array] = {}
    rest = packed
    for name, bound in reversed(keys):
        out[name] = pc.cast(pc.modulo(rest, _i64(max(bound or 1, 1))), pa.int32())
        rest = pc.divide(rest, _i64(max(bound or 1, 1)))
    return out


def group(table: pa.Table, keys: list[tuple[str, int | None]], aggregates: list[tuple[str, str]]) -> pa.Table:
    """Group by the key columns (each an int in [0, bound)), aggregating (column, function)
    pairs; the result has the key columns, then one column per aggregate named as the input."""
    packed = _pack(table, keys)
    specs: list[Any] = [(col, fn) for col, fn in aggregates]
    if packed is not None:
        work = pa.table({"_key": packed, **{col: table.column(col) for col, _ in aggregates}})
        result = work.group_by(["_key"], use_threads=False).aggregate(specs)
        unpacked = _unpack(result.column("_key"), keys)
        cols = {name: unpacked[name] for name, _ in keys}
    else:
        result = table.group_by([k for k, _ in keys], use_threads=False).aggregate(specs)
        cols = {k: result.column(k) for k, _ in keys}
    for col, fn in aggregates:
        cols[col] = result.column(f"{col}_{fn}")
    return pa.table(cols)


class _Window:
    """Partial aggregates of batches (each grouped already), merged into the running total
    once they hold `limit` rows: memory stays near the number of distinct keys."""

    def __init__(self, keys: list[str], aggregates: list[tuple[str, str]], limit: int) -> None:
        self.keys, self.aggregates, self.limit = keys, aggregates, limit
        self.parts: list[pa.Table] = []
        self.rows = 0
        self.total: pa.Table | None = None

    def add(self, table: pa.Table, bounds: Callable[[], dict[str, int | None]]) -> None:
        if table.num_rows:
            self.parts.append(table)
            self.rows += table.num_rows
        if self.rows >= self.limit:
            self.fold(bounds)

    def fold(self, bounds: Callable[[], dict[str, int | None]]) -> None:
        if not self.parts:
            return
        limits = bounds()
        keys = [(k, limits[k]) for k in self.keys]
        grouped = group(pa.concat_tables(self.parts), keys, self.aggregates)
        self.parts, self.rows = [], 0
        self.total = grouped if self.total is None else _merge_unique(self.total, grouped, keys, self.aggregates)


def _merge_unique(
    a: pa.Table, b: pa.Table, keys: list[tuple[str, int | None]], aggregates: list[tuple[str, str]]
) -> pa.Table:
    """Two grouped tables (each key at most once in each) as one: sorted by key, each key's
    two rows are side by side and are combined pairwise. Grouping them again by hash would
    need several times the memory of the distinct keys (measured: 300 MB for 1M keys)."""
    both = pa.concat_tables([a, b]).combine_chunks()
    packed = _pack(both, keys)
    if packed is None:
        return group(both, keys, aggregates)
    if isinstance(packed, pa.ChunkedArray):
        packed = packed.combine_chunks()
    order = pc.sort_indices(packed)  # stable: of a pair, the row of `a` (the older) comes first
    both, packed = both.take(order), pc.take(packed, order)
    n = both.num_rows
    pair = pc.equal(packed.slice(0, n - 1), packed.slice(1))  # rows i and i + 1 share a key
    starts = pa.concat_arrays([pair, pa.array([False])])  # the first row of a pair: gets the sum
    seconds = pa.concat_arrays([pa.array([False]), pair])  # the second row of a pair: dropped
    cols = {name: both.column(name) for name, _ in keys}
    for col, fn in aggregates:
        mine = both.column(col).combine_chunks()
        nxt = pa.concat_arrays([mine.slice(1), pa.nulls(1, mine.type)])
        combined = _COMBINE[fn](mine, nxt)
        cols[col] = pc.if_else(starts, combined, mine)
    return pa.table(cols).filter(pc.invert(seconds))


_COMBINE: dict[str, Callable[[pa.Array, pa.Array], pa.Array]] = {
    "sum": pc.add,
    "min": pc.min_element_wise,
    "max": pc.max_element_wise,
    "last": lambda mine, nxt: pc.coalesce(nxt, mine),
}


# -- the aggregator ------------------------------------------------------------------------------


@dataclass
class LookupTotals:
    lookups: int = 0
    rd_true: int = 0
    rd_false: int = 0
    servers: set[str] = field(default_factory=set)


class LookupAggregator:
    """Counts lookups of one file; `records()` yields its LOOKED_UP, RESOLVES_TO and ALIAS_OF edges."""

    def __init__(self, ctx: ParseContext, options: LookupOptions) -> None:
        self.ctx, self.options = ctx, options
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
        self._lookups = _Window(["q", "t", "c", "d"], [("n", "sum"), ("first", "min"), ("last", "max")], WINDOW_ROWS)
        self._answers = _Window(
            ["q", "a"], [("n", "sum"), ("first", "min"), ("last", "max"), ("ttl", "last")], WINDOW_ROWS // 4
        )
        self._answer_sep = ","
        self._observations: list[pa.Table] = []

    # -- input ----------------------------------------------------------------------------------
    def add(self, batch: LookupBatch) -> None:
        n = len(batch.ts)
        if not n:
            return
        z = batch.zeek_escapes
        statuses: list[pa.Array] = []
        ts_status = self._time_status(batch)
        if ts_status is not None:
            statuses.append(ts_status)
        client_ids, st = self.clients.encode(batch.client, z)
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
        self.totals.lookups += len(ts)
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

    def _time_status(self, batch: LookupBatch) -> pa.Array | None:
        ts = batch.ts
        good = pc.and_kleene(pc.greater_equal(ts, _f64(0.0)), pc.less(ts, _f64(MAX_TS)))
        missing_ok = batch.default_day is not None
        good = pc.fill_null(good, pa.scalar(missing_ok, pa.bool_()))
        if pc.all(good).as_py():
            return None
        return pc.if_else(good, _u8(Why.OK), _u8(Why.BAD_TIME))

    def _window_status(self, batch: LookupBatch) -> pa.Array | None:
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
        batch: LookupBatch,
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
        wanted_types = pa.array([i for i, v in enumerate(self.qtypes.values) if v in ANSWER_TYPES], pa.int32())
        has = pc.and_(pc.is_valid(answers.indices), pc.is_in(kept(qtype_ids), value_set=wanted_types))
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

    def _account(self, batch: LookupBatch, status: pa.Array) -> None:
        """Reject the malformed lines (with their line numbers) and count the skipped ones."""
        for value, count in _value_counts(status):
            why = Why(value)
            if why in SKIP_REASONS:
                self.ctx.skip(SKIP_REASONS[why], count)
        bad = pc.indices_nonzero(pc.less(status, _u8(Why.MDNS))).to_pylist()
        status_list = pc.take(status, pa.array(bad, pa.int64())).to_pylist() if bad else []
        for row, why in zip(bad, status_list, strict=True):
            self.ctx.reject(self._reject_reason(batch, row, Why(why)), line=batch.line_of(row))

    def _reject_reason(self, batch: LookupBatch, row: int, why: Why) -> str:
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
        self._lookups.fold(self._bounds)
        self._answers.fold(self._bounds)
        self._flush_answer_totals()
        total = self._lookups.total
        edges = self._answer_table()
        # Arrow's allocator keeps what counting used (its peak) for reuse; the store needs it now.
        pa.default_memory_pool().release_unused()
        self.ctx.counts["lookups"] = self.totals.lookups
        self.ctx.counts["lookup edges"] = 0 if total is None else total.num_rows
        self.ctx.counts["answer edges"] = sum(t.num_rows for t in edges.values())
        addresses: dict[str, None] = {}  # ordered sets: endpoint nodes in a stable order
        domains: dict[str, None] = {}
        if total is not None and total.num_rows:
            addresses.update(dict.fromkeys(_distinct(self.clients.values, total.column("c"))))
            domains.update(dict.fromkeys(_distinct(self.qnames.values, total.column("q"))))
        for rel, table in edges.items():
            domains.update(dict.fromkeys(table.column("_f").to_pylist()))
            targets = dict.fromkeys(table.column("_t").to_pylist())
            (addresses if rel == "RESOLVES_TO" else domains).update(targets)
        # whole, not in slices: the registered domains a table lacks are found across all names
        yield NodeTable("IPAddress", pa.table({"_k": pa.array(list(addresses), pa.string())}))
        yield NodeTable("Domain", pa.table({"_k": pa.array(list(domains), pa.string())}))
        if total is not None and total.num_rows:
            for part in slices(total, EDGE_TABLE_ROWS):
                yield EdgeTable("LOOKED_UP", "IPAddress", "Domain", self._lookup_table(part), distinct=True)
        for rel, table in edges.items():
            for part in slices(table, EDGE_TABLE_ROWS):
                yield EdgeTable(rel, "Domain", "IPAddress" if rel == "RESOLVES_TO" else "Domain", part)

    def _lookup_table(self, total: pa.Table) -> pa.Table:
        return pa.table(
            {
                "_f": pc.take(pa.array(self.clients.values, pa.string()), total.column("c")),
                "_t": pc.take(pa.array(self.qnames.values, pa.string()), total.column("q")),
                "qtype": pc.take(pa.array(self.qtypes.values, pa.string()), total.column("t")),
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
        """Turn the grouped answer sets into observations (graphkit.lookup_answers)."""
        total = self._answers.total
        self._answers.total = None
        if total is not None and total.num_rows:
            self._observations.append(observations(total, self.qnames.values, self._answer_sep))


# Typed scalars: pyarrow converts a bare Python number by first trying to import numpy,
# which costs ~0.1 ms a call when numpy is not installed.
def _f64(value: float) -> pa.Scalar:
    return pa.scalar(float(value), pa.float64())


def _i64(value: int) -> pa.Scalar:
    return pa.scalar(int(value), pa.int64())


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


COLUMNS = ("client", "qname", "qtype", "server", "server_port", "answers", "ttls", "rd")


class RowBatcher:
    """Collects lines parsed one at a time (BIND, CSV, Zeek JSON, unusual Zeek TSV) into
    LookupBatches, so that every log kind is counted by the same code."""

    def __init__(
        self,
        aggregator: LookupAggregator,
        *,
        binary: bool,
        zeek_escapes: bool,
        answer_sep: str = ",",
        default_day: int | None = None,
        size: int = 65536,
    ) -> None:
        self.aggregator, self.size = aggregator, size
        self.type = pa.binary() if binary else pa.string()
        self.zeek_escapes, self.answer_sep, self.default_day = zeek_escapes, answer_sep, default_day
        self.lines: list[int] = []
        self.ts: list[float | None] = []
        self.values: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        self.present: set[str] = set()

    def add(self, line: int, ts: float | None, **columns: Any) -> None:
        self.lines.append(line)
        self.ts.append(ts)
        for name in COLUMNS:
            self.values[name].append(columns.get(name))
        self.present.update(columns)
        if len(self.lines) >= self.size:
            self.flush()
        elif not len(self.lines) & 0xFFF:
            self.aggregator.ctx.tick()  # a log's records come out at its end: progress comes from here

    def flush(self) -> None:
        if not self.lines:
            return
        lines = self.lines

        def column(name: str) -> pa.Array | None:
            return pa.array(self.values[name], self.type) if name in self.present else None

        batch = LookupBatch(
            ts=pa.array(self.ts, pa.float64()),
            client=pa.array(self.values["client"], self.type),
            qname=pa.array(self.values["qname"], self.type),
            line_of=lambda row: lines[row],
            qtype=column("qtype"),
            server=column("server"),
            server_port=column("server_port"),
            answers=column("answers"),
            ttls=column("ttls"),
            rd=column("rd"),
            answer_sep=self.answer_sep,
            zeek_escapes=self.zeek_escapes,
            default_day=self.default_day,
        )
        self.lines, self.ts = [], []
        self.values = {name: [] for name in COLUMNS}
        self.aggregator.add(batch)


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
