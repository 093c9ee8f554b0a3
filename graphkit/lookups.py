"""Lookup logs -> LOOKED_UP edges, summed per (client, qname, qtype, day) before any write.

Log parsers hand over columns of many lines at once (`LookupBatch`, Arrow arrays). Work
per line is vectorised; Python runs once per DISTINCT value of a column (its canonical
form, whether it is valid, whether it is local noise), never once per line. Memory grows
with the number of distinct keys, not with lines: each window of lines is grouped and
merged into the running aggregate.

Answers carried by the log (Zeek's `answers`) become RESOLVES_TO / ALIAS_OF observations,
summed the same way per (name, answer set).
"""

from __future__ import annotations

import ipaddress
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit import names
from graphkit.loading import FileRejected, ParseContext
from graphkit.batches import EdgeTable
from graphkit.records import NodeRecord, Record

DAY = 86400
MAX_TS = 4133980800.0  # 2101-01-01: times.py accepts years 1970-2100
WINDOW_ROWS = 1 << 20  # lines grouped at once; bounds the memory of ungrouped lines
ANSWER_TYPES = frozenset({"A", "AAAA", "CNAME"})  # queries whose answers are an alias chain + addresses
UNKNOWN_QTYPE = "UNKNOWN"


class Why(IntEnum):
    """Why a line is not counted. Lower values win when a line has several problems;
    values below MDNS are rejects (a malformed line), the rest are skips (well-formed
    lines that are not a lookup we count)."""

    BAD_TIME = 1
    BAD_CLIENT = 2
    BAD_QUERY = 3
    BAD_QTYPE = 4
    BAD_SERVER = 5
    MDNS = 10
    LLMNR = 11
    NETBIOS = 12
    MULTICAST = 13
    NO_QUERY = 14
    NOT_A_NAME = 15
    BEFORE_SINCE = 16
    AFTER_UNTIL = 17
    OK = 255


SKIP_REASONS = {
    Why.MDNS: "local: mDNS",
    Why.LLMNR: "local: LLMNR",
    Why.NETBIOS: "local: NetBIOS",
    Why.MULTICAST: "local: multicast",
    Why.NO_QUERY: "no query name",
    Why.NOT_A_NAME: "query is not a DNS name",
    Why.BEFORE_SINCE: "before --since",
    Why.AFTER_UNTIL: "after --until",
}
LOCAL = frozenset({Why.MDNS, Why.LLMNR, Why.NETBIOS, Why.MULTICAST})
# Link-local names: mDNS's .local and the link-local reverse zones (RFC 6762 section 3, 4).
LOCAL_ZONES = ("local", "254.169.in-addr.arpa", "8.e.f.ip6.arpa", "9.e.f.ip6.arpa", "a.e.f.ip6.arpa", "b.e.f.ip6.arpa")
LOCAL_SERVERS = {"224.0.0.251": Why.MDNS, "ff02::fb": Why.MDNS, "224.0.0.252": Why.LLMNR, "ff02::1:3": Why.LLMNR}
LOCAL_PORTS = {"5353": Why.MDNS, "5355": Why.LLMNR, "137": Why.NETBIOS}
NETBIOS_QTYPES = frozenset({"NB", "NBSTAT"})


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


def unescape_zeek(text: str) -> str:
    r"""Zeek writes bytes it will not print as \xHH; the name is those bytes, read as UTF-8."""
    if "\\x" not in text:
        return text
    out, i = bytearray(), 0
    while i < len(text):
        if text.startswith("\\x", i) and i + 4 <= len(text):
            try:
                out.append(int(text[i + 2 : i + 4], 16))
                i += 4
                continue
            except ValueError:
                pass
        out += text[i].encode("utf-8")
        i += 1
    return out.decode("utf-8", "strict")


