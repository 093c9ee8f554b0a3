"""`graphkit load pdns`: passive DNS as JSON lines.

Read, one object a line:
- CIRCL's Common Output Format: rrname, rrtype, rdata (a string or a list), time_first,
  time_last (epoch seconds or ISO 8601), count, bailiwick;
- Farsight DNSDB v1 lines: the same names, rdata a list, zone_time_first/zone_time_last for
  records seen in zone files;
- DNSDB v2 SAF framing: {"cond": "begin"}, {"obj": {...}} lines, then "succeeded",
  "limited" or "failed". A stream that ends without one of those was cut short: its last
  line is reported as a reject (the records before it still load).

time_first/time_last become first_seen/last_seen and count the observation count.

The file is read in blocks of lines, each decoded by Arrow's JSON reader where it can be read
exactly (graphkit.parsers.pdns_blocks) and line by line with json.loads where not; either way
the usable records become one table of rows (`Rows`), mapped a table at a time
(graphkit.parsers.pdns_columns) with graphkit.parsers.dnsrecords' meaning.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import dns.exception
import dns.rdatatype
import pyarrow as pa
import pyarrow.compute as pc

from graphkit.ingest import DEFAULT_BATCH
from graphkit.ingest.context import ParseContext
from graphkit.ingest.observations import Observed
from graphkit.model import names, plain_keys, tables, times
from graphkit.model.records import Record
from graphkit.model.tables import without_rows
from graphkit.parsers import dnsrecords, pdns_blocks, pdns_columns
from graphkit.parsers.dnsrecords import Seen
from graphkit.parsers.pdns_columns import ROWS

CLOSING_CONDS = ("succeeded", "limited", "failed")
EPOCH_END = 4133980800  # 2101-01-01: whole seconds below it (and from 0) are read in Arrow


class BadField(ValueError):
    """A field of a record that cannot be used; the message says which and why."""


class PdnsParser:
    kind = "pdns"

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Observed]:
        reading = _Reading(ctx)
        with ctx.open() as stream:
            for first, data in pdns_blocks.blocks(stream):
                yield from reading.block(first, data)
                ctx.tick()
        yield from reading.finish()


class _Reading:
    """One file's blocks: SAF framing followed across them, edge rows gathered into tables."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.stream_open: tuple[int, bytes] | None = None  # (line, text) of the last line of an open SAF stream
        self.gathered: dict[str, list[tuple[tuple[str, str], pa.Table]]] = {}
        self.rows = 0

    def block(self, first: int, data: bytes) -> Iterator[Record | Observed]:
        table = pdns_blocks.decoded(data)
        rows = self._lines(first, data) if table is None else self._columns(first, _Lines(first, data), table)
        self.ctx.line = first + (table.num_rows if table is not None else data.count(b"\n")) - 1
        yield from self._mapped(rows)

    def finish(self) -> Iterator[Observed]:
        yield from self._flush()
        if self.stream_open is not None:
            number, text = self.stream_open
            self.ctx.reject("DNSDB stream cut short: no closing succeeded/limited/failed line", text, line=number)

    def _lines(self, first: int, data: bytes) -> pa.Table:
        """The block read line by line with json.loads: as the lines say, bad ones rejected."""
        ctx, rows = self.ctx, _RowLists()
        for number, line in enumerate(data.split(b"\n")[:-1], first):
            ctx.line, line = number, line.rstrip(b"\r")
            if not line.strip():
                continue
            doc = _decode(ctx, line)
            if doc is None:
                continue
            if "cond" in doc and "obj" not in doc:
                self.stream_open = _condition(ctx, doc, line, self.stream_open)
                continue
            if self.stream_open is not None:
                self.stream_open = (number, line)
            obj = doc.get("obj", doc)
            if not isinstance(obj, dict):
                ctx.reject("'obj' must be an object", line)
                continue
            rows.add(ctx, number, obj, line)
        return rows.table()

    def _columns(self, first: int, lines: _Lines, table: pa.Table) -> pa.Table:
        """The block as Arrow read it: conditions followed line by line, records checked in columns."""
        is_cond = pc.and_(pc.is_valid(table.column("cond")), pc.is_null(table.column("obj")))
        previous = -1
        for row in pc.indices_nonzero(is_cond).to_pylist():
            if row - previous > 1 and self.stream_open is not None:
                self.stream_open = (first + row - 1, lines.text(row - 1))
            self.ctx.line = first + row
            doc = json.loads(lines.text(row))  # read by Arrow: an object
            self.stream_open = _condition(self.ctx, doc, lines.text(row), self.stream_open)
            previous = row
        if table.num_rows - 1 > previous and self.stream_open is not None:
            self.stream_open = (first + table.num_rows - 1, lines.text(table.num_rows - 1))
        index = pa.array(range(table.num_rows), pa.int64()).filter(pc.invert(is_cond))
        records = table.filter(pc.invert(is_cond))
        checked = _Checked(records, pc.add(index, first))
        for row, reason in checked.rejects():
            self.ctx.reject(reason, lines.text(index[row].as_py()), line=first + index[row].as_py())
        return checked.rows()

    def _mapped(self, rows: pa.Table) -> Iterator[Record | Observed]:
        if not rows.num_rows:
            return
        result = pdns_columns.mapped(rows)
        self.ctx.counts.update(result.counts)
        if result.unmapped:
            self.ctx.skip(dnsrecords.UNMAPPED, result.unmapped)
        for rel, (ends, edges) in result.edges.items():
            self.gathered.setdefault(rel, []).append((ends, edges))
            self.rows += edges.num_rows
        yield from _slow_records(self.ctx, result.slow.table)
        if self.rows >= DEFAULT_BATCH:
            yield from self._flush()

    def _flush(self) -> Iterator[Observed]:
        gathered, self.gathered, self.rows = self.gathered, {}, 0
        for rel, parts in gathered.items():
            yield Observed(rel, parts[0][0], pa.concat_tables([t for _, t in parts], promote_options="default"))


