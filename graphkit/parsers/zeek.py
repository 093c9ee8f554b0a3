"""`graphkit load zeek`: Zeek dns.log, TSV or JSON lines (told apart by content).

TSV: `#separator`, `#set_separator`, `#empty_field`, `#unset_field` and `#fields` headers are
honoured, fields may come in any order, and a file may hold several header blocks. Data
lines between headers are read in large pieces by Arrow's CSV reader and counted by
graphkit.ingest.lookups.aggregator without a Python step per line. A piece with anything
unusual in it (a wrong field count, an unreadable timestamp, a carriage return) is read
again line by line, so every bad line is named with its number and reason.
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC
from typing import Any, BinaryIO

import dns.rdatatype
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.lookups.aggregator import (
    LookupAggregator,
    LookupColumns,
    LookupOptions,
    finish,
    unreadable_file_rejected,
)
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.ingest.lookups.classify import unescape_hex
from graphkit.model.records import Record
from graphkit.model.tables import Bulk

PIECE_BYTES = 4 << 20  # bytes read at once (the read buffer grows to twice this)
BATCH_ROWS = 1 << 17  # lines handed to the aggregator at once
# Buffers in rotation: Arrow reads the newer pieces while the main thread counts the oldest
# (with two, Arrow sat idle during each aggregation).
RING_BUFFERS = 4
# Pieces Arrow reads side by side, each as one block (one dictionary per column, nothing to
# unify within a piece): faster than one piece at a time in 1-4 MB blocks.
READERS = 2
# Zeek dns.log field -> our column; ts, id.orig_h and query are required.
FIELDS = {
    "ts": "ts",
    "id.orig_h": "client",
    "query": "qname",
    "qtype_name": "qtype",
    "qtype": "qtype_number",  # fills in a qtype_name that is unset or '*'
    "id.resp_h": "server",
    "id.resp_p": "server_port",
    "answers": "answers",
    "TTLs": "ttls",
    "RD": "rd",
}
REQUIRED = ("ts", "id.orig_h", "query")
DICTIONARY = pa.dictionary(pa.int32(), pa.binary())
HASH = ord("#")


def _next_header(piece: bytearray, pos: int, size: int) -> int:
    """Where the next header line ('#' at the start of a line) begins, or the end."""
    found = piece.find(b"#", pos, size)
    while found > 0 and piece[found - 1] != ord("\n"):
        found = piece.find(b"#", found + 1, size)
    return size if found < 0 else found


@dataclass
class Header:
    """The header block in force: how data lines are split and which field is where."""

    separator: bytes = b"\t"
    set_separator: bytes = b","
    empty: bytes = b"(empty)"
    unset: bytes = b"-"
    fields: list[str] = field(default_factory=list)

    def read(self, line: bytes, number: int) -> None:
        text = line.rstrip(b"\r\n")
        if text.startswith(b"#separator"):
            value = unescape_hex(text[len(b"#separator") :].strip(b" \t"))
            if not value:
                raise FileRejected(number, "empty #separator")
            self.separator = value
            return
        key, _, value = text[1:].partition(self.separator)
        if key == b"set_separator" and value:
            self.set_separator = value
        elif key == b"empty_field":
            self.empty = value
        elif key == b"unset_field":
            self.unset = value
        elif key == b"fields":
            try:
                self.fields = [name.decode("utf-8") for name in value.split(self.separator)]
            except UnicodeDecodeError:
                raise FileRejected(number, "undecodable bytes in #fields") from None
            missing = [name for name in REQUIRED if name not in self.fields]
            if missing:
                raise FileRejected(number, f"#fields has no {', '.join(missing)}: not a Zeek dns.log")


class ZeekParser:
    kind = "zeek"

    def __init__(self, options: LookupOptions | None = None, *, fast: bool = True) -> None:
        self.options = options or LookupOptions()
        self.fast = fast  # False reads every line in Python (the reference path, for tests)

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        aggregator = LookupAggregator(ctx, self.options)
        corrupt: list[str] = []  # why a gzip stream broke off, if it did
        with unreadable_file_rejected(ctx), ctx.open(on_corrupt=corrupt.append) as stream:
            first = stream.read(min(1 << 16, PIECE_BYTES))
            if first.lstrip()[:1] == b"{":
                end = _read_json(ctx, aggregator, first, stream)
            else:
                reader = _TsvReader(ctx, aggregator, self.fast, corrupt)
                reader.read(first, stream)
                end = reader.line
        if corrupt:  # after the lines before it, at the line where the data breaks off
            ctx.reject(corrupt[0], line=end)
        yield from finish(ctx, aggregator, self.options, default_client_side=None)


@dataclass
class _Segment:
    """Data lines between header lines: buffer[start:end], to be read under `header`."""

    buffer: bytearray
    start: int
    end: int
    offset: int  # where buffer[start] is in the file's (decompressed) data
    header: Header
    last: bool  # the segment ends the file
    table: Future[pa.Table | None] | None = None  # the Arrow read, running in the background


class _TsvReader:
    """Splits the file into header lines and data segments. Segments are read by Arrow in a
    worker thread while the main thread counts the earlier ones, in file order; buffers
    rotate so that a piece is never overwritten before it has been counted."""

    def __init__(self, ctx: ParseContext, aggregator: LookupAggregator, fast: bool, corrupt: list[str]) -> None:
        self.ctx, self.aggregator, self.fast = ctx, aggregator, fast
        self.corrupt = corrupt  # non-empty once the (gzip) stream broke off: its last line is cut
        self.header = Header()
        self.seen_header = False
        self.line = 1  # the next line to count; exact whenever nothing is pending
        self.pending: deque[_Segment] = deque()
        self.executor: ThreadPoolExecutor | None = None
        # Arrow-read segments, not yet counted: (table, first line, offset)
        self.ready: list[tuple[pa.Table, int, int]] = []
        self.ready_header: Header | None = None
        self.ready_rows = 0

    def read(self, first: bytes, stream: BinaryIO) -> None:
        with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="graphkit-zeek") as executor:
            self.executor = executor
            try:
                self._read(first, stream)
                self._drain()
            except BaseException:
                for segment in self.pending:
                    if segment.table is not None:
                        segment.table.cancel()
                raise

    def _read(self, first: bytes, stream: BinaryIO) -> None:
        size = max(2 * len(first), min(1 << 20, 2 * PIECE_BYTES))
        ring = [bytearray(size) for _ in range(RING_BUFFERS)]
        at = 0
        buffer = ring[at]
        base = 0  # where buffer[0] is in the data
        filled = len(first)
        buffer[:filled] = first
        while True:
            space = len(buffer) - filled
            with memoryview(buffer) as view:
                got = stream.readinto(view[filled:]) or 0  # type: ignore[attr-defined]
            filled += got
            final = got == 0
            cut = filled if final else buffer.rfind(b"\n", 0, filled) + 1
            if cut == 0 and not final:  # no line end yet: read on (lines are at most LINE_LIMIT)
                if filled == len(buffer):
                    buffer = ring[at] = _grown(buffer, filled, 2 * len(buffer))
                continue
            if cut:
                self._piece(buffer, cut, final, base)
            if final:
                return
            at = (at + 1) % RING_BUFFERS
            spare = ring[at]
            self._drain(until=spare)  # the oldest pieces are counted while the newer ones are read
            wanted = (
                min(2 * len(buffer), 2 * PIECE_BYTES) if got == space else len(buffer)
            )  # large files: larger pieces
            if len(spare) < max(wanted, 2 * (filled - cut)):
                spare = ring[at] = bytearray(max(wanted, 2 * (filled - cut)))
            spare[: filled - cut] = buffer[cut:filled]
            buffer, filled, base = spare, filled - cut, base + cut

    def _piece(self, piece: bytearray, size: int, final: bool, base: int) -> None:
        """Read the header lines of piece[:size] and queue the data segments between them."""
        pos = 0
        arrow_buffer = pa.py_buffer(piece)
        while pos < size:
            if piece[pos] == HASH:
                self._drain()  # so that the header line's number is known
                end = piece.find(b"\n", pos, size)
                end = size if end < 0 else end + 1
                self.ctx.line = self.line
                self.header.read(bytes(piece[pos:end]), self.line)
                self.seen_header = True
                self.line, pos = self.line + 1, end
                continue
            end = _next_header(piece, pos, size)
            if not self.seen_header or not self.header.fields:
                self._drain()
                raise FileRejected(self.line, "data before any #fields header: not a Zeek TSV log")
            header = replace(self.header, fields=list(self.header.fields))
            segment = _Segment(piece, pos, end, base + pos, header, final and end == size)
            cut_off = segment.last and bool(self.corrupt)
            if (
                self.fast
                and self.executor
                and len(header.separator) == 1
                and piece.find(b"\r", pos, end) < 0
                and not cut_off
            ):
                segment.table = self.executor.submit(_read_arrow, arrow_buffer.slice(pos, end - pos), header)
            self.pending.append(segment)
            pos = end

    def _drain(self, until: bytearray | None = None) -> None:
        """Count the pending segments in order: all of them, or those in the buffer `until`.
        Draining all (at a header line or the end), nothing is left for Arrow to read beside
        the counting: each piece is counted while Arrow reads the next."""
        batch_rows = BATCH_ROWS if until is not None else 0
        while self.pending and (until is None or self.pending[0].buffer is until):
            segment = self.pending.popleft()
            if segment.table is not None and not segment.table.done() and self.ready_rows >= batch_rows:
                self._count_ready()  # while Arrow reads
            table = segment.table.result() if segment.table is not None else None
            if table is not None:
                rows = table.num_rows
                if rows:
                    if self.ready and self.ready_header != segment.header:
                        self._count_ready()
                    self.ready.append((table, self.line, segment.offset))
                    self.ready_header = segment.header
                    self.ready_rows += rows
                    if self.ready_rows >= batch_rows:
                        self._count_ready()
            else:
                self._count_ready()
                rows = self._python(
                    bytes(segment.buffer[segment.start : segment.end]), self.line, segment.last, segment.header
                )
            self.ctx.counts["lines read"] += rows
            self.line += rows
            self.ctx.tick()
        if until is None:
            self._count_ready()

    def _count_ready(self) -> None:
        """Hand the Arrow-read segments gathered so far to the aggregator as one batch: its
        Python work runs once per distinct value of the batch, so fewer, larger batches."""
        if not self.ready or self.ready_header is None:
            return
        tables = [table for table, _, _ in self.ready]
        bases: list[int] = [line for _, line, _ in self.ready]
        offsets: list[int] = [offset for _, _, offset in self.ready]
        starts: list[int] = list(itertools.accumulate((t.num_rows for t in tables[:-1]), initial=0))
        merged = pa.concat_tables(tables).unify_dictionaries().combine_chunks()

        def line_of(row: int) -> int:
            i = bisect.bisect_right(starts, row) - 1
            return bases[i] + row - starts[i]

        def text_of(row: int) -> bytes:  # Arrow keeps no line text: read again, from its segment's start
            i = bisect.bisect_right(starts, row) - 1
            return self.aggregator.line_texts.text(line_of(row), start=(bases[i], offsets[i]))

        self.aggregator.add(_batch_of(merged, self.ready_header, line_of, text_of))
        self.ready, self.ready_rows = [], 0

    def _python(self, segment: bytes, line: int, last: bool, header: Header) -> int:
        """The reference path: one line at a time, each bad line rejected with its reason."""
        width = len(header.fields)
        index: dict[str, int] = {}
        for i, name in enumerate(header.fields):
            if name in FIELDS:
                index.setdefault(FIELDS[name], i)  # a repeated field: the first one counts
        nulls = {header.unset, header.empty}
        batcher = ColumnBuilder(
            self.aggregator, binary=True, zeek_escapes=True, answer_sep=header.set_separator.decode("latin-1")
        )
        rows = segment.split(b"\n")
        if segment.endswith(b"\n"):
            rows.pop()
        for number, raw in enumerate(rows, line):
            text = raw[:-1] if raw.endswith(b"\r") else raw
            if not text:
                if number not in self.ctx.long_lines:
                    self.ctx.skip("blank line")
                continue
            values = text.split(header.separator)
            cut = last and number == line + len(rows) - 1 and not segment.endswith(b"\n")
            if cut and (len(values) < width or self.corrupt):
                self.ctx.reject(f"truncated last line ({len(values)} of {width} fields, no newline)", text, line=number)
                continue
            if len(values) != width:
                self.ctx.reject(f"wrong field count ({len(values)} fields, expected {width})", text, line=number)
                continue
            ts_raw = values[index["ts"]]
            ts: float | None = None
            if ts_raw not in nulls:
                try:
                    ts = float(ts_raw)
                except ValueError:
                    self.ctx.reject(f"bad timestamp {_shown(ts_raw)}", text, line=number)
                    continue
            row: dict[str, bytes | str | None] = {
                col: (None if values[i] in nulls else values[i]) for col, i in index.items() if col != "ts"
            }
            row["qtype"] = qtype_of(row.get("qtype"), row.pop("qtype_number", None))
            batcher.add(number, ts, **row)
        batcher.flush()
        return len(rows)


def _read_arrow(buffer: pa.Buffer, header: Header) -> pa.Table | None:
    """The wanted columns of a data segment, or None when it needs the line-by-line path
    (Arrow stops at a wrong field count or an unreadable timestamp, without a line number)."""
    names = _unique(header.fields)
    wanted = [name for name, field_ in zip(names, header.fields, strict=True) if field_ in FIELDS and name == field_]
    try:
        table = pv.read_csv(
            pa.BufferReader(buffer),
            # the whole piece as one block (READERS)
            read_options=pv.ReadOptions(column_names=names, use_threads=True, block_size=max(buffer.size, 1)),
            parse_options=pv.ParseOptions(
                delimiter=header.separator.decode("latin-1"),
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pv.ConvertOptions(
                include_columns=wanted,
                column_types={name: pa.float64() if name == "ts" else DICTIONARY for name in wanted},
                null_values=[header.unset.decode("latin-1"), header.empty.decode("latin-1")],
                strings_can_be_null=True,
            ),
        )
    except pa.ArrowException:  # also Arrow's rare internal failures: the line path is the reference
        return None
    return table.unify_dictionaries().combine_chunks()


def _batch_of(table: pa.Table, header: Header, line_of: Any, text_of: Any) -> LookupColumns:
    """A batch of segments' table; line_of(row) is the row's line number, text_of(row) its text."""
    names = _unique(header.fields)
    columns = {
        FIELDS[field_]: table.column(name).chunk(0)
        for name, field_ in zip(names, header.fields, strict=True)
        if field_ in FIELDS and name == field_
    }
    return _batch(columns, header, line_of, text_of)


def _grown(buffer: bytearray, filled: int, size: int) -> bytearray:
    """A new, larger buffer (a bytearray Arrow has seen may not be resized)."""
    bigger = bytearray(size)
    bigger[:filled] = buffer[:filled]
    return bigger


def _batch(columns: dict[str, pa.Array], header: Header, line_of: Any, text_of: Any) -> LookupColumns:
    return LookupColumns(
        ts=columns["ts"],
        client=columns["client"],
        qname=columns["qname"],
        line_of=line_of,
        text_of=text_of,
        qtype=_qtype_column(columns.get("qtype"), columns.get("qtype_number")),
        server=columns.get("server"),
        server_port=columns.get("server_port"),
        answers=columns.get("answers"),
        ttls=columns.get("ttls"),
        rd=columns.get("rd"),
        answer_sep=header.set_separator.decode("latin-1"),
        zeek_escapes=True,
    )


def qtype_of(name: bytes | str | None, number: bytes | str | None) -> bytes | str | None:
    """The query type of a line: Zeek's qtype_name (it knows NetBIOS' NB and NBSTAT), else, where
    that is unset or '*', the mnemonic of the numeric qtype (255 is ANY)."""
    if name is not None and name not in (b"*", "*") or number is None:
        return name
    text = number.decode("ascii", "replace") if isinstance(number, bytes) else number
    if not (text.isascii() and text.isdigit() and int(text) <= 0xFFFF):
        return name
    mnemonic = dns.rdatatype.to_text(dns.rdatatype.RdataType.make(int(text)))
    return mnemonic.encode() if isinstance(number, bytes) else mnemonic


def _qtype_column(names: pa.Array | None, numbers: pa.Array | None) -> pa.Array | None:
    """qtype_of for a column; the numbers are looked at only where a name is unset or '*' (rare)."""
    if numbers is None:
        return names
    if names is None:
        names = pa.nulls(len(numbers), pa.binary())
    if pa.types.is_dictionary(names.type):
        stars = [i for i, value in enumerate(names.dictionary.to_pylist()) if value in (b"*", "*")]
        wanted = pc.or_(pc.is_null(names), pc.is_in(names.indices, pa.array(stars, names.indices.type)))
    else:
        wanted = pc.fill_null(pc.equal(pc.cast(names, pa.binary()), pa.scalar(b"*", pa.binary())), pa.scalar(True))
    if not pc.any(wanted).as_py():
        return names
    names = pc.cast(names, pa.binary())
    if not pa.types.is_dictionary(numbers.type):
        numbers = pc.dictionary_encode(numbers)
    mnemonics = pa.array([qtype_of(None, n) for n in numbers.dictionary.to_pylist()], pa.binary())
    by_number = pc.take(mnemonics, numbers.indices)  # once per distinct number
    return pc.if_else(wanted, pc.coalesce(by_number, names), names)


def _unique(fields: list[str]) -> list[str]:
    """Column names for Arrow: a repeated field name gets a suffix (the first one is used)."""
    seen: dict[str, int] = {}
    out = []
    for name in fields:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}#{count}")
    return out


def _shown(raw: bytes) -> str:
    return repr(raw.decode("utf-8", "backslashreplace")[:60])


# -- JSON lines -------------------------------------------------------------------------------------


def _read_json(ctx: ParseContext, aggregator: LookupAggregator, first: bytes, stream: BinaryIO) -> int:
    """Zeek's JSON writer: one object per line, unset fields left out, vectors as arrays.
    Returns the number of the line after the last."""
    batcher = ColumnBuilder(aggregator, binary=False, zeek_escapes=True, answer_sep=",")
    number = 0
    for number, raw in _numbered(first, stream):
        ctx.line = number
        if number in ctx.long_lines:
            continue
        ctx.counts["lines read"] += 1
        if not raw.strip():
            ctx.skip("blank line")
            continue
        try:
            doc = json.loads(raw)
        except UnicodeDecodeError:
            ctx.reject("undecodable bytes", raw, line=number)
            continue
        except (ValueError, RecursionError):
            ctx.reject("not a JSON object", raw, line=number)
            continue
        if not isinstance(doc, dict):
            ctx.reject("not a JSON object", raw, line=number)
            continue
        ts = _json_time(doc.get("ts"))
        if isinstance(ts, str):
            ctx.reject(ts, raw, line=number)
            continue
        batcher.add(
            number,
            ts,
            client=_text(doc.get("id.orig_h")),
            qname=_text(doc.get("query")),
            qtype=qtype_of(_text(doc.get("qtype_name")), _text(doc.get("qtype"))),
            server=_text(doc.get("id.resp_h")),
            server_port=_text(doc.get("id.resp_p")),
            answers=_joined(doc.get("answers")),
            ttls=_joined(doc.get("TTLs")),
            rd=_text(doc.get("RD")),
        )
    batcher.flush()
    return number + 1


def _numbered(first: bytes, stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    number, carry, chunk = 0, b"", first
    while chunk:
        parts = (carry + chunk).split(b"\n")
        carry = parts.pop()
        for part in parts:
            number += 1
            yield number, part
        chunk = stream.read(PIECE_BYTES)
    if carry:
        yield number + 1, carry


def _json_time(value: Any) -> float | None | str:
    """Seconds since the epoch; None when absent; a reject reason (str) when unreadable."""
    from datetime import datetime

    if value is None:
        return None
    if isinstance(value, bool):
        return f"bad timestamp {value!r}"
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return f"bad timestamp {value[:40]!r}"
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    return f"bad timestamp {json.dumps(value)[:40]}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def _joined(value: Any) -> str | None:
    """A JSON array as Zeek's TSV writes a vector; elements holding the separator are dropped
    (they cannot be names or addresses)."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    kept = [_text(v) or "" for v in items]
    kept = [v for v in kept if "," not in v]
    return ",".join(kept) if kept else None