def _decode(raw: bytes | str, zeek_escapes: bool) -> str:
    """Raise UnicodeDecodeError for bytes that are not UTF-8."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return unescape_zeek(text) if zeek_escapes else text


LOCAL_SUFFIXES = tuple("." + zone for zone in LOCAL_ZONES)
IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")


# A name already in names.domain's canonical form: lowercase LDH (and _) labels, no trailing dot.
_LABEL = r"(?:[a-z0-9_]|[a-z0-9_][a-z0-9_-]{0,61}[a-z0-9_])"
CANONICAL_NAME = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")


def _domain(text: str) -> str:
    return text if len(text) <= 253 and CANONICAL_NAME.fullmatch(text) else names.domain(text)


def _is_local_name(name: str) -> bool:
    return name.endswith(LOCAL_SUFFIXES) or name in LOCAL_ZONES


def _ip(text: str) -> str:
    """names.ip, without its cost for the common dotted quad (already canonical)."""
    return text if IPV4.fullmatch(text) else names.ip(text)


# -- classifying distinct values: each returns (canonical value, status, reject message) ----------
Classified = tuple[str, Why, str]


def classify_client(raw: bytes | str, zeek_escapes: bool) -> Classified:
    try:
        text = _decode(raw, zeek_escapes)
        return _ip(text), Why.OK, ""
    except UnicodeDecodeError:
        return "", Why.BAD_CLIENT, "undecodable bytes in the client address"
    except names.InvalidName:
        return "", Why.BAD_CLIENT, f"bad client address {_shown(raw)}"


def classify_qname(raw: bytes | str, zeek_escapes: bool, keep_local: bool) -> Classified:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        return "", Why.BAD_QUERY, "undecodable bytes in the query name"
    try:
        text = unescape_zeek(text) if zeek_escapes else text
    except UnicodeDecodeError:
        return "", Why.NOT_A_NAME, ""
    if len(text) <= 253 and CANONICAL_NAME.fullmatch(text):  # the common case, without names.domain's cost
        name = text
    else:
        folded = text.strip().rstrip(".").lower()
        if not folded:
            return "", Why.NO_QUERY, ""
        try:
            name = names.domain(text)
        except names.InvalidName:
            return "", Why.MDNS if not keep_local and _is_local_name(folded) else Why.NOT_A_NAME, ""
    if not keep_local and _is_local_name(name):
        return "", Why.MDNS, ""
    return name, Why.OK, ""


def classify_qtype(raw: bytes | str, zeek_escapes: bool, keep_local: bool) -> Classified:
    try:
        text = _decode(raw, zeek_escapes).strip().upper()
    except UnicodeDecodeError:
        return "", Why.BAD_QTYPE, "undecodable bytes in the query type"
    if not text:
        return UNKNOWN_QTYPE, Why.OK, ""
    if len(text) > 32 or not all(c.isalnum() or c in "-_" for c in text) or not text.isascii():
        return "", Why.BAD_QTYPE, f"bad query type {_shown(raw)}"
    if not keep_local and text in NETBIOS_QTYPES:
        return "", Why.NETBIOS, ""
    return text, Why.OK, ""


def classify_server(raw: bytes | str, zeek_escapes: bool, keep_local: bool) -> Classified:
    try:
        address = _ip(_decode(raw, zeek_escapes))
    except UnicodeDecodeError:
        return "", Why.BAD_SERVER, "undecodable bytes in the server address"
    except names.InvalidName:
        return "", Why.BAD_SERVER, f"bad server address {_shown(raw)}"
    if not keep_local:
        if address in LOCAL_SERVERS:
            return address, LOCAL_SERVERS[address], ""
        if ipaddress.ip_address(address).is_multicast:
            return address, Why.MULTICAST, ""
    return address, Why.OK, ""


def classify_port(raw: bytes | str, zeek_escapes: bool, keep_local: bool) -> Classified:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text.strip()
    if not keep_local and text in LOCAL_PORTS:
        return text, LOCAL_PORTS[text], ""
    return text, Why.OK, ""


def _shown(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
    return repr(text[:80])


class ValueColumn:
    """The distinct values of one column: raw value -> id of its canonical form, and status.

    Two spellings of one name ('WPAD', 'wpad.') share one id, so they are one key. Each raw
    value is classified once; later batches only look it up.
    """

    def __init__(self, classify: Callable[[bytes | str, bool], Classified], null_status: Why) -> None:
        self._classify = classify
        self.null_status = null_status
        self.values: list[str] = []  # canonical value of each id
        self._ids: dict[str, int] = {}
        self._codes: dict[bytes | str, int] = {}  # raw -> id (>= 0), or -status when not OK
        self._messages: dict[bytes | str, str] = {}  # raw -> reject message

    def id_of(self, value: str) -> int:
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = len(self.values)
            self.values.append(value)
        return found

    def _learn(self, raw: bytes | str, zeek_escapes: bool) -> int:
        value, status, message = self._classify(raw, zeek_escapes)
        if status is Why.OK:
            code = self.id_of(value)
        else:
            code = -int(status)
            if message:
                self._messages[raw] = message
        self._codes[raw] = code
        return code

    def message(self, raw: Any) -> str:
        return self._messages.get(raw, "") if raw is not None else ""

    def encode(self, column: pa.Array, zeek_escapes: bool) -> tuple[pa.Array, pa.Array | None]:
        """(id per row, null where unusable; status per row, or None when every row is OK)."""
        if not pa.types.is_dictionary(column.type):
            column = pc.dictionary_encode(column)
        raws = column.dictionary.to_pylist()
        get = self._codes.get
        codes = [get(raw) for raw in raws]
        if None in codes:
            codes = [self._learn(raw, zeek_escapes) if code is None else code for raw, code in zip(raws, codes)]
        nulls_ok = column.null_count == 0 or self.null_status is Why.OK
        if nulls_ok and (not codes or min(codes) >= 0):
            return pc.take(pa.array(codes, pa.int32()), column.indices), None
        ids = pa.array([c if c >= 0 else None for c in codes], pa.int32())
        statuses = pa.array([int(Why.OK) if c >= 0 else -c for c in codes], pa.uint8())
        row_status = pc.fill_null(pc.take(statuses, column.indices), _u8(self.null_status))
        return pc.take(ids, column.indices), row_status


# -- grouping ----------------------------------------------------------------------------------


def _pack(table: pa.Table, keys: list[tuple[str, int]]) -> pa.Array | None:
    """One int64 per row from small non-negative key columns with known bounds, or None when
    they would not fit (then the caller groups by the columns themselves)."""
    span = 1
    for _, bound in keys:
        span *= max(bound, 1)
    if span >= 1 << 62:
        return None
    packed: pa.Array | None = None
    for name, bound in keys:
        col = pc.cast(table.column(name), pa.int64())
        packed = col if packed is None else pc.add(pc.multiply(packed, _i64(max(bound, 1))), col)
    return packed


def _unpack(packed: pa.Array, keys: list[tuple[str, int]]) -> dict[str, pa.Array]:
    out: dict[str, pa.Array] = {}
    rest = packed
    for name, bound in reversed(keys):
        out[name] = pc.cast(pc.modulo(rest, _i64(max(bound, 1))), pa.int32())
        rest = pc.divide(rest, _i64(max(bound, 1)))
    return out


def group(table: pa.Table, keys: list[tuple[str, int]], aggregates: list[tuple[str, str]]) -> pa.Table:
    """Group by the key columns (each an int in [0, bound)), aggregating (column, function)
    pairs; the result has the key columns, then one column per aggregate named as the input."""
    packed = _pack(table, keys)
    specs: list[Any] = [(col, fn) for col, fn in aggregates]
    if packed is not None:
        work = pa.table({"_key": packed, **{col: table.column(col) for col, _ in aggregates}})
        result = work.group_by(["_key"], use_threads=False).aggregate(specs)
        cols = _unpack(result.column("_key"), keys)
    else:
        result = table.group_by([k for k, _ in keys], use_threads=False).aggregate(specs)
        cols = {k: result.column(k) for k, _ in keys}
    for col, fn in aggregates:
        cols[col] = result.column(f"{col}_{fn}")
    return pa.table(cols)


class _Window:
    """Ungrouped rows, then grouped into a running aggregate once there are enough."""

    def __init__(self, keys: list[str], aggregates: list[tuple[str, str]], merges: list[tuple[str, str]]) -> None:
        self.keys, self.aggregates, self.merges = keys, aggregates, merges
        self.parts: list[pa.Table] = []
        self.rows = 0
        self.total: pa.Table | None = None

    def add(self, table: pa.Table, bounds: Callable[[], dict[str, int]]) -> None:
        if table.num_rows:
            self.parts.append(table)
            self.rows += table.num_rows
        if self.rows >= WINDOW_ROWS:
            self.fold(bounds)

    def fold(self, bounds: Callable[[], dict[str, int]]) -> None:
        if not self.parts:
            return
        limits = bounds()
        keys = [(k, limits[k]) for k in self.keys]
        grouped = group(pa.concat_tables(self.parts), keys, self.aggregates)
        self.parts, self.rows = [], 0
        if self.total is None:
            self.total = grouped
        else:
            self.total = group(pa.concat_tables([self.total, grouped]), keys, self.merges)


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
        self.qnames = ValueColumn(lambda r, z: classify_qname(r, z, keep), Why.NO_QUERY)
        self.qtypes = ValueColumn(lambda r, z: classify_qtype(r, z, keep), Why.OK)
        self.servers = ValueColumn(lambda r, z: classify_server(r, z, keep), Why.OK)
        self.ports = ValueColumn(lambda r, z: classify_port(r, z, keep), Why.OK)
        self.answer_sets = ValueColumn(lambda r, z: (_decode_loose(r), Why.OK, ""), Why.OK)
        self.ttl_sets = ValueColumn(lambda r, z: (_decode_loose(r), Why.OK, ""), Why.OK)
        self.unknown_qtype = self.qtypes.id_of(UNKNOWN_QTYPE)
        self.totals = LookupTotals()
        self._server_ids: set[int] = set()
        self._day_min: int | None = None
        self._day_max = 0
        self._lookups = _Window(
            ["q", "t", "c", "d"],
            [("n", "sum"), ("first", "min"), ("last", "max")],
            [("n", "sum"), ("first", "min"), ("last", "max")],
        )
        self._answers = _Window(
            ["q", "a"],
            [("n", "sum"), ("first", "min"), ("last", "max"), ("ttl", "last")],
            [("n", "sum"), ("first", "min"), ("last", "max"), ("ttl", "last")],
        )
        self._answer_sep = ","
        self._answer_edges: dict[tuple[str, str, str], list[Any]] = {}

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
        lookups = pa.table({"q": kept(qname_ids), "t": kept(qtype_ids), "c": kept(client_ids), "d": day,
                            "n": _ones(len(ts)),
                            "first": ts, "last": ts})
        self.totals.lookups += len(ts)
        self._lookups.add(lookups, self._bounds)
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

    def _bounds(self) -> dict[str, int]:
        return {
            "q": len(self.qnames.values), "t": len(self.qtypes.values), "c": len(self.clients.values),
            "d": self._day_max + 1, "a": len(self.answer_sets.values),
        }

    def _count_rd(self, rd: pa.Array) -> None:
        for item in pc.value_counts(rd.dictionary_decode() if pa.types.is_dictionary(rd.type) else rd).to_pylist():
            value, count = item["values"], item["counts"]
            flag = value.decode("ascii", "replace") if isinstance(value, bytes) else value
            if flag in (True, "T", "true", "1"):
                self.totals.rd_true += count
            elif flag in (False, "F", "false", "0"):
                self.totals.rd_false += count

    def _add_answers(self, batch: LookupBatch, kept: Callable[[pa.Array], pa.Array], qname_ids: pa.Array,
                     qtype_ids: pa.Array, ts: pa.Array) -> None:
        assert batch.answers is not None
        if batch.answer_sep != self._answer_sep:
            self._answers.fold(self._bounds)
            self._flush_answer_totals()
            self._answer_sep = batch.answer_sep
        answer_ids, _ = self.answer_sets.encode(kept(batch.answers), False)
        wanted_types = pa.array([i for i, v in enumerate(self.qtypes.values) if v in ANSWER_TYPES], pa.int32())
        has = pc.and_(pc.is_valid(answer_ids), pc.is_in(kept(qtype_ids), value_set=wanted_types))
        if not pc.any(has).as_py():
            return
        if batch.ttls is not None:
            ttl_ids, _ = self.ttl_sets.encode(kept(batch.ttls), False)
        else:
            ttl_ids = pa.nulls(len(ts), pa.int32())
        rows = pa.table({"q": kept(qname_ids), "a": answer_ids, "n": _ones(len(ts)),
                         "first": ts, "last": ts, "ttl": ttl_ids}).filter(has)
        self._answers.add(rows, self._bounds)

    def _account(self, batch: LookupBatch, status: pa.Array) -> None:
        """Reject the malformed lines (with their line numbers) and count the skipped ones."""
        for item in pc.value_counts(status).to_pylist():
            why, count = Why(item["values"]), item["counts"]
            if why in SKIP_REASONS:
                self.ctx.skip(SKIP_REASONS[why], count)
        bad = pc.indices_nonzero(pc.less(status, _u8(Why.MDNS))).to_pylist()
        status_list = pc.take(status, pa.array(bad, pa.int64())).to_pylist() if bad else []
        for row, why in zip(bad, status_list):
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

    def records(self) -> Iterator[Record | EdgeTable]:
        """The file's endpoint nodes, then its edges as bulk tables; call once, after the last batch."""
        self._lookups.fold(self._bounds)
        self._answers.fold(self._bounds)
        self._flush_answer_totals()
        total = self._lookups.total
        edges = self._answer_table()
        self.ctx.counts["lookups"] = self.totals.lookups
        self.ctx.counts["lookup edges"] = 0 if total is None else total.num_rows
        self.ctx.counts["answer edges"] = sum(t.num_rows for t in edges.values())
        clients: set[str] = set()
        domains: set[str] = set()
        if total is not None and total.num_rows:
            clients.update(_distinct(self.clients.values, total.column("c")))
            domains.update(_distinct(self.qnames.values, total.column("q")))
        for rel, table in edges.items():
            domains.update(table.column("_f").to_pylist())
            (clients if rel == "RESOLVES_TO" else domains).update(table.column("_t").to_pylist())
        for address in sorted(clients):
            yield NodeRecord("IPAddress", address)
        for name in sorted(domains):
            yield NodeRecord("Domain", name)
        if total is not None and total.num_rows:
            yield EdgeTable("LOOKED_UP", "IPAddress", "Domain", self._lookup_table(total))
        for rel, table in edges.items():
            yield EdgeTable(rel, "Domain", "IPAddress" if rel == "RESOLVES_TO" else "Domain", table)

    def _lookup_table(self, total: pa.Table) -> pa.Table:
        return pa.table({
            "_f": pc.take(pa.array(self.clients.values, pa.string()), total.column("c")),
            "_t": pc.take(pa.array(self.qnames.values, pa.string()), total.column("q")),
            "qtype": pc.take(pa.array(self.qtypes.values, pa.string()), total.column("t")),
            "day": pc.cast(pc.cast(total.column("d"), pa.date32()), pa.string()),
            "count": total.column("n"),
            "first_seen": _iso(total.column("first")),
            "last_seen": _iso(total.column("last")),
        })

    def _answer_table(self) -> dict[str, pa.Table]:
        """RESOLVES_TO and ALIAS_OF edges as tables, in a stable order."""
        out: dict[str, pa.Table] = {}
        for rel in ("RESOLVES_TO", "ALIAS_OF"):
            rows = sorted((key, value) for key, value in self._answer_edges.items() if key[0] == rel)
            if not rows:
                continue
            firsts = pa.array([v[1] for _, v in rows], pa.float64())
            lasts = pa.array([v[2] for _, v in rows], pa.float64())
            out[rel] = pa.table({
                "_f": pa.array([k[1] for k, _ in rows], pa.string()),
                "_t": pa.array([k[2] for k, _ in rows], pa.string()),
                "ttl": pa.array([v[3] for _, v in rows], pa.int64()),
                "count": pa.array([v[0] for _, v in rows], pa.int64()),
                "first_seen": _iso(firsts),
                "last_seen": _iso(lasts),
            })
        return out

    def _flush_answer_totals(self) -> None:
        """Turn the grouped answer sets into edges: names form the alias chain from the
        query, addresses belong to the chain's last name."""
        total = self._answers.total
        self._answers.total = None
        if total is None:
            return
        edges = self._answer_edges
        sep = self._answer_sep
        columns = [total.column(c).to_pylist() for c in ("q", "a", "n", "first", "last", "ttl")]
        for q, a, n, first, last, ttl_id in zip(*columns):
            ttls = self.ttl_sets.values[ttl_id].split(sep) if ttl_id is not None else []
            chain = self.qnames.values[q]
            answers = self.answer_sets.values[a].split(sep)
            for position, answer in enumerate(answers):
                ttl = _ttl(ttls[position]) if len(ttls) == len(answers) else None
                target = _answer_target(answer)
                if target is None:
                    continue
                rel, dst = target
                if dst == chain:
                    continue
                _observe(edges, (rel, chain, dst), n, first, last, ttl)
                if rel == "ALIAS_OF":
                    chain = dst