class _Lines:
    """A block's lines by row, split only when a reject or condition needs their text."""

    def __init__(self, first: int, data: bytes) -> None:
        self.data = data
        self._lines: list[bytes] | None = None

    def text(self, row: int) -> bytes:
        if self._lines is None:
            self._lines = self.data.split(b"\n")
        return self._lines[row].rstrip(b"\r")


def _slow_records(ctx: ParseContext, slow: pa.Table) -> Iterator[Record]:
    """Values for dnsrecords to read, as before: each its records, or a reject with its line."""
    if not slow.num_rows:
        return
    first, last = tables.time_text(slow.column("first_seen")), tables.time_text(slow.column("last_seen"))
    columns = zip(
        slow.column("_line").to_pylist(),
        slow.column("owner").to_pylist(),
        slow.column("rtype").to_pylist(),
        slow.column("value").to_pylist(),
        first.to_pylist(),
        last.to_pylist(),
        slow.column("count").to_pylist(),
    )
    for line, owner, rtype, value, time_first, time_last, count in columns:
        ctx.line = line
        try:
            yield from dnsrecords.observations_from_text(
                owner, rtype, value, Seen(None, time_first, time_last, count), ctx.skip
            )
        except names.InvalidName as exc:
            ctx.reject(str(exc), value)  # the value was wrong; the line number says where
        except (dns.exception.DNSException, ValueError) as exc:
            ctx.reject(f"bad {rtype} data {value[:60]!r} ({exc})", value)


