"""Any Zeek log (TSV or JSON lines) as tables of text columns, a block of lines at a time: the
fields asked for, every value as text (a vector joined by commas, a bool `T`/`F`), null where
unset, with each row's line number. For graphkit.parsers.zeek_tls; dns.log has its own reader.

A block is read by Arrow (its CSV reader for TSV between header lines, its JSON reader for
JSON lines) when Arrow can read it exactly; otherwise line by line in Python, where each bad
line is rejected with its number and reason.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.json as pj

from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.lookups.aggregator import unreadable_file_rejected
from graphkit.ingest.lookups.classify import unescape_hex
from graphkit.parsers.pdns_blocks import blocks

BLOCK_BYTES = 8 << 20
TEXT = pa.string()


@dataclass
class Header:
    separator: str = "\t"
    set_separator: str = ","
    empty: str = "(empty)"
    unset: str = "-"
    fields: list[str] = field(default_factory=list)

    def read(self, raw: bytes) -> None:
        text = raw.rstrip(b"\r\n")
        if text.startswith(b"#separator"):
            given = unescape_hex(text[len(b"#separator") :].strip(b" \t"))
            self.separator = given.decode("utf-8", "replace") or "\t"
            return
        key, _, value = text[1:].decode("utf-8", "replace").partition(self.separator)
        if key == "set_separator" and value:
            self.set_separator = value
        elif key == "empty_field":
            self.empty = value
        elif key == "unset_field":
            self.unset = value
        elif key == "fields":
            self.fields = value.split(self.separator)


@dataclass
class Rows:
    """Text columns of some lines of the log, and the line each row came from."""

    table: pa.Table
    lines: pa.Array  # int64


def zeek_rows(ctx: ParseContext, wanted: tuple[str, ...], json_types: dict[str, pa.DataType]) -> Iterator[Rows]:
    """The `wanted` fields of every data line, a block at a time. `json_types`: how JSON gives
    each wanted field (for Arrow's reader; a vector as a list)."""
    header, is_json = Header(), None
    with unreadable_file_rejected(ctx), ctx.open() as stream:
        for first, block in blocks(stream, BLOCK_BYTES):
            if is_json is None:
                start = block.lstrip()[:1]
                if not start:
                    continue
                is_json = start == b"{"
            if is_json:
                yield from _json_block(ctx, first, block, wanted, json_types)
            else:
                yield from _tsv_block(ctx, header, first, block, wanted)
            ctx.tick()


# -- TSV ------------------------------------------------------------------------------------------


def _tsv_block(ctx: ParseContext, header: Header, first: int, block: bytes, wanted: tuple[str, ...]) -> Iterator[Rows]:
    pos, line = 0, first
    while pos < len(block):
        if block[pos : pos + 1] == b"#":
            end = block.index(b"\n", pos) + 1
            header.read(block[pos:end])
            pos, line = end, line + 1
            continue
        end = _next_header(block, pos)
        segment = block[pos:end]
        count = segment.count(b"\n")
        if not header.fields:
            raise FileRejected(line, "a data line before any #fields header: not a Zeek log")
        rows = _tsv_arrow(ctx, replace(header), segment, line, count, wanted)
        yield rows if rows is not None else _tsv_python(ctx, header, segment, line, wanted)
        pos, line = end, line + count


def _next_header(block: bytes, pos: int) -> int:
    """Where the next header line starts after the data line at `pos`, or the block's end."""
    found = block.find(b"\n#", pos)
    return len(block) if found < 0 else found + 1


def _tsv_arrow(
    ctx: ParseContext, header: Header, segment: bytes, line: int, count: int, wanted: tuple[str, ...]
) -> Rows | None:
    if (
        len(header.separator) != 1
        or b"\r" in segment
        or b"\n\n" in segment
        or any(n in ctx.long_lines for n in range(line, line + count))
    ):
        return None
    present = [name for name in wanted if name in header.fields]
    try:
        table = pv.read_csv(
            io.BytesIO(segment),
            pv.ReadOptions(column_names=header.fields, use_threads=True, block_size=4 << 20),
            pv.ParseOptions(delimiter=header.separator, quote_char=False, escape_char=False, ignore_empty_lines=False),
            pv.ConvertOptions(
                include_columns=present,
                column_types=dict.fromkeys(present, TEXT),
                null_values=[header.unset, header.empty],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows != count:
        return None
    if any(pc.any(pc.match_substring(table.column(n), "\\x")).as_py() for n in present):
        return None  # Zeek's \xHH escapes: undone line by line
    table = _with_all(table, wanted)
    if header.set_separator != ",":
        table = _rejoined(table, header.set_separator)
    return Rows(table, pa.array(range(line, line + count), pa.int64()))


def _tsv_python(ctx: ParseContext, header: Header, segment: bytes, first: int, wanted: tuple[str, ...]) -> Rows:
    columns: dict[str, list[str | None]] = {name: [] for name in wanted}
    lines: list[int] = []
    index = {name: header.fields.index(name) for name in wanted if name in header.fields}
    for number, raw in enumerate(segment.split(b"\n")[:-1], first):
        text = raw.rstrip(b"\r")
        if not text or number in ctx.long_lines:
            continue
        try:
            values = text.decode("utf-8").split(header.separator)
        except UnicodeDecodeError:
            values = text.decode("utf-8", "backslashreplace").split(header.separator)
        if len(values) != len(header.fields):
            ctx.reject(f"{len(values)} fields where #fields names {len(header.fields)}", raw, number)
            continue
        lines.append(number)
        for name in wanted:
            at = index.get(name)
            value = None if at is None else values[at]
            if value is not None and value not in (header.unset, header.empty):
                if "\\x" in value:
                    value = unescape_hex(value.encode("utf-8")).decode("utf-8", "replace")
                if header.set_separator != ",":
                    value = value.replace(header.set_separator, ",")
                columns[name].append(value)
            else:
                columns[name].append(None)
    return Rows(pa.table({n: pa.array(v, TEXT) for n, v in columns.items()}), pa.array(lines, pa.int64()))


def _with_all(table: pa.Table, wanted: tuple[str, ...]) -> pa.Table:
    return pa.table({n: table.column(n) if n in table.column_names else pa.nulls(table.num_rows, TEXT) for n in wanted})


def _rejoined(table: pa.Table, separator: str) -> pa.Table:
    for i, name in enumerate(table.column_names):
        table = table.set_column(i, name, pc.replace_substring(table.column(i), separator, ","))
    return table


# -- JSON -----------------------------------------------------------------------------------------


def _json_block(
    ctx: ParseContext, first: int, block: bytes, wanted: tuple[str, ...], types: dict[str, pa.DataType]
) -> Iterator[Rows]:
    count = block.count(b"\n")
    if b"\n\n" not in block and not any(n in ctx.long_lines for n in range(first, first + count)):
        schema = pa.schema([(name, types.get(name, TEXT)) for name in wanted])
        try:
            table = pj.read_json(
                io.BytesIO(block),
                pj.ReadOptions(use_threads=True, block_size=4 << 20),
                pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError):
            table = None
        if table is not None and table.num_rows == count:
            yield Rows(_as_text(table.combine_chunks()), pa.array(range(first, first + count), pa.int64()))
            return
    yield _json_python(ctx, first, block, wanted)


def _as_text(table: pa.Table) -> pa.Table:
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_list(column.type):
            column = pc.binary_join(pc.cast(column, pa.list_(TEXT)), ",")
        elif pa.types.is_boolean(column.type):
            column = pc.if_else(column, "T", "F")
        elif column.type != TEXT:
            column = pc.cast(column, TEXT)
        columns[name] = column
    return pa.table(columns)


def _json_python(ctx: ParseContext, first: int, block: bytes, wanted: tuple[str, ...]) -> Rows:
    columns: dict[str, list[str | None]] = {name: [] for name in wanted}
    lines: list[int] = []
    for number, raw in enumerate(block.split(b"\n")[:-1], first):
        if not raw.strip() or number in ctx.long_lines:
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):
            ctx.reject("not JSON", raw, number)
            continue
        if not isinstance(obj, dict):
            ctx.reject("not a JSON object", raw, number)
            continue
        lines.append(number)
        for name in wanted:
            columns[name].append(_text(obj.get(name)))
    return Rows(pa.table({n: pa.array(v, TEXT) for n, v in columns.items()}), pa.array(lines, pa.int64()))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, list):
        return ",".join(str(v) for v in value if v is not None) or None
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)