def _observe(edges: dict[tuple[str, str, str], list[Any]], key: tuple[str, str, str], n: int,
             first: float | None, last: float | None, ttl: int | None) -> None:
    seen = edges.get(key)
    if seen is None:
        edges[key] = [n, first, last, ttl]
        return
    seen[0] += n
    if first is not None:
        seen[1] = first if seen[1] is None else min(seen[1], first)
        if seen[2] is None or last >= seen[2]:  # type: ignore[operator]
            seen[2] = last
            seen[3] = ttl if ttl is not None else seen[3]


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


def _decode_loose(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def _ttl(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if 0 <= value < 2**31 else None


@lru_cache(maxsize=100_000)
def _answer_target(answer: str) -> tuple[str, str] | None:
    text = answer.strip()
    if ":" in text or text.replace(".", "").isdigit():  # names have neither
        try:
            return "RESOLVES_TO", _ip(text)
        except names.InvalidName:
            return None
    try:
        return "ALIAS_OF", _domain(text)
    except names.InvalidName:
        return None  # TXT, SRV and other answers Zeek writes as text


def _iso(seconds: pa.ChunkedArray | pa.Array) -> pa.Array:
    """ISO 8601 UTC strings (graphkit.times' form) for epoch seconds, truncated to the second."""
    whole = pc.cast(pc.floor(seconds), pa.int64())
    return pc.strftime(pc.cast(whole, pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%SZ")


def _distinct(values: list[str], ids: pa.ChunkedArray | pa.Array) -> list[str]:
    return [values[i] for i in pc.unique(ids).to_pylist()]



COLUMNS = ("client", "qname", "qtype", "server", "server_port", "answers", "ttls", "rd")


class RowBatcher:
    """Collects lines parsed one at a time (BIND, CSV, Zeek JSON, unusual Zeek TSV) into
    LookupBatches, so that every log kind is counted by the same code."""

    def __init__(self, aggregator: LookupAggregator, *, binary: bool, zeek_escapes: bool, answer_sep: str = ",",
                 default_day: int | None = None, size: int = 65536) -> None:
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


def finish(ctx: ParseContext, aggregator: LookupAggregator, options: LookupOptions, *,
           default_client_side: str | None, observer: str | None = None) -> Iterator[Record | EdgeTable]:
    """Describe the Source (observer, client side) and yield the file's aggregated edges."""
    client_side = options.client_side or aggregator.client_side() or default_client_side
    if client_side:
        ctx.source_props["client_side"] = client_side
    if options.observer or observer:
        ctx.source_props["observer"] = options.observer or observer
    yield from aggregator.records()


@contextmanager
def unreadable_file_rejected(ctx: ParseContext) -> Iterator[None]:
    """A corrupt or cut-off gzip stream rejects the whole file, with the reason, not a traceback."""
    try:
        yield
    except (OSError, EOFError, zlib.error) as exc:
        raise FileRejected(ctx.line, f"cannot read the file: {exc}") from None