class _RowLists:
    """Rows from lines read one by one, in the columns of ROWS."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in ROWS.names}

    def add(self, ctx: ParseContext, number: int, obj: dict[str, Any], line: bytes) -> None:
        rrname, rrtype, rdata = obj.get("rrname"), obj.get("rrtype"), obj.get("rdata")
        if not isinstance(rrname, str) or not rrname:
            ctx.reject("no rrname", line)
            return
        rtype = _type_name(rrtype)
        if rtype is None:
            ctx.reject(f"rrtype must be a type name or number, got {json.dumps(rrtype)[:40]}", line)
            return
        values = [rdata] if isinstance(rdata, str) else rdata
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            ctx.reject("rdata must be a string or a list of strings", line)
            return
        try:
            seen = _seen(obj)
            owner = names.domain(rrname)
        except (times.InvalidTime, names.InvalidName, BadField) as exc:
            ctx.reject(str(exc), line)
            return
        for name, value in zip(ROWS.names, (number, owner, rtype, values, seen.first_seen, seen.last_seen, seen.count)):
            self.columns[name].append(value)

    def table(self) -> pa.Table:
        columns = dict(self.columns)
        for name in ("first_seen", "last_seen"):
            columns[name] = _stamped(pa.array(columns[name], pa.string()))
        return pa.table(columns, schema=ROWS)


class _Checked:
    """Records read by Arrow, checked as the line-by-line reader checks them, in its order:
    rrname, rrtype, rdata, count, time_first, time_last, then the owner's name."""

    def __init__(self, records: pa.Table, lines: pa.Array) -> None:
        self.lines = lines
        self.reasons: dict[int, str] = {}
        inner = pc.is_valid(records.column("obj"))
        obj = records.column("obj")

        def field(name: str) -> Any:
            return pc.if_else(inner, pc.struct_field(obj, name), records.column(name))

        rrname, rrtype, rdata, count = field("rrname"), field("rrtype"), field("rdata"), field("count")
        self._flag(pc.or_(pc.is_null(rrname), pc.equal(rrname, "")), "no rrname")
        self.rtype = self._per_value(rrtype, _rtype_or_reason)
        empty = pc.fill_null(pc.equal(pc.list_value_length(rdata), 0), True)
        has_null = pc.is_null(pc.list_flatten(rdata))
        if pc.any(has_null).as_py():
            parents = pc.list_parent_indices(rdata).filter(has_null)
            empty = pc.or_(empty, pc.is_in(pa.array(range(len(rdata)), pa.int64()), parents))
        self._flag(empty, "rdata must be a string or a list of strings")
        for row in pc.indices_nonzero(pc.fill_null(pc.less(count, 0), False)).to_pylist():
            self.reasons.setdefault(row, f"count must be a whole number, got {json.dumps(count[row].as_py())[:40]}")
        self.first = self._time(pc.coalesce(field("time_first"), field("zone_time_first")), "time_first")
        self.last = self._time(pc.coalesce(field("time_last"), field("zone_time_last")), "time_last")
        self.owner = self._owners(rrname)
        self.rdata, self.count = rdata, count

    def rejects(self) -> list[tuple[int, str]]:
        return sorted(self.reasons.items())

    def rows(self) -> pa.Table:
        columns = [self.lines, self.owner, self.rtype, self.rdata, self.first, self.last, self.count]
        table = pa.Table.from_arrays(
            [pa.chunked_array([c]) if isinstance(c, pa.Array) else c for c in columns], schema=ROWS
        )
        if not self.reasons:
            return table
        bad = pa.array(sorted(self.reasons), pa.int64())
        return without_rows(table, bad)

    def _flag(self, mask: Any, reason: str) -> None:
        for row in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist():
            self.reasons.setdefault(row, reason)

    def _per_value(self, column: Any, read: Callable[[Any], tuple[str | None, str | None]]) -> pa.Array:
        """`read` once per distinct value: (value, None) or (None, why not)."""
        encoded = pc.dictionary_encode(column)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        results = [read(v) for v in encoded.dictionary.to_pylist()]
        values = pc.take(pa.array([v for v, _ in results], pa.string()), encoded.indices)
        failed = {i: why for i, (_, why) in enumerate(results) if why is not None}
        if failed or encoded.null_count:
            for row, i in enumerate(encoded.indices.to_pylist()):
                if i in failed:
                    self.reasons.setdefault(row, failed[i])
                elif i is None and read is _rtype_or_reason:
                    self.reasons.setdefault(row, "rrtype must be a type name or number, got null")
        return values

    def _owners(self, rrname: Any) -> pa.Array:
        """names.domain of each rrname: in Arrow for plain names, else once per distinct value."""
        owners, plain = plain_keys.domains(rrname)
        if pc.all(plain).as_py():
            return owners
        rest = self._per_value(pc.if_else(plain, pa.scalar(None, pa.string()), rrname), _owner_or_reason)
        return pc.if_else(plain, owners, rest)

    def _time(self, column: Any, name: str) -> pa.Array:
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if pa.types.is_string(column.type):
            return self._per_time(column, lambda v: times.from_text(v))
        whole = pc.and_(
            pc.and_(pc.equal(pc.floor(column), column), pc.greater_equal(column, 0)), pc.less(column, EPOCH_END)
        )
        whole = pc.fill_null(whole, False)
        stamps = tables.stamps(pc.if_else(whole, column, 0.0))
        stamps = pc.if_else(whole, stamps, pa.scalar(None, tables.TIMESTAMP))
        other = pc.and_(pc.is_valid(column), pc.invert(whole))
        if not pc.any(other).as_py():
            return stamps
        rest = self._per_time(pc.if_else(other, column, pa.scalar(None, pa.float64())), times.from_epoch)
        return pc.if_else(other, rest, stamps)

    def _per_time(self, column: pa.Array, read: Callable[[Any], str]) -> pa.Array:
        def text(value: Any) -> tuple[str | None, str | None]:
            try:
                return read(value), None
            except times.InvalidTime as exc:
                return None, str(exc)

        return _stamped(self._per_value(column, text))


def _rtype_or_reason(value: str) -> tuple[str | None, str | None]:
    name = _type_name(value)
    return (
        (name, None)
        if name is not None
        else (None, f"rrtype must be a type name or number, got {json.dumps(value)[:40]}")
    )


def _owner_or_reason(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None  # rejected as no rrname
    try:
        return names.domain(value), None
    except names.InvalidName as exc:
        return None, str(exc)


def _stamped(text: pa.Array) -> pa.Array:
    """graphkit.model.times' text as timestamps."""
    return pc.cast(pc.strptime(text, format=times.FORMAT, unit="s"), tables.TIMESTAMP)


def _decode(ctx: ParseContext, line: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(line)
    except UnicodeDecodeError as exc:
        ctx.reject(f"undecodable bytes at column {exc.start + 1}", line)
        return None
    except (ValueError, RecursionError) as exc:
        ctx.reject(f"not valid JSON ({str(exc)[:80]})", line)
        return None
    if not isinstance(doc, dict):
        ctx.reject("a passive DNS record must be a JSON object", line)
        return None
    return doc


def _condition(
    ctx: ParseContext, doc: dict[str, Any], line: bytes, stream_open: tuple[int, bytes] | None
) -> tuple[int, bytes] | None:
    """Follow DNSDB's SAF framing; returns the new open-stream marker."""
    cond, message = doc.get("cond"), doc.get("msg") or ""
    if cond == "begin":
        if stream_open is not None:
            number, text = stream_open
            ctx.reject("DNSDB stream cut short: a new stream began before it ended", text, line=number)
        return (ctx.line or 0, line)
    if cond == "ongoing":  # a keep-alive
        return stream_open
    if cond in CLOSING_CONDS:
        if cond == "limited":
            ctx.skip(f"DNSDB results were limited ({message or 'no message'})")
        elif cond == "failed":
            ctx.reject(f"DNSDB query failed ({message or 'no message'})", line)
        return None
    ctx.reject(f"unknown SAF cond {str(cond)[:40]!r}", line)
    return stream_open


def _type_name(rrtype: Any) -> str | None:
    if isinstance(rrtype, bool):
        return None
    if isinstance(rrtype, int):
        return str(dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rrtype))) if 0 <= rrtype < 65536 else None
    if isinstance(rrtype, str) and rrtype.strip():
        text = rrtype.strip().upper()
        try:
            return str(dns.rdatatype.to_text(dns.rdatatype.from_text(text)))
        except dns.exception.DNSException:
            return text  # an unknown mnemonic: counted under its own name, mapped to nothing
    return None


def _seen(obj: dict[str, Any]) -> Seen:
    first = obj.get("time_first", obj.get("zone_time_first"))
    last = obj.get("time_last", obj.get("zone_time_last"))
    count = obj.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise BadField(f"count must be a whole number, got {json.dumps(count)[:40]}")
    return Seen(None, _time(first, "time_first"), _time(last, "time_last"), count)


def _time(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise times.InvalidTime(f"{field} is not a timestamp")
    if isinstance(value, (int, float)):
        return times.from_epoch(value)
    if isinstance(value, str):
        return times.from_text(value)
    raise times.InvalidTime(f"{field} is not a timestamp")
